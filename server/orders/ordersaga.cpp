#include "ordersaga.h"

#include "core/timeutil.h"
#include "inventory/masterstock.h"
#include "outbox/outbox.h"
#include "payments/paymentgateway.h"
#include "sales/saleregistry.h"
#include "sales/unitrelease.h"
#include "storage/cachedquery.h"
#include "storage/database.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

struct OrderSaga::Reservation
{
    QString orderId;
    qint64 saleId = 0;
    qint64 userId = 0;
    int quantity = 0;
    QString status;
    bool unitsReleased = false;
    qint64 expiresAtMs = 0;
    qint64 productId = 0;
    qint64 priceCents = 0;
    qint64 totalCents() const { return priceCents * quantity; }
    QJsonObject ids() const
    {
        return {{QStringLiteral("orderId"), orderId}, {QStringLiteral("userId"), userId}, {QStringLiteral("saleId"), saleId},
                {QStringLiteral("productId"), productId}, {QStringLiteral("quantity"), quantity}};
    }
};

namespace {

QJsonObject with(QJsonObject base, const QJsonObject &more)
{
    for (auto it = more.begin(); it != more.end(); ++it)
        base.insert(it.key(), it.value());
    return base;
}

// The guarded first statement of every final transition: it takes the write lock (and
// on PostgreSQL the row lock) before anything is read, and only one racer gets 1 row.
bool finishReservation(const QSqlDatabase &db, const QString &orderId, const QString &status, qint64 now,
                       const QString &extraCondition = {})
{
    return execCached(db, QStringLiteral("UPDATE reservations SET status = ?, updated_at = ? "
                                         "WHERE reservation_id = ? AND status = 'Pending'") + extraCondition,
                      {status, now, orderId})->numRowsAffected() == 1;
}

} // namespace

OrderSaga::OrderSaga(const Database &database, SaleRegistry &registry, MasterStock &masterStock, PaymentGateway &gateway,
                     Metrics &metrics)
    : m_db(database)
    , m_registry(registry)
    , m_masterStock(masterStock)
    , m_gateway(gateway)
{
    const QString name = QStringLiteral("flashsale_orders_total");
    const QString help = QStringLiteral("Orders by final outcome.");
    m_confirmed = metrics.counter(name, help, QStringLiteral("outcome=\"confirmed\""));
    m_failed = metrics.counter(name, help, QStringLiteral("outcome=\"failed\""));
    m_expired = metrics.counter(name, help, QStringLiteral("outcome=\"expired\""));
    m_refunded = metrics.counter(name, help, QStringLiteral("outcome=\"refunded\""));
}

void OrderSaga::committed()
{
    if (m_eventsCommitted)
        m_eventsCommitted();
}

std::optional<OrderSaga::Reservation> OrderSaga::load(const QSqlDatabase &db, const QString &orderId) const
{
    CachedQuery q = execCached(db, QStringLiteral("SELECT r.sale_id, r.user_id, r.quantity, r.status, r.units_released, r.expires_at, "
                                                  "i.product_id, i.sale_price_cents FROM reservations r "
                                                  "JOIN flash_sale_items i ON i.sale_id = r.sale_id WHERE r.reservation_id = ?"),
                               {orderId});
    if (!q->next())
        return std::nullopt;
    Reservation r;
    r.orderId = orderId;
    r.saleId = q->value(0).toLongLong();
    r.userId = q->value(1).toLongLong();
    r.quantity = q->value(2).toInt();
    r.status = q->value(3).toString();
    r.unitsReleased = q->value(4).toInt() != 0;
    r.expiresAtMs = q->value(5).toLongLong();
    r.productId = q->value(6).toLongLong();
    r.priceCents = q->value(7).toLongLong();
    return r;
}

