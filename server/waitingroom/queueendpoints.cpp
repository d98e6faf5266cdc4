#include "queueendpoints.h"

#include "admissiontoken.h"
#include "core/flashsaleserver.h"
#include "core/timeutil.h"
#include "http/databasejob.h"
#include "http/jsonbody.h"
#include "http/principal.h"
#include "http/router.h"
#include "joinlimiter.h"
#include "proofofwork.h"
#include "sales/salelookup.h"
#include "sales/saleregistry.h"
#include "storage/database.h"
#include "storage/dbexecutor.h"
#include "telemetry/logger.h"
#include "ticketjournal.h"
#include "ticketstatus.h"
#include "waitingroommodule.h"

#include <QJsonDocument>

#include <cmath>

namespace {

// An ended sale's waiting room leaves memory (purchase/retireAfterEndSeconds after its end).
HttpResponse waitingRoomClosed(const Sale &sale)
{
    return HttpResponse::problem(410, QStringLiteral("waiting-room-closed"), QStringLiteral("Waiting room closed"),
                                 QStringLiteral("Sale %1 ended at %2; its waiting room is closed.").arg(sale.id()).arg(isoUtc(sale.endMs())));
}

QString orderName(bool shuffled)
{
    return shuffled ? QStringLiteral("shuffled") : QStringLiteral("arrival");
}

} // namespace

QueueEndpoints::QueueEndpoints(WaitingRoomModule &module, FlashSaleServer &server, SaleRegistry &sales, TicketJournal &journal,
                               ProofOfWork &pow, QByteArray tokenKey)
    : m_module(module)
    , m_server(server)
    , m_sales(sales)
    , m_journal(journal)
    , m_pow(pow)
    , m_tokenKey(std::move(tokenKey))
    , m_config(module.config())
    , m_perShopper(std::make_unique<JoinLimiter>(m_config.joinLimitPerShopper, qint64(m_config.joinLimitWindowSeconds) * 1000))
    , m_perAddress(std::make_unique<JoinLimiter>(m_config.joinLimitPerAddress, qint64(m_config.joinLimitWindowSeconds) * 1000))
{
}

QueueEndpoints::~QueueEndpoints() = default;

SaleQueue &QueueEndpoints::queueOf(qint64 saleId)
{
    return *m_module.queues().obtain(saleId, [this](SaleQueue &q) {
        q.settings().admissionRatePerSecond.store(qMax(0.0, m_config.admissionRatePerSecond));
        q.settings().shuffledPreQueue.store(m_config.preQueueOrder == QLatin1String("shuffled"));
    });
}

void QueueEndpoints::join(const HttpRequest &request, const Responder &reply)
{
    SaleLookup::withSale(m_sales, request, reply, this, &QueueEndpoints::joinIn);
}

void QueueEndpoints::joinIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale)
{
    const qint64 now = nowMs();
    const qint64 userId = request.principal->userId;
    if (std::optional<HttpResponse> refusal = endedOrTooManyJoins(request, *sale, userId, now)) {
        reply.send(*refusal);
        return;
    }
    SaleQueue &queue = queueOf(sale->id());
    // A reload keeps its place: whoever holds a ticket gets it back, with no new proof.
    {
        const SaleQueue::Reading reading(queue);
        if (!reading) { // closed: the sale ended long ago (joins refused above since)
            reply.send(waitingRoomClosed(*sale));
            return;
        }
        if (const qint64 held = queue.ticketOf(userId)) {
            reply.send(ticketAnswer(queue, *sale, held, now));
            return;
        }
    }
    if (sale->isSoldOut()) {
        reply.send(Problem::conflict(QStringLiteral("sold-out"), QStringLiteral("Sold out"), QStringLiteral("Every unit of this sale is taken.")));
        return;
    }
    Lane lane = Lane::Normal;
    if (std::optional<HttpResponse> refusal = checkProofOfWork(request, *sale, userId, now, &lane)) {
        reply.send(*refusal);
        return;
    }
    enqueueThroughAccountGates(queue, sale, userId, lane, request.remoteAddress.toString(), reply);
}

