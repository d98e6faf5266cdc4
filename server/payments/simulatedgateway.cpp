#include "simulatedgateway.h"

#include <QRandomGenerator>
#include <QUuid>

#include <chrono>
#include <thread>

void SimulatedGateway::pause(int ms) const
{
    if (ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

namespace {
// Name-based (SHA-1) UUIDs: the same key always gives the same ids.
const QUuid keyNamespace = QUuid::fromString(QLatin1String("6d1b5a9e-3f1c-4c1e-9a57-0c2f54b1d001"));
const QUuid chargeNamespace = QUuid::fromString(QLatin1String("6d1b5a9e-3f1c-4c1e-9a57-0c2f54b1d002"));
const QUuid refundNamespace = QUuid::fromString(QLatin1String("6d1b5a9e-3f1c-4c1e-9a57-0c2f54b1d003"));

QString chargeIdOf(const QUuid &key)
{
    return QStringLiteral("sim-") + QUuid::createUuidV5(chargeNamespace, key.toRfc4122()).toString(QUuid::WithoutBraces);
}

QString refundIdOf(const QUuid &key)
{
    return QStringLiteral("simref-") + QUuid::createUuidV5(refundNamespace, key.toRfc4122()).toString(QUuid::WithoutBraces);
}

PaymentResult declined()
{
    return PaymentResult::decline(QStringLiteral("card declined (simulated)"));
}
} // namespace

QUuid SimulatedGateway::keyOf(const QString &idempotencyKey)
{
    // Order ids are UUIDs already; any other key is named into one.
    const QUuid parsed = QUuid::fromString(idempotencyKey);
    return parsed.isNull() ? QUuid::createUuidV5(keyNamespace, idempotencyKey) : parsed;
}

PaymentResult SimulatedGateway::charge(const ChargeRequest &request)
{
    pause(m_settings.latencyMs);
    const double dice = QRandomGenerator::global()->generateDouble();
    const QUuid key = keyOf(request.idempotencyKey);
    bool lostAnswer = false;
    PaymentResult answer;
    {
        QMutexLocker lock(&m_mutex);
        const auto known = m_records.constFind(key);
        if (known != m_records.constEnd())
            return known->approved ? PaymentResult::approve(chargeIdOf(key)) : declined(); // a retry: nothing charged again
        if (dice < m_settings.errorRate)
            return PaymentResult::unavailable(QStringLiteral("simulated gateway error"));
        Record record;
        if (dice < m_settings.errorRate + m_settings.failureRate) {
            answer = declined();
        } else {
            answer = PaymentResult::approve(chargeIdOf(key));
            record.approved = true;
            record.timesCharged = 1;
            lostAnswer = dice < m_settings.errorRate + m_settings.failureRate + m_settings.timeoutRate;
        }
        m_records.insert(key, record);
    }
    if (lostAnswer) {
        pause(m_settings.timeoutMs);
        return PaymentResult::unavailable(QStringLiteral("simulated gateway time-out"), true);
    }
    return answer;
}

PaymentResult SimulatedGateway::refund(const QString &idempotencyKey, qint64 amountCents)
{
    Q_UNUSED(amountCents)
    pause(m_settings.latencyMs);
    const QUuid key = keyOf(idempotencyKey);
    QMutexLocker lock(&m_mutex);
    const auto charged = m_records.find(key);
    if (charged == m_records.end() || !charged->approved)
        return PaymentResult::approve(QString()); // nothing was charged: nothing to give back
    if (!charged->refunded) {
        charged->refunded = true;
        ++m_refundCount;
    }
    return PaymentResult::approve(refundIdOf(key));
}

int SimulatedGateway::chargeCount() const
{
    QMutexLocker lock(&m_mutex);
    int n = 0;
    for (const Record &r : m_records)
        n += r.timesCharged;
    return n;
}

int SimulatedGateway::refundCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_refundCount;
}

int SimulatedGateway::chargesFor(const QString &idempotencyKey) const
{
    QMutexLocker lock(&m_mutex);
    return m_records.value(keyOf(idempotencyKey)).timesCharged;
}