void OrderSaga::ensureOrder(const QSqlDatabase &db, const Reservation &r, const QString &status, qint64 now) const
{
    // One statement for "create it, or move the one a crashed attempt left": no SELECT
    // first. The item's unique index (order_items_one_per_order) keeps a repeat to one row.
    execCached(db, QStringLiteral("INSERT INTO orders(order_id, user_id, sale_id, order_date, order_total_cents, status, updated_at) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?) "
                                  "ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at"),
               {r.orderId, r.userId, r.saleId, now, r.totalCents(), status, now});
    execCached(db, QStringLiteral("INSERT INTO order_items(order_id, product_id, quantity, price_paid_cents) VALUES (?, ?, ?, ?) "
                                  "ON CONFLICT (order_id) DO NOTHING"),
               {r.orderId, r.productId, r.quantity, r.priceCents});
}

void OrderSaga::process(const QString &orderId)
{
    std::optional<Reservation> r;
    try {
        QSqlDatabase db = m_db.connection();
        r = load(db, orderId);
        if (!r || r->status != QLatin1String("Pending"))
            return;
        if (nowMs() >= r->expiresAtMs) {
            expire(orderId);
            return;
        }
        // Claim: the order exists (Pending) and a charge may now be in flight.
        const qint64 now = nowMs();
        const bool claimed = inTransaction(db, [&] {
            if (!execCached(db, QStringLiteral("UPDATE reservations SET updated_at = ? WHERE reservation_id = ? AND status = 'Pending'"),
                            {now, orderId})->numRowsAffected())
                return false;
            ensureOrder(db, *r, QStringLiteral("Pending"), now);
            // A claim after a crash counts one more attempt on the payment row it left.
            execCached(db, QStringLiteral("INSERT INTO payments(order_id, amount_cents, status, attempts, created_at, updated_at) "
                                          "VALUES (?, ?, 'Charging', 1, ?, ?) "
                                          "ON CONFLICT (order_id) DO UPDATE SET attempts = payments.attempts + 1, updated_at = EXCLUDED.updated_at"),
                       {orderId, r->totalCents(), now, now});
            return true;
        });
        if (!claimed)
            return;
    } catch (const DatabaseError &e) {
        Log::error(QStringLiteral("order.claim.failed"), {{QStringLiteral("orderId"), orderId}, {QStringLiteral("error"), e.message}});
        return; // the poller offers it again
    }

    const PaymentResult paid = m_gateway.charge({orderId, orderId, r->userId, r->totalCents()});
    try {
        switch (paid.outcome) {
        case PaymentResult::Outcome::Approved:
            if (!confirm(*r, paid.paymentId))
                voidCharge(orderId); // someone finished it first (expired, compensated): give the money back
            break;
        case PaymentResult::Outcome::Declined:
            fail(*r, paid.detail, QStringLiteral("Declined"));
            break;
        case PaymentResult::Outcome::Unavailable:
            // No usable answer: a charge may exist at the gateway (a lost answer, or an
            // attempt before a restart). Mark it uncertain and void it by its key; if
            // the gateway cannot be reached now, the sweep voids it later.
            fail(*r, paid.circuitOpen ? QStringLiteral("payment service unavailable (circuit open)") : paid.detail,
                 QStringLiteral("Uncertain"));
            voidCharge(orderId);
            break;
        }
    } catch (const DatabaseError &e) {
        Log::error(QStringLiteral("order.finish.failed"), {{QStringLiteral("orderId"), orderId}, {QStringLiteral("error"), e.message}});
    }
}