std::optional<HttpResponse> QueueEndpoints::endedOrTooManyJoins(const HttpRequest &request, const Sale &sale, qint64 userId, qint64 now)
{
    if (now >= sale.endMs()) {
        return Problem::conflict(QStringLiteral("sale-ended"), QStringLiteral("The sale has ended"),
                                 QStringLiteral("The sale ended at %1.").arg(isoUtc(sale.endMs())));
    }
    const qint64 shopperWait = m_perShopper->hit("u" + QByteArray::number(userId), now);
    const qint64 addressWait = shopperWait ? 0 : m_perAddress->hit(request.remoteAddress.toString().toLatin1(), now);
    if (shopperWait || addressWait) {
        return Problem::tooManyRequests(shopperWait ? QStringLiteral("Too many joins by this shopper; your ticket is kept.")
                                                    : QStringLiteral("Too many joins from this address."),
                                        int((qMax(shopperWait, addressWait) + 999) / 1000));
    }
    return std::nullopt;
}

std::optional<HttpResponse> QueueEndpoints::checkProofOfWork(const HttpRequest &request, const Sale &sale, qint64 userId, qint64 now,
                                                             Lane *lane)
{
    QJsonObject body;
    if (!request.body.trimmed().isEmpty()) {
        HttpResponse problem;
        const auto parsed = JsonBody::parse(request, &problem);
        if (!parsed)
            return problem;
        body = parsed->object();
    }
    const QByteArray challenge = body.value(QStringLiteral("challenge")).toString().toUtf8();
    const QByteArray nonce = body.value(QStringLiteral("nonce")).toString().toUtf8();
    if (m_config.proofOfWork && challenge.isEmpty()) {
        return HttpResponse::problem(403, QStringLiteral("proof-of-work"), QStringLiteral("Proof of work required"),
                                     QStringLiteral("Get a challenge (GET /sales/%1/queue/challenge) and join with "
                                                    "{challenge, nonce}.").arg(sale.id()));
    }
    if (challenge.isEmpty())
        return std::nullopt;
    ProofOfWork::Challenge solved;
    const QString why = m_pow.redeem(challenge, nonce, sale.id(), userId, m_config.proofOfWork ? m_config.proofOfWorkBits : 0, now, &solved);
    if (!why.isEmpty())
        return HttpResponse::problem(403, QStringLiteral("proof-of-work"), QStringLiteral("Proof of work refused"), why);
    if (m_config.humanMinMs > 0 && now - solved.issuedAtMs < m_config.humanMinMs) {
        *lane = Lane::Low; // faster than a human: admitted after everyone in the normal lane
        Log::info(QStringLiteral("waitingRoom.lowLane"), {{QStringLiteral("saleId"), sale.id()}, {QStringLiteral("userId"), userId},
                                                          {QStringLiteral("ms"), now - solved.issuedAtMs}});
    }
    return std::nullopt;
}

void QueueEndpoints::enqueueThroughAccountGates(SaleQueue &queue, std::shared_ptr<const Sale> sale, qint64 userId, Lane lane,
                                                const QString &address, const Responder &reply)
{
    const bool knownAccount = !m_accounts || m_accounts->isKnown(userId);
    if (knownAccount && !m_config.requireVerifiedAccount && m_config.minAccountAgeSeconds <= 0) {
        enqueue(queue, std::move(sale), userId, lane, address, reply);
        return;
    }
    // The account gates read the users table: on a database thread, never this one. An
    // account that is gone is refused here, before the ticket journal.
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("waitingRoom.gate"), QStringLiteral("The account could not be checked; try again."),
                    [this, &queue, sale, userId, lane, address, reply](const QSqlDatabase &db) -> std::optional<HttpResponse> {
                        if (std::optional<HttpResponse> refusal = accountGateRefusal(db, userId))
                            return refusal;
                        enqueue(queue, sale, userId, lane, address, reply);
                        return std::nullopt; // the ticket journal answers
                    });
}

std::optional<HttpResponse> QueueEndpoints::accountGateRefusal(const QSqlDatabase &db, qint64 userId) const
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT verified, created_at FROM users WHERE user_id = ?"), {userId});
    const bool found = q.next();
    if (!found) {
        if (m_accounts)
            m_accounts->recheck(userId);
        return Problem::unauthorized(QStringLiteral("The account of this token no longer exists."));
    }
    if (m_config.requireVerifiedAccount && (!found || q.value(0).toInt() == 0))
        return HttpResponse::problem(403, QStringLiteral("account-not-verified"), QStringLiteral("Account not verified"),
                                     QStringLiteral("This sale is open to verified accounts only."));
    const qint64 ageMs = found ? nowMs() - q.value(1).toLongLong() : 0;
    if (m_config.minAccountAgeSeconds > 0 && ageMs < qint64(m_config.minAccountAgeSeconds) * 1000)
        return HttpResponse::problem(403, QStringLiteral("account-too-new"), QStringLiteral("Account too new"),
                                     QStringLiteral("This sale is open to accounts older than %1 seconds.").arg(m_config.minAccountAgeSeconds));
    return std::nullopt;
}

