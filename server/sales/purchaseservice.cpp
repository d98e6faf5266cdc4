#include "purchaseservice.h"

#include "core/jsonwriter.h"

#include "admissiongate.h"
#include "core/flashsaleserver.h"
#include "core/jsonwriter.h"
#include "core/timeorderedid.h"
#include "core/timeutil.h"
#include "http/databasejob.h"
#include "http/principal.h"
#include "http/router.h"
#include "inventory/reservationjournal.h"
#include "purchaserequest.h"
#include "saleregistry.h"
#include "salelookup.h"
#include "stockrefill.h"
#include "storage/database.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QUuid>

struct PurchaseService::Counters
{
    std::atomic<qint64> *accepted = nullptr;
    std::atomic<qint64> *replayed = nullptr;
    std::atomic<qint64> *soldOut = nullptr;
    std::atomic<qint64> *limit = nullptr;
    std::atomic<qint64> *rateLimited = nullptr;
    std::atomic<qint64> *closed = nullptr;
    std::atomic<qint64> *notDurable = nullptr;
};

namespace {

// The 202's body, written as bytes (one per accepted purchase, on the journal's thread).
HttpResponse accepted(const QString &orderId, qint64 saleId, int quantity)
{
    return HttpResponse::text(JsonObjectWriter(96)
                                  .string("orderId", orderId)
                                  .number("quantity", quantity)
                                  .number("saleId", saleId)
                                  .latin1("status", "Pending")
                                  .finish(),
                              "application/json", 202)
        .withHeader("Location", "/orders/" + orderId.toLatin1());
}

// The same Idempotency-Key sent again with a different request: refused, as payment APIs
// do, rather than answered as a replay of a request the shopper did not send this time.
HttpResponse keyReused(int firstQuantity)
{
    return HttpResponse::problem(422, QStringLiteral("idempotency-key-reused"), QStringLiteral("Idempotency-Key reused"),
                                 QStringLiteral("This Idempotency-Key was first sent with quantity %1; a different request "
                                                "needs a new key.").arg(firstQuantity),
                                 {{QStringLiteral("firstQuantity"), firstQuantity}});
}

HttpResponse replayAnswer(const QString &orderId, qint64 saleId, int quantity)
{
    return accepted(orderId, saleId, quantity).withHeader("Idempotent-Replayed", "true");
}

HttpResponse windowClosed(const Sale &sale, qint64 now)
{
    const bool early = now < sale.startMs();
    return HttpResponse::problem(403, early ? QStringLiteral("sale-not-started") : QStringLiteral("sale-ended"),
                                 early ? QStringLiteral("The sale has not started") : QStringLiteral("The sale has ended"),
                                 QStringLiteral("The sale runs from %1 to %2.").arg(isoUtc(sale.startMs()), isoUtc(sale.endMs())),
                                 {{QStringLiteral("serverTime"), isoUtc(now)}});
}

} // namespace

PurchaseService::PurchaseService(FlashSaleServer &server, SaleRegistry &registry)
    : m_server(server)
    , m_registry(registry)
    , m_journal(std::make_unique<ReservationJournal>(server.database(), server.metrics(),
                                                     server.config().purchase.groupCommitMaxBatch))
    , m_counters(std::make_unique<Counters>())
{
    // A commit's answers go to the HTTP threads together (one queued call per thread).
    m_journal->setAnswerScope([](const std::function<void()> &answerAll) {
        AnswerBatch batch;
        answerAll();
    });
    Metrics &m = server.metrics();
    const QString name = QStringLiteral("flashsale_purchases_total");
    const QString help = QStringLiteral("Purchase attempts by outcome.");
    m_counters->accepted = m.counter(name, help, QStringLiteral("outcome=\"accepted\""));
    m_counters->replayed = m.counter(name, help, QStringLiteral("outcome=\"replayed\""));
    m_counters->soldOut = m.counter(name, help, QStringLiteral("outcome=\"sold_out\""));
    m_counters->limit = m.counter(name, help, QStringLiteral("outcome=\"limit_reached\""));
    m_counters->rateLimited = m.counter(name, help, QStringLiteral("outcome=\"rate_limited\""));
    m_counters->closed = m.counter(name, help, QStringLiteral("outcome=\"closed\""));
    m_counters->notDurable = m.counter(name, help, QStringLiteral("outcome=\"not_durable\""));
    m.gauge(QStringLiteral("flashsale_sales_retired"),
            QStringLiteral("Ended sales whose idempotency keys left memory; their replays are answered from the journal."), [this] {
                double n = 0;
                for (const auto &sale : m_registry.all())
                    n += sale->stock().isRetired() ? 1 : 0;
                return n;
            });
}