bool OrderSaga::confirm(const Reservation &r, const QString &paymentId)
{
    QSqlDatabase db = m_db.connection();
    const qint64 now = nowMs();
    const bool won = inTransaction(db, [&] {
        if (!finishReservation(db, r.orderId, QStringLiteral("Confirmed"), now, QStringLiteral(" AND units_released = 0"))) {
            execCached(db, QStringLiteral("UPDATE payments SET status = 'Approved', payment_id = ?, updated_at = ? WHERE order_id = ?"),
                       {paymentId, now, r.orderId});
            return false;
        }
        execCached(db, QStringLiteral("UPDATE orders SET status = 'Confirmed', payment_id = ?, updated_at = ? WHERE order_id = ?"),
                   {paymentId, now, r.orderId});
        execCached(db, QStringLiteral("UPDATE payments SET status = 'Approved', payment_id = ?, updated_at = ? WHERE order_id = ?"),
                   {paymentId, now, r.orderId});
        // The master-stock commitment, once: the PRIMARY KEY refuses a second row.
        execCached(db, QStringLiteral("INSERT INTO stock_commitments(order_id, sale_id, product_id, quantity, committed_at) VALUES (?, ?, ?, ?, ?)"),
                   {r.orderId, r.saleId, r.productId, r.quantity, now});
        const double amount = centsToAmount(r.totalCents());
        Outbox::append(db, r.orderId,
                       {{Outbox::Type::PaymentProcessed,
                         with(r.ids(), {{QStringLiteral("paymentId"), paymentId}, {QStringLiteral("status"), QStringLiteral("Success")},
                                        {QStringLiteral("amount"), amount}})},
                        {Outbox::Type::OrderConfirmed,
                         with(r.ids(), {{QStringLiteral("status"), QStringLiteral("Confirmed")}, {QStringLiteral("paymentId"), paymentId},
                                        {QStringLiteral("finalPrice"), amount}, {QStringLiteral("purchaseTime"), isoUtc(now)}})}},
                       now);
        return true;
    });
    if (won) {
        m_confirmed->fetch_add(1, std::memory_order_relaxed);
        Log::info(QStringLiteral("order.confirmed"), {{QStringLiteral("orderId"), r.orderId}, {QStringLiteral("paymentId"), paymentId}});
        committed();
    }
    return won;
}

bool OrderSaga::fail(const Reservation &r, const QString &reason, const QString &paymentStatus)
{
    QSqlDatabase db = m_db.connection();
    const qint64 now = nowMs();
    std::optional<ReleasedUnits> released;
    const bool won = inTransaction(db, [&] {
        const bool first = finishReservation(db, r.orderId, QStringLiteral("Failed"), now);
        if (!paymentStatus.isEmpty())
            execCached(db, QStringLiteral("UPDATE payments SET status = ?, updated_at = ? WHERE order_id = ?"), {paymentStatus, now, r.orderId});
        if (!first)
            return false;
        ensureOrder(db, r, QStringLiteral("Failed"), now);
        execCached(db, QStringLiteral("UPDATE orders SET failure_reason = ? WHERE order_id = ?"), {reason, r.orderId});
        released = UnitRelease::releaseInTransaction(db, r.orderId, QString(), now);
        std::vector<Outbox::Event> events = {
            {Outbox::Type::PaymentProcessed,
             with(r.ids(), {{QStringLiteral("paymentId"), QString()}, {QStringLiteral("status"), QStringLiteral("Failed")},
                            {QStringLiteral("amount"), centsToAmount(r.totalCents())}, {QStringLiteral("reason"), reason}})},
            {Outbox::Type::OrderFailed, with(r.ids(), {{QStringLiteral("status"), QStringLiteral("Failed")}, {QStringLiteral("reason"), reason}})}};
        if (released)
            events.push_back({Outbox::Type::StockReleased,
                              with(r.ids(), {{QStringLiteral("destination"), QStringLiteral("sale")}, {QStringLiteral("reason"), QStringLiteral("failed")}})});
        Outbox::append(db, r.orderId, events, now);
        return true;
    });
    if (released)
        UnitRelease::applyToMemory(m_registry, *released);
    if (won) {
        m_failed->fetch_add(1, std::memory_order_relaxed);
        Log::info(QStringLiteral("order.failed"), {{QStringLiteral("orderId"), r.orderId}, {QStringLiteral("reason"), reason}});
        committed();
    }
    return won;
}