void QueueEndpoints::enqueue(SaleQueue &queue, std::shared_ptr<const Sale> sale, qint64 userId, Lane lane, const QString &address,
                             const Responder &reply)
{
    qint64 held = 0;
    auto answer = [this, &queue, sale, userId, reply](int status) {
        return [this, &queue, sale, userId, reply, status](qint64 ticket) {
            if (ticket == 0) {
                if (m_accounts)
                    m_accounts->recheck(userId); // the account may be gone: the next join is then refused 401
                reply.send(Problem::unavailable(QStringLiteral("The ticket could not be recorded; join again.")));
                return;
            }
            reply.send(ticketAnswer(queue, *sale, ticket, nowMs(), status)
                           .withHeader("Location", "/sales/" + QByteArray::number(sale->id()) + "/queue/" + QByteArray::number(ticket)));
        };
    };
    switch (queue.join(userId, &held, answer(201))) {
    case SaleQueue::JoinState::Holds:
        answer(200)(held);
        return;
    case SaleQueue::JoinState::Pending:
        return; // answered with the first join of this shopper
    case SaleQueue::JoinState::New: {
        QueueWrite w;
        w.kind = QueueWrite::Kind::Join;
        w.queue = &queue;
        w.userId = userId;
        w.lane = lane;
        w.clientAddress = address;
        m_journal.append(std::move(w));
        return;
    }
    }
}

TicketStatus QueueEndpoints::ticketStatus(const SaleQueue &queue, const Sale &sale, qint64 ticket, qint64 now) const
{
    const TicketView v = queue.view(ticket);
    TicketStatus t;
    t.ticket = ticket;
    t.saleId = sale.id();
    t.admitted = v.admitted;
    t.queueLength = queue.issued();
    t.serverTimeMs = now;
    t.saleStartsAtMs = sale.startMs();
    if (v.admitted) {
        const qint64 expiresAt = v.entry->admittedAtMs.load(std::memory_order_relaxed) + qint64(m_config.admissionTokenTtlSeconds) * 1000;
        if (expiresAt > now) {
            t.status = "admitted";
            t.admissionToken = AdmissionToken{sale.id(), v.entry->userId, ticket, expiresAt}.seal(m_tokenKey);
            t.admissionExpiresAtMs = expiresAt;
        } else {
            t.status = "expired";
        }
    } else if (now >= sale.endMs()) {
        t.status = "closed";
    } else if (sale.isSoldOut()) {
        t.status = "soldOut";
    } else {
        t.status = "waiting";
    }
    const bool waiting = !v.admitted && t.status == std::string_view("waiting");
    const double rate = queue.settings().admissionRatePerSecond.load(std::memory_order_relaxed);
    t.paused = queue.settings().paused.load(std::memory_order_relaxed);
    if (waiting && rate > 0 && !t.paused) {
        const qint64 untilStart = qMax<qint64>(0, sale.startMs() - now);
        t.estimatedWaitSeconds = qint64(std::ceil(double(v.ahead + 1) / rate + double(untilStart) / 1000.0));
    } else if (v.admitted) {
        t.estimatedWaitSeconds = 0;
    }
    t.position = waiting ? v.ahead + 1 : 0;
    t.ahead = waiting ? v.ahead : 0;
    return t;
}

HttpResponse QueueEndpoints::ticketAnswer(const SaleQueue &queue, const Sale &sale, qint64 ticket, qint64 now, int status) const
{
    return HttpResponse::text(ticketStatus(queue, sale, ticket, now).toJson(), "application/json", status)
        .withHeader("Cache-Control", "no-store");
}

void QueueEndpoints::status(const HttpRequest &request, const Responder &reply)
{
    SaleLookup::withSale(m_sales, request, reply, this, &QueueEndpoints::statusIn);
}

