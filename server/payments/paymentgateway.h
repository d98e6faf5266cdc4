#pragma once

#include <QString>

// What a payment gateway answered. `Approved` and `Declined` are final answers of the
// gateway; `Unavailable` means no usable answer (error, time-out, circuit open), so the
// charge may or may not have happened at the gateway: only a retry with the same
// idempotency key can tell, and it never charges twice.
struct PaymentResult
{
    enum class Outcome { Approved, Declined, Unavailable };
    Outcome outcome = Outcome::Unavailable;
    QString paymentId; // the gateway's id of the charge or refund (Approved)
    QString detail;    // why, for logs and the order's failure reason
    bool timedOut = false;
    bool circuitOpen = false; // refused locally without calling the gateway

    bool approved() const { return outcome == Outcome::Approved; }
    static PaymentResult approve(QString id) { return {Outcome::Approved, std::move(id), {}, false, false}; }
    static PaymentResult decline(QString why) { return {Outcome::Declined, {}, std::move(why), false, false}; }
    static PaymentResult unavailable(QString why, bool timedOut = false)
    {
        return {Outcome::Unavailable, {}, std::move(why), timedOut, false};
    }
};

struct ChargeRequest
{
    QString idempotencyKey; // the order id: one charge per order, whatever the retries
    QString orderId;
    qint64 userId = 0;
    qint64 amountCents = 0;
};

// A payment gateway. Calls block the calling thread (a saga worker, never an HTTP or
// database-pool thread) for at most the configured time-out; implementations are
// thread-safe. A charge or refund repeated with the same idempotency key returns the
// first result and moves money once.
class PaymentGateway
{
public:
    virtual ~PaymentGateway() = default;
    virtual PaymentResult charge(const ChargeRequest &request) = 0;
    // Refunds the charge made with `idempotencyKey` (the order id). Refunding a charge
    // that never happened is Approved with no money moved (a void).
    virtual PaymentResult refund(const QString &idempotencyKey, qint64 amountCents) = 0;
};
