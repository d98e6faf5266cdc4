#pragma once

#include "circuitbreaker.h"
#include "paymentgateway.h"

#include <QElapsedTimer>

#include <atomic>
#include <functional>
#include <memory>

class Metrics;

// The seed's resilience around a gateway: each call is retried up to `maxRetries`
// times when the gateway gives no usable answer (exponential backoff from
// `backoffBaseMs`, capped at `backoffMaxMs`, with jitter), and a circuit breaker counts
// the calls that still failed; while it is open, calls fail at once without reaching
// the gateway (the order fails fast and its units go back). A decline is a healthy
// answer: never retried, never counted. Time-outs are the inner gateway's.
class ResilientGateway : public PaymentGateway
{
public:
    struct Settings
    {
        int maxRetries = 3;
        int backoffBaseMs = 500;
        int backoffMaxMs = 4000;
        CircuitBreaker::Settings breaker;
    };
    ResilientGateway(std::unique_ptr<PaymentGateway> inner, Settings settings, Metrics &metrics);
    ~ResilientGateway() override;

    PaymentResult charge(const ChargeRequest &request) override;
    PaymentResult refund(const QString &idempotencyKey, qint64 amountCents) override;

    PaymentGateway &inner() { return *m_inner; }
    CircuitBreaker::State circuitState() const { return m_breaker.state(steadyMs()); }
    // Interrupts backoff waits, for a quick shutdown; calls after this do not retry.
    void stopRetrying() { m_stopping = true; }

private:
    PaymentResult call(const std::function<PaymentResult()> &attempt);
    int backoffMs(int retry) const;
    bool waitMs(int ms) const;
    qint64 steadyMs() const { return m_clock.elapsed(); }

    std::unique_ptr<PaymentGateway> m_inner;
    const Settings m_settings;
    CircuitBreaker m_breaker;
    QElapsedTimer m_clock;
    std::atomic_bool m_stopping{false};
    std::atomic<qint64> *m_retries = nullptr;
    std::atomic<qint64> *m_fastFailures = nullptr;
    std::atomic<qint64> *m_failures = nullptr;
};