void QueueEndpoints::statusIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale)
{
    bool ok = false;
    const qint64 ticket = request.param(QStringLiteral("ticket")).toLongLong(&ok);
    const qint64 userId = request.principal->userId;
    const SaleQueue *queue = m_module.queues().find(sale->id());
    if (queue && queue->closed()) { // answered here, without a Reading: a closed queue stays closed
        reply.send(waitingRoomClosed(*sale));
        return;
    }
    if (ok && ticket > 0 && m_module.clustered() && !(queue && SaleQueue::Reading(*queue) && queue->ticket(ticket))) {
        // Perhaps taken on another node since this one last looked: read the database on
        // the journal's thread, then answer from memory.
        SaleQueue &q = queueOf(sale->id());
        QueueWrite w;
        w.kind = QueueWrite::Kind::Sync;
        w.queue = &q;
        m_journal.append(std::move(w), [this, &q, sale, ticket, userId, reply](bool) { answerStatus(&q, *sale, ticket, userId, reply); });
        return;
    }
    answerStatus(queue, *sale, ok ? ticket : 0, userId, reply);
}

void QueueEndpoints::answerStatus(const SaleQueue *queue, const Sale &sale, qint64 ticket, qint64 userId, const Responder &reply) const
{
    std::optional<SaleQueue::Reading> reading;
    if (queue) {
        reading.emplace(*queue);
        if (!*reading) {
            reply.send(waitingRoomClosed(sale));
            return;
        }
    }
    const TicketEntry *entry = ticket > 0 && queue ? queue->ticket(ticket) : nullptr;
    // Someone else's ticket is answered like a missing one: numbers tell nothing.
    if (!entry || entry->userId != userId) {
        reply.send(Problem::notFound(QStringLiteral("You hold no ticket %1 in sale %2.").arg(ticket).arg(sale.id())));
        return;
    }
    reply.send(ticketAnswer(*queue, sale, ticket, nowMs()));
}

void QueueEndpoints::challenge(const HttpRequest &request, const Responder &reply)
{
    SaleLookup::withSale(m_sales, request, reply, this, &QueueEndpoints::challengeIn);
}

void QueueEndpoints::challengeIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale)
{
    const int bits = m_config.proofOfWork ? m_config.proofOfWorkBits : 0;
    ProofOfWork::Challenge c;
    const QByteArray sealed = m_pow.issue(sale->id(), request.principal->userId, bits, nowMs(),
                                          qint64(m_config.challengeTtlSeconds) * 1000, &c);
    reply.send(HttpResponse::json({{QStringLiteral("challenge"), QString::fromLatin1(sealed)},
                                   {QStringLiteral("difficulty"), bits},
                                   {QStringLiteral("algorithm"), QStringLiteral("sha256-leading-zero-bits")},
                                   {QStringLiteral("howTo"), QStringLiteral("Find a nonce (a string of up to 64 bytes) such that SHA-256 of the "
                                                                            "challenge's bytes followed by the nonce's bytes starts with "
                                                                            "`difficulty` zero bits; join with {challenge, nonce}.")},
                                   {QStringLiteral("expiresAt"), isoUtc(c.expiresAtMs)}})
                   .withHeader("Cache-Control", "no-store"));
}

QJsonObject QueueEndpoints::statsJson(const SaleQueue &queue, const Sale &sale) const
{
    const QueueSettings &s = queue.settings();
    const int required = s.required.load();
    return {{QStringLiteral("saleId"), sale.id()},
            {QStringLiteral("length"), queue.issued()},
            {QStringLiteral("waiting"), queue.waiting()},
            {QStringLiteral("admitted"), queue.admittedTotal()},
            {QStringLiteral("admittedUnfinished"), queue.admittedUnfinished()},
            {QStringLiteral("normalLane"), QJsonObject{{QStringLiteral("length"), queue.laneLength(Lane::Normal)},
                                                       {QStringLiteral("admitted"), queue.laneAdmitted(Lane::Normal)}}},
            {QStringLiteral("lowLane"), QJsonObject{{QStringLiteral("length"), queue.laneLength(Lane::Low)},
                                                    {QStringLiteral("admitted"), queue.laneAdmitted(Lane::Low)}}},
            {QStringLiteral("admissionRatePerSecond"), s.admissionRatePerSecond.load()},
            {QStringLiteral("paused"), s.paused.load()},
            {QStringLiteral("required"), m_module.requiredFor(sale.id())},
            {QStringLiteral("requiredSetting"), required < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(required == 1)},
            {QStringLiteral("preQueueOrder"), orderName(s.shuffledPreQueue.load())},
            {QStringLiteral("overbookingFactor"), m_config.overbookingFactor},
            {QStringLiteral("remainingStock"), sale.remaining()},
            {QStringLiteral("soldOut"), sale.isSoldOut()},
            {QStringLiteral("serverTime"), isoUtc(nowMs())},
            {QStringLiteral("admittingNode"), m_module.admitsHere()}};
}

