#include "resilientgateway.h"

#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QRandomGenerator>

#include <chrono>
#include <thread>

ResilientGateway::ResilientGateway(std::unique_ptr<PaymentGateway> inner, Settings settings, Metrics &metrics)
    : m_inner(std::move(inner))
    , m_settings(settings)
    , m_breaker(settings.breaker)
{
    m_clock.start();
    const QString name = QStringLiteral("flashsale_payment_calls_total");
    const QString help = QStringLiteral("Payment gateway calls by what the resilience layer did.");
    m_retries = metrics.counter(name, help, QStringLiteral("result=\"retried\""));
    m_fastFailures = metrics.counter(name, help, QStringLiteral("result=\"circuit_open\""));
    m_failures = metrics.counter(name, help, QStringLiteral("result=\"failed_after_retries\""));
    metrics.gauge(QStringLiteral("flashsale_payment_circuit_open"), QStringLiteral("1 while the payment circuit breaker is open or half-open."),
                  [this] { return circuitState() == CircuitBreaker::State::Closed ? 0.0 : 1.0; });
    metrics.gauge(QStringLiteral("flashsale_payment_circuit_opened_total"), QStringLiteral("Times the payment circuit breaker opened."),
                  [this] { return double(m_breaker.timesOpened()); });
    metrics.gauge(QStringLiteral("flashsale_payment_circuit_closed_total"), QStringLiteral("Times the payment circuit breaker closed again."),
                  [this] { return double(m_breaker.timesClosed()); });
}

ResilientGateway::~ResilientGateway() = default;

PaymentResult ResilientGateway::charge(const ChargeRequest &request)
{
    return call([this, &request] { return m_inner->charge(request); });
}

PaymentResult ResilientGateway::refund(const QString &idempotencyKey, qint64 amountCents)
{
    return call([this, &idempotencyKey, amountCents] { return m_inner->refund(idempotencyKey, amountCents); });
}

PaymentResult ResilientGateway::call(const std::function<PaymentResult()> &attempt)
{
    if (!m_breaker.allow(steadyMs())) {
        m_fastFailures->fetch_add(1, std::memory_order_relaxed);
        PaymentResult r = PaymentResult::unavailable(QStringLiteral("payment circuit open"));
        r.circuitOpen = true;
        return r;
    }
    PaymentResult last;
    bool anyTimeout = false;
    for (int retry = 0;; ++retry) {
        last = attempt();
        anyTimeout = anyTimeout || last.timedOut;
        if (last.outcome != PaymentResult::Outcome::Unavailable) {
            m_breaker.recordSuccess(steadyMs());
            return last;
        }
        if (retry >= m_settings.maxRetries || m_stopping.load())
            break;
        m_retries->fetch_add(1, std::memory_order_relaxed);
        if (!waitMs(backoffMs(retry)))
            break;
    }
    m_failures->fetch_add(1, std::memory_order_relaxed);
    const auto before = m_breaker.state(steadyMs());
    m_breaker.recordFailure(steadyMs());
    if (before == CircuitBreaker::State::Closed && m_breaker.state(steadyMs()) != CircuitBreaker::State::Closed)
        Log::warning(QStringLiteral("payment.circuit.opened"), {{QStringLiteral("lastError"), last.detail}});
    last.timedOut = anyTimeout; // the charge may have happened in any attempt that timed out
    return last;
}

int ResilientGateway::backoffMs(int retry) const
{
    // base * 2^retry, capped, then "equal jitter": half fixed, half random, so that
    // workers that failed together do not retry together.
    const qint64 full = qMin<qint64>(qint64(m_settings.backoffBaseMs) << qMin(retry, 20), m_settings.backoffMaxMs);
    const qint64 half = full / 2;
    return int(half + (half > 0 ? QRandomGenerator::global()->bounded(half + 1) : 0));
}

bool ResilientGateway::waitMs(int ms) const
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
        if (m_stopping.load())
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(qMin(ms, 20)));
    }
    return true;
}
