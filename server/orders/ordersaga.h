#pragma once

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <optional>

class Database;
class MasterStock;
class Metrics;
class PaymentGateway;
class SaleRegistry;

// The order saga for one reservation (order id = reservation id), run by a saga worker:
//
//   claim:   order row (Pending), its item and a payment row (Charging), one transaction
//   charge:  the gateway, idempotency key = order id (retries and breaker around it)
//   confirm: reservation and order Confirmed, payment Approved, the sold units recorded
//            once (stock_commitments), PaymentProcessed + OrderConfirmed: one transaction
//   or fail: reservation and order Failed, units back (UnitRelease) and
//            PaymentProcessed + OrderFailed + StockReleased: one transaction; then the
//            units go back into the sale's memory so they can be bought again.
//
// Every final transition starts with a guarded UPDATE of the reservation
// (status = 'Pending'): of two racers (a worker confirming, the reaper expiring, an
// admin compensating, two nodes) exactly one wins; the loser changes nothing. A charge
// that succeeds for a reservation someone else finished is refunded.
class OrderSaga
{
public:
    enum class Result { Done, NotFound, Conflict, Unavailable };
    struct Answer
    {
        Result result = Result::Done;
        QString detail;
    };

    OrderSaga(const Database &database, SaleRegistry &registry, MasterStock &masterStock, PaymentGateway &gateway,
              Metrics &metrics);

    // Called after every commit that wrote outbox events.
    void setEventsCommitted(std::function<void()> callback) { m_eventsCommitted = std::move(callback); }

    // Runs the saga for a reservation to its end (worker thread). Safe to call again
    // for the same order: a finished one is left alone, a pending one is charged again
    // with the same key.
    void process(const QString &orderId);
    // Expires one reservation past its time, if still pending.
    bool expire(const QString &orderId);
    // Admin: releases a reservation still pending (order Failed, units back). Idempotent.
    Answer compensate(const QString &orderId);
    // Admin: refunds a confirmed order through the gateway and returns its units (to
    // the sale if it is still open, else to master stock). Idempotent.
    Answer refund(const QString &orderId);
    // Gives back a charge that a finished (failed, expired) order should not keep:
    // approved after expiry, or uncertain after time-outs.
    void voidCharge(const QString &orderId);

private:
    struct Reservation;
    std::optional<Reservation> load(const QSqlDatabase &db, const QString &orderId) const;
    void ensureOrder(const QSqlDatabase &db, const Reservation &r, const QString &status, qint64 now) const;
    bool confirm(const Reservation &r, const QString &paymentId);
    bool fail(const Reservation &r, const QString &reason, const QString &paymentStatus);
    void committed();

    const Database &m_db;
    SaleRegistry &m_registry;
    MasterStock &m_masterStock;
    PaymentGateway &m_gateway;
    std::function<void()> m_eventsCommitted;
    std::atomic<qint64> *m_confirmed = nullptr;
    std::atomic<qint64> *m_failed = nullptr;
    std::atomic<qint64> *m_expired = nullptr;
    std::atomic<qint64> *m_refunded = nullptr;
};
