#pragma once

#include "paymentgateway.h"

#include <QHash>
#include <QMutex>
#include <QUuid>

// The built-in gateway: no network, answers after `latencyMs`. `failureRate` of new
// charges are declined (the card is refused: final), `errorRate` answer a gateway error
// and `timeoutRate` hang for `timeoutMs` and give no answer, although the charge was
// made (the lost-answer case that idempotency keys exist for). A charge repeated with
// a key it knows returns the first answer and charges nothing more.
class SimulatedGateway : public PaymentGateway
{
public:
    struct Settings
    {
        int latencyMs = 50;
        double failureRate = 0.0;
        double errorRate = 0.0;
        double timeoutRate = 0.0;
        int timeoutMs = 5000;
    };
    explicit SimulatedGateway(Settings settings) : m_settings(settings) {}

    PaymentResult charge(const ChargeRequest &request) override;
    PaymentResult refund(const QString &idempotencyKey, qint64 amountCents) override;

    // For tests and the console: money actually moved.
    int chargeCount() const;
    int refundCount() const;
    int chargesFor(const QString &idempotencyKey) const;

private:
    // What the gateway remembers of one key: a few bytes, as it keeps one per order for
    // as long as the server runs. The ids it hands out are derived from the key.
    struct Record
    {
        bool approved = false;  // the first final answer: approved, else declined
        bool refunded = false;
        quint16 timesCharged = 0; // money moved (must stay 1)
    };
    static QUuid keyOf(const QString &idempotencyKey);
    void pause(int ms) const;
    const Settings m_settings;
    mutable QMutex m_mutex;
    QHash<QUuid, Record> m_records;
    int m_refundCount = 0;
};