void QueueEndpoints::stats(const HttpRequest &request, const Responder &reply)
{
    SaleLookup::withSale(m_sales, request, reply, this, &QueueEndpoints::statsIn);
}

void QueueEndpoints::statsIn(const HttpRequest &, const Responder &reply, const std::shared_ptr<Sale> &sale)
{
    reply.send(HttpResponse::json(statsJson(queueOf(sale->id()), *sale)).withHeader("Cache-Control", "no-store"));
}

void QueueEndpoints::changeSettings(const HttpRequest &request, const Responder &reply)
{
    SaleLookup::withSale(m_sales, request, reply, this, &QueueEndpoints::changeSettingsIn);
}

void QueueEndpoints::changeSettingsIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale)
{
    HttpResponse problem;
    auto body = JsonBody::parse(request, &problem);
    if (!body) {
        reply.send(problem);
        return;
    }
    SaleQueue &queue = queueOf(sale->id());
    const QueueSettings &now = queue.settings();
    QueueWrite w;
    w.kind = QueueWrite::Kind::Settings;
    w.queue = &queue;
    w.atMs = nowMs();
    w.admissionRatePerSecond = now.admissionRatePerSecond.load();
    w.paused = now.paused.load();
    w.required = now.required.load();
    w.shuffledPreQueue = now.shuffledPreQueue.load();
    const QJsonObject &o = body->object();
    const QJsonValue rate = o.value(QStringLiteral("admissionRatePerSecond"));
    if (!rate.isUndefined()) {
        if (!rate.isDouble() || !std::isfinite(rate.toDouble()) || rate.toDouble() < 0 || rate.toDouble() > 1e6)
            body->addError(QStringLiteral("admissionRatePerSecond"), QStringLiteral("must be a number from 0 to 1000000"));
        else
            w.admissionRatePerSecond = rate.toDouble();
    }
    w.paused = body->optionalBool(QStringLiteral("paused"), w.paused);
    const QJsonValue required = o.value(QStringLiteral("required"));
    if (required.isNull())
        w.required = -1;
    else if (required.isBool())
        w.required = required.toBool() ? 1 : 0;
    else if (!required.isUndefined())
        body->addError(QStringLiteral("required"), QStringLiteral("must be true, false or null (the server's default)"));
    const QJsonValue order = o.value(QStringLiteral("preQueueOrder"));
    if (!order.isUndefined()) {
        const QString name = order.toString();
        if (name != QLatin1String("arrival") && name != QLatin1String("shuffled"))
            body->addError(QStringLiteral("preQueueOrder"), QStringLiteral("must be arrival or shuffled"));
        else if ((name == QLatin1String("shuffled")) != w.shuffledPreQueue && w.atMs >= sale->startMs())
            body->addError(QStringLiteral("preQueueOrder"), QStringLiteral("can change only before the sale starts"));
        else
            w.shuffledPreQueue = name == QLatin1String("shuffled");
    }
    if (body->hasErrors()) {
        reply.send(body->problem());
        return;
    }
    const qint64 saleId = sale->id();
    const QJsonObject logged{{QStringLiteral("saleId"), saleId}, {QStringLiteral("admissionRatePerSecond"), w.admissionRatePerSecond},
                             {QStringLiteral("paused"), w.paused}, {QStringLiteral("required"), w.required},
                             {QStringLiteral("preQueueOrder"), orderName(w.shuffledPreQueue)},
                             {QStringLiteral("by"), request.principal->email}};
    w.actor = *request.principal;
    w.auditDetails = {{QStringLiteral("from"), QJsonObject{{QStringLiteral("admissionRatePerSecond"), now.admissionRatePerSecond.load()},
                                                           {QStringLiteral("paused"), now.paused.load()}}},
                      {QStringLiteral("to"), QJsonObject{{QStringLiteral("admissionRatePerSecond"), w.admissionRatePerSecond},
                                                         {QStringLiteral("paused"), w.paused}}}};
    m_journal.append(std::move(w), [this, &queue, sale, reply, logged](bool durable) {
        if (!durable) {
            reply.send(Problem::unavailable(QStringLiteral("The settings could not be saved; nothing changed.")));
            return;
        }
        Log::info(QStringLiteral("waitingRoom.settings"), logged);
        reply.send(HttpResponse::json(statsJson(queue, *sale)).withHeader("Cache-Control", "no-store"));
    });
}
