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

PaymentResult SimulatedGateway::charge(const ChargeRequest &request)
{
    pause(m_settings.latencyMs);
    const double dice = QRandomGenerator::global()->generateDouble();
    bool lostAnswer = false;
    PaymentResult answer;
    {
        QMutexLocker lock(&m_mutex);
        const auto known = m_charges.constFind(request.idempotencyKey);
        if (known != m_charges.constEnd())
            return *known; // a retry: same answer, nothing charged again
        if (dice < m_settings.errorRate)
            return PaymentResult::unavailable(QStringLiteral("simulated gateway error"));
        if (dice < m_settings.errorRate + m_settings.failureRate) {
            answer = PaymentResult::decline(QStringLiteral("card declined (simulated)"));
        } else {
            answer = PaymentResult::approve(QStringLiteral("sim-") + QUuid::createUuid().toString(QUuid::WithoutBraces));
            m_chargedTimes[request.idempotencyKey] += 1;
            lostAnswer = dice < m_settings.errorRate + m_settings.failureRate + m_settings.timeoutRate;
        }
        m_charges.insert(request.idempotencyKey, answer);
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
    QMutexLocker lock(&m_mutex);
    const auto known = m_refunds.constFind(idempotencyKey);
    if (known != m_refunds.constEnd())
        return PaymentResult::approve(*known);
    const QString id = QStringLiteral("simref-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    const auto charged = m_charges.constFind(idempotencyKey);
    if (charged == m_charges.constEnd() || !charged->approved())
        return PaymentResult::approve(QString()); // nothing was charged: nothing to give back
    m_refunds.insert(idempotencyKey, id);
    return PaymentResult::approve(id);
}

int SimulatedGateway::chargeCount() const
{
    QMutexLocker lock(&m_mutex);
    int n = 0;
    for (int times : m_chargedTimes)
        n += times;
    return n;
}

int SimulatedGateway::refundCount() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_refunds.size());
}

int SimulatedGateway::chargesFor(const QString &idempotencyKey) const
{
    QMutexLocker lock(&m_mutex);
    return m_chargedTimes.value(idempotencyKey);
}