PurchaseService::~PurchaseService()
{
    stop();
}

bool PurchaseService::restore(QString *error)
{
    try {
        const QSqlDatabase db = m_server.database().connection();
        // Sales long over: only the units their reservations still hold, no keys.
        const qint64 now = nowMs();
        const qint64 retireBefore = retireBeforeMs(now);
        qint64 retired = 0;
        for (const auto &sale : m_registry.all())
            retired += retireIfOver(*sale, now) ? 1 : 0;
        QSqlQuery held = execOrThrow(db, QStringLiteral(
            "SELECT r.sale_id, SUM(r.quantity) FROM reservations r JOIN flash_sales s ON s.sale_id = r.sale_id "
            "WHERE s.end_time <= ? AND r.units_released = 0 GROUP BY r.sale_id"), {retireBefore});
        while (held.next()) {
            if (const auto sale = m_registry.find(held.value(0).toLongLong()); sale && sale->stock().isRetired())
                sale->stock().takeUnits(held.value(1).toLongLong());
        }
        QSqlQuery q = execOrThrow(db, QStringLiteral(
            "SELECT r.sale_id, r.user_id, r.idempotency_key, r.reservation_id, r.quantity, r.units_released "
            "FROM reservations r JOIN flash_sales s ON s.sale_id = r.sale_id WHERE s.end_time > ?"), {retireBefore});
        qint64 restored = 0;
        while (q.next()) {
            const auto sale = m_registry.find(q.value(0).toLongLong());
            if (!sale || sale->stock().isRetired())
                continue;
            sale->stock().restore(q.value(1).toLongLong(), q.value(2).toString().toLatin1(), q.value(3).toString(),
                                  q.value(4).toInt(), q.value(5).toInt() == 0);
            ++restored;
        }
        Log::info(QStringLiteral("journal.restored"), {{QStringLiteral("reservations"), restored},
                                                       {QStringLiteral("retiredSales"), retired}});
    } catch (const DatabaseError &e) {
        *error = e.message;
        return false;
    }
    return true;
}

qint64 PurchaseService::retireBeforeMs(qint64 now) const
{
    return now - qint64(std::max(0, m_server.config().purchase.retireAfterEndSeconds)) * 1000;
}

bool PurchaseService::retireIfOver(Sale &sale, qint64 now)
{
    SaleStock &stock = sale.stock();
    if (stock.isRetired() || sale.endMs() > retireBeforeMs(now) || stock.inFlight() > 0)
        return false;
    stock.retire();
    return true;
}

void PurchaseService::answerFromJournal(const std::shared_ptr<Sale> &sale, qint64 userId, const QByteArray &key, int quantity,
                                        const Responder &reply)
{
    Counters *counters = m_counters.get();
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("purchase.replay"),
                    QStringLiteral("The purchase could not be looked up; nothing was reserved. Retry with the same Idempotency-Key."),
                    [sale, userId, key, quantity, counters](const QSqlDatabase &db) -> std::optional<HttpResponse> {
                        QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT reservation_id, quantity FROM reservations "
                                                                     "WHERE sale_id = ? AND user_id = ? AND idempotency_key = ?"),
                                                  {sale->id(), userId, QString::fromLatin1(key)});
                        if (!q.next()) {
                            counters->closed->fetch_add(1, std::memory_order_relaxed);
                            return windowClosed(*sale, nowMs());
                        }
                        const int first = q.value(1).toInt();
                        if (first != quantity)
                            return keyReused(first);
                        counters->replayed->fetch_add(1, std::memory_order_relaxed);
                        return replayAnswer(q.value(0).toString(), sale->id(), first);
                    });
}