bool OrderSaga::expire(const QString &orderId)
{
    QSqlDatabase db = m_db.connection();
    const qint64 now = nowMs();
    std::optional<ReleasedUnits> released;
    std::optional<Reservation> r;
    const bool won = inTransaction(db, [&] {
        if (execCached(db, QStringLiteral("UPDATE reservations SET status = 'Expired', updated_at = ? "
                                          "WHERE reservation_id = ? AND status = 'Pending' AND expires_at <= ?"),
                       {now, orderId, now})->numRowsAffected() != 1)
            return false;
        r = load(db, orderId);
        ensureOrder(db, *r, QStringLiteral("Expired"), now);
        execCached(db, QStringLiteral("UPDATE orders SET failure_reason = ? WHERE order_id = ?"),
                   {QStringLiteral("reservation expired before payment"), orderId});
        released = UnitRelease::releaseInTransaction(db, orderId, QString(), now);
        std::vector<Outbox::Event> events = {
            {Outbox::Type::ReservationExpired,
             with(r->ids(), {{QStringLiteral("status"), QStringLiteral("Expired")}, {QStringLiteral("expiresAt"), isoUtc(r->expiresAtMs)}})}};
        if (released)
            events.push_back({Outbox::Type::StockReleased,
                              with(r->ids(), {{QStringLiteral("destination"), QStringLiteral("sale")}, {QStringLiteral("reason"), QStringLiteral("expired")}})});
        Outbox::append(db, orderId, events, now);
        return true;
    });
    if (released)
        UnitRelease::applyToMemory(m_registry, *released);
    if (won) {
        m_expired->fetch_add(1, std::memory_order_relaxed);
        Log::info(QStringLiteral("order.expired"), {{QStringLiteral("orderId"), orderId}});
        committed();
    }
    return won;
}

OrderSaga::Answer OrderSaga::compensate(const QString &orderId)
{
    try {
        QSqlDatabase db = m_db.connection();
        const std::optional<Reservation> r = load(db, orderId);
        if (!r)
            return {Result::NotFound, QStringLiteral("No order %1.").arg(orderId)};
        if (r->status == QLatin1String("Confirmed"))
            return {Result::Conflict, QStringLiteral("The order is confirmed and paid; refund it instead.")};
        if (r->status == QLatin1String("Pending")) {
            if (fail(*r, QStringLiteral("compensated by an administrator"), QString()))
                return {};
        }
        // Failed or Expired (now or before): make sure the units are back, once.
        std::optional<ReleasedUnits> released;
        inTransaction(db, [&] {
            if (execCached(db, QStringLiteral("UPDATE reservations SET updated_at = updated_at WHERE reservation_id = ? AND units_released = 0 "
                                              "AND status IN ('Failed', 'Expired')"), {orderId})->numRowsAffected() != 1)
                return;
            released = UnitRelease::releaseInTransaction(db, orderId, QString(), nowMs());
            if (released)
                Outbox::append(db, Outbox::Type::StockReleased, orderId,
                               with(r->ids(), {{QStringLiteral("destination"), QStringLiteral("sale")}, {QStringLiteral("reason"), QStringLiteral("compensated")}}), nowMs());
        });
        if (released) {
            UnitRelease::applyToMemory(m_registry, *released);
            committed();
        }
        return {};
    } catch (const DatabaseError &e) {
        Log::error(QStringLiteral("order.compensate.failed"), {{QStringLiteral("orderId"), orderId}, {QStringLiteral("error"), e.message}});
        return {Result::Unavailable, QStringLiteral("The database is unavailable; try again.")};
    }
}