void PurchaseService::start()
{
    m_journal->start();
}

void PurchaseService::stop()
{
    m_journal->stop();
}

void PurchaseService::answerCrossNode(const CrossNodeVerdict &verdict, const std::shared_ptr<Sale> &sale, qint64 userId,
                                      const QByteArray &key, int quantity, qint64 saleId, const Responder &reply)
{
    // Not reserved here after all: another node holds this key or the shopper's units.
    // The units go back to this node's lease; the key now remembers the other answer.
    sale->stock().release(userId, key, true);
    if (verdict.kind == CrossNodeVerdict::Kind::Replayed) {
        sale->stock().restore(userId, key, verdict.orderId, verdict.quantity, false);
        if (verdict.quantity != quantity) {
            reply.send(keyReused(verdict.quantity));
            return;
        }
        m_counters->replayed->fetch_add(1, std::memory_order_relaxed);
        reply.send(replayAnswer(verdict.orderId, saleId, verdict.quantity));
        return;
    }
    m_counters->limit->fetch_add(1, std::memory_order_relaxed);
    const int limit = sale->terms().perUserLimit;
    reply.send(HttpResponse::problem(409, QStringLiteral("purchase-limit"), QStringLiteral("Purchase limit reached"),
                                     QStringLiteral("Each shopper may buy %1 unit(s) of this sale; you already hold units bought "
                                                    "through another node.").arg(limit),
                                     {{QStringLiteral("perUserLimit"), limit}}));
}

void PurchaseService::purchase(const HttpRequest &request, const Responder &reply)
{
    SaleLookup::withSale(m_registry, request, reply, this, &PurchaseService::purchaseIn);
}

void PurchaseService::purchaseIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale)
{
    HttpResponse problem;
    const std::optional<PurchaseRequest> asked = PurchaseRequest::read(request, sale->terms().perUserLimit, &problem);
    if (!asked) {
        reply.send(problem);
        return;
    }
    const QByteArray key = asked->idempotencyKey;
    const int quantity = asked->quantity;

    const qint64 userId = request.principal->userId;
    QString refusal;
    if (m_gate && !m_gate->admits(sale->id(), userId, request.header("admission-token"), &refusal)) {
        reply.send(Problem::remembered(QStringLiteral("not-admitted:") + refusal, [&refusal] {
            return HttpResponse::problem(403, QStringLiteral("not-admitted"), QStringLiteral("Not admitted"), refusal);
        }));
        return;
    }
    if (!m_accounts || m_accounts->isKnown(userId)) {
        reserve(sale, userId, key, quantity, reply, Refills{});
        return;
    }
    // An account this node has not seen (made on another node, or gone): ask the database.
    m_accounts->check(userId, [this, sale, userId, key, quantity, reply](AccountCheck::Answer answer) {
        if (answer == AccountCheck::Answer::Exists)
            reserve(sale, userId, key, quantity, reply, Refills{});
        else if (answer == AccountCheck::Answer::Missing)
            reply.send(Problem::unauthorized(QStringLiteral("The account of this token no longer exists.")));
        else
            reply.send(Problem::unavailable(QStringLiteral("The account could not be checked; nothing was reserved. Retry.")));
    });
}

bool PurchaseService::mayRefill(const Sale &sale, const Refills &refills, qint64 now) const
{
    // Asked again while the sale has units elsewhere: when the units a refill leased went to
    // purchases that came in meanwhile, or the pool was empty while other nodes held units
    // (they hand them back once they hear this node is starved, within a heartbeat or two).
    // Bounded, so a shopper is answered within a few heartbeats whatever happens.
    constexpr int maxRefills = 64;
    const qint64 patienceMs = 8 * qint64(m_server.config().cluster.heartbeatMs);
    if (!m_refill || sale.remaining() <= 0 || refills.count >= maxRefills)
        return false;
    return refills.count == 0 || now - refills.sinceMs < patienceMs;
}

void PurchaseService::reserve(const std::shared_ptr<Sale> &sale, qint64 userId, const QByteArray &key, int quantity,
                              const Responder &reply, Refills refills)
{
    const qint64 now = nowMs();
    const auto &cfg = m_server.config().purchase;
    const int limit = sale->terms().perUserLimit;
    const QString newOrderId = timeOrderedId();
    // The attempt after a refill or a wait is the same attempt: the rate limit counted it already.
    const bool firstTry = refills.count == 0 && refills.waits == 0;
    const SaleStock::Result r = sale->stock().tryReserve(userId, key, quantity, newOrderId, sale->isOpenAt(now), now,
                                                         firstTry ? qint64(cfg.rateLimitSeconds * 1000.0) : 0);
    if (firstTry) {
        refills.attemptMs = r.attemptMs;
        refills.previousAttemptMs = r.previousAttemptMs;
    }
    const qint64 saleId = sale->id();
    const bool empty = r.outcome == SaleStock::Outcome::SoldOut || r.outcome == SaleStock::Outcome::NotEnoughStock;
    if (empty && sale->stock().inFlight() > 0) {
        // Units are reserved here but not yet durable: a failed commit gives them back, so
        // the stock is not sold out yet. Wait for the commits queued so far, then try again;
        // if units are still in flight after a few, say so and ask for a retry.
        constexpr int maxWaits = 8;
        if (refills.waits < maxWaits) {
            ++refills.waits;
            m_journal->barrier([this, sale, userId, key, quantity, reply, refills](bool) {
                reserve(sale, userId, key, quantity, reply, refills);
            });
            return;
        }
        sale->stock().giveBackAttempt(userId, refills.attemptMs, refills.previousAttemptMs);
        m_counters->notDurable->fetch_add(1, std::memory_order_relaxed);
        reply.send(Problem::unavailable(QStringLiteral("The last units are being recorded and may come back; nothing was "
                                                       "reserved. Retry with the same Idempotency-Key.")));
        return;
    }
    if ((r.outcome == SaleStock::Outcome::SoldOut || r.outcome == SaleStock::Outcome::NotEnoughStock) && mayRefill(*sale, refills, now)) {
        // A cluster node's lease ran out while the sale has units elsewhere: lease more,
        // then try again, before telling the shopper it is sold out.
        if (refills.count++ == 0)
            refills.sinceMs = now;
        m_refill->refillNow(saleId, [this, sale, userId, key, quantity, reply, refills](qint64) {
            reserve(sale, userId, key, quantity, reply, refills);
        });
        return;
    }
    switch (r.outcome) {
    case SaleStock::Outcome::Reserved: {
        ReservationRecord record{r.orderId, saleId, userId, quantity, key, now, now + qint64(cfg.reservationTtlSeconds) * 1000,
                                 m_server.config().cluster.nodeId, nullptr};
        std::shared_ptr<CrossNodeVerdict> verdict;
        if (m_server.config().clustered())
            record.verdict = verdict = std::make_shared<CrossNodeVerdict>();
        m_journal->append(std::move(record), [this, sale, userId, key, quantity, r, saleId, reply, verdict](bool durable) {
            if (durable && verdict && verdict->kind != CrossNodeVerdict::Kind::Accepted) {
                answerCrossNode(*verdict, sale, userId, key, quantity, saleId, reply);
                sale->stock().settle(r.quantity);
                return;
            }
            if (durable) {
                sale->stock().settle(r.quantity);
                m_counters->accepted->fetch_add(1, std::memory_order_relaxed);
                reply.send(accepted(r.orderId, saleId, r.quantity));
                return;
            }
            // Not durable: the units go back, the key is forgotten and the rate-limit slot
            // is given back, so the retry this answer asks for starts afresh.
            sale->stock().undo(userId, key, r);
            sale->stock().settle(r.quantity); // after the units are back: never empty and settled in between
            if (m_accounts)
                m_accounts->recheck(userId); // the account may be gone: the retry is then refused 401
            m_counters->notDurable->fetch_add(1, std::memory_order_relaxed);
            reply.send(Problem::unavailable(QStringLiteral("The purchase could not be recorded; nothing was reserved. Retry with the same Idempotency-Key.")));
        });
        return;
    }
    case SaleStock::Outcome::Replayed:
        // The first attempt may still be in the batch being committed: answer after it.
        m_journal->barrier([this, sale, userId, key, r, quantity, saleId, reply](bool) {
            if (!sale->stock().knows(userId, key)) {
                reply.send(Problem::unavailable(QStringLiteral("The first attempt with this key was not recorded; retry.")));
                return;
            }
            if (r.quantity != quantity) {
                reply.send(keyReused(r.quantity));
                return;
            }
            m_counters->replayed->fetch_add(1, std::memory_order_relaxed);
            reply.send(replayAnswer(r.orderId, saleId, r.quantity));
        });
        return;
    case SaleStock::Outcome::Closed:
        m_counters->closed->fetch_add(1, std::memory_order_relaxed);
        reply.send(windowClosed(*sale, now));
        return;
    case SaleStock::Outcome::Retired:
        answerFromJournal(sale, userId, key, quantity, reply);
        return;
    case SaleStock::Outcome::SoldOut:
        m_counters->soldOut->fetch_add(1, std::memory_order_relaxed);
        reply.send(Problem::remembered(QStringLiteral("sold-out"), [] {
            return Problem::conflict(QStringLiteral("sold-out"), QStringLiteral("Sold out"), QStringLiteral("Every unit of this sale is taken."));
        }));
        return;
    case SaleStock::Outcome::NotEnoughStock:
        m_counters->soldOut->fetch_add(1, std::memory_order_relaxed);
        reply.send(HttpResponse::problem(409, QStringLiteral("insufficient-stock"), QStringLiteral("Not enough stock"),
                                         QStringLiteral("Fewer units are left than asked for."),
                                         {{QStringLiteral("remainingStock"), sale->remaining()}}));
        return;
    case SaleStock::Outcome::LimitReached:
        m_counters->limit->fetch_add(1, std::memory_order_relaxed);
        reply.send(Problem::remembered(QStringLiteral("purchase-limit:%1:%2").arg(limit).arg(r.heldByUser), [limit, &r] {
            return HttpResponse::problem(409, QStringLiteral("purchase-limit"), QStringLiteral("Purchase limit reached"),
                                         QStringLiteral("Each shopper may buy %1 unit(s) of this sale; you hold %2.").arg(limit).arg(r.heldByUser),
                                         {{QStringLiteral("perUserLimit"), limit}, {QStringLiteral("held"), r.heldByUser}});
        }));
        return;
    case SaleStock::Outcome::RateLimited: {
        m_counters->rateLimited->fetch_add(1, std::memory_order_relaxed);
        const int retryAfter = int((r.retryAfterMs + 999) / 1000);
        const double window = cfg.rateLimitSeconds;
        reply.send(Problem::remembered(QStringLiteral("rate-limited:%1:%2").arg(window).arg(retryAfter), [window, retryAfter] {
            return Problem::tooManyRequests(QStringLiteral("One purchase attempt per %1 s per shopper.").arg(window), retryAfter);
        }));
        return;
    }
    }
}