OrderSaga::Answer OrderSaga::refund(const QString &orderId)
{
    try {
        QSqlDatabase db = m_db.connection();
        const std::optional<Reservation> r = load(db, orderId);
        if (!r)
            return {Result::NotFound, QStringLiteral("No order %1.").arg(orderId)};
        if (r->status != QLatin1String("Confirmed"))
            return {Result::Conflict, QStringLiteral("Only a confirmed order can be refunded; this one is %1.").arg(r->status)};
        {
            CachedQuery done = execCached(db, QStringLiteral("SELECT refunded_at FROM orders WHERE order_id = ?"), {orderId});
            if (done->next() && !done->value(0).isNull())
                return {}; // already refunded: the same answer, no second refund
        }
        const PaymentResult back = m_gateway.refund(orderId, r->totalCents());
        if (!back.approved())
            return {Result::Unavailable, QStringLiteral("The payment gateway did not refund: %1. Try again.").arg(back.detail)};
        const qint64 now = nowMs();
        const auto sale = m_registry.find(r->saleId);
        const bool toSale = sale && sale->isOpenAt(now);
        std::optional<ReleasedUnits> released;
        bool toMaster = false;
        inTransaction(db, [&] {
            if (execCached(db, QStringLiteral("UPDATE orders SET refunded_at = ?, refund_id = ?, updated_at = ? WHERE order_id = ? AND refunded_at IS NULL"),
                           {now, back.paymentId, now, orderId})->numRowsAffected() != 1)
                return; // a concurrent call refunded it (the gateway refunded once: same key)
            execCached(db, QStringLiteral("UPDATE payments SET status = 'Refunded', refund_id = ?, updated_at = ? WHERE order_id = ?"),
                       {back.paymentId, now, orderId});
            if (toSale) {
                released = UnitRelease::releaseInTransaction(db, orderId, QString(), now);
            } else {
                execCached(db, QStringLiteral("UPDATE inventory SET stock_quantity = stock_quantity + ? WHERE product_id = ?"),
                           {r->quantity, r->productId});
                toMaster = true;
            }
            const QString destination = toSale ? QStringLiteral("sale") : QStringLiteral("master");
            execCached(db, QStringLiteral("UPDATE stock_commitments SET returned_at = ?, returned_to = ? WHERE order_id = ?"),
                       {now, destination, orderId});
            Outbox::append(db, orderId,
                           {{Outbox::Type::OrderRefunded,
                             with(r->ids(), {{QStringLiteral("status"), QStringLiteral("Confirmed")}, {QStringLiteral("refunded"), true},
                                             {QStringLiteral("refundId"), back.paymentId}, {QStringLiteral("amount"), centsToAmount(r->totalCents())}})},
                            {Outbox::Type::StockReleased,
                             with(r->ids(), {{QStringLiteral("destination"), destination}, {QStringLiteral("reason"), QStringLiteral("refunded")}})}},
                           now);
        });
        if (released)
            UnitRelease::applyToMemory(m_registry, *released);
        if (toMaster)
            m_masterStock.add(r->productId, r->quantity);
        if (released || toMaster) {
            m_refunded->fetch_add(1, std::memory_order_relaxed);
            Log::info(QStringLiteral("order.refunded"), {{QStringLiteral("orderId"), orderId}, {QStringLiteral("toSale"), toSale}});
            committed();
        }
        return {};
    } catch (const DatabaseError &e) {
        Log::error(QStringLiteral("order.refund.failed"), {{QStringLiteral("orderId"), orderId}, {QStringLiteral("error"), e.message}});
        return {Result::Unavailable, QStringLiteral("The database is unavailable; try again.")};
    }
}

void OrderSaga::voidCharge(const QString &orderId)
{
    try {
        QSqlDatabase db = m_db.connection();
        CachedQuery q = execCached(db, QStringLiteral("SELECT p.amount_cents FROM payments p JOIN reservations r ON r.reservation_id = p.order_id "
                                                      "WHERE p.order_id = ? AND p.status IN ('Approved', 'Uncertain', 'Charging') "
                                                      "AND r.status IN ('Failed', 'Expired')"), {orderId});
        if (!q->next())
            return;
        const PaymentResult back = m_gateway.refund(orderId, q->value(0).toLongLong());
        if (!back.approved()) {
            Log::warning(QStringLiteral("payment.void.failed"), {{QStringLiteral("orderId"), orderId}, {QStringLiteral("error"), back.detail}});
            return; // the sweep tries again
        }
        execCached(db, QStringLiteral("UPDATE payments SET status = ?, refund_id = ?, updated_at = ? WHERE order_id = ?"),
                   {back.paymentId.isEmpty() ? QStringLiteral("Voided") : QStringLiteral("Refunded"), back.paymentId, nowMs(), orderId});
        Log::info(QStringLiteral("payment.voided"), {{QStringLiteral("orderId"), orderId}, {QStringLiteral("refundId"), back.paymentId}});
    } catch (const DatabaseError &e) {
        Log::error(QStringLiteral("payment.void.failed"), {{QStringLiteral("orderId"), orderId}, {QStringLiteral("error"), e.message}});
    }
}
