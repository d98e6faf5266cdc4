#include "gatewayfactory.h"

#include "httpgateway.h"
#include "resilientgateway.h"
#include "simulatedgateway.h"

std::unique_ptr<ResilientGateway> createPaymentGateway(const ServerConfig::Payments &config, Metrics &metrics, QString *error)
{
    std::unique_ptr<PaymentGateway> inner;
    if (config.gateway == QLatin1String("simulated")) {
        SimulatedGateway::Settings s;
        s.latencyMs = config.simulatedLatencyMs;
        s.failureRate = config.simulatedFailureRate;
        s.errorRate = config.simulatedErrorRate;
        s.timeoutRate = config.simulatedTimeoutRate;
        s.timeoutMs = config.timeoutMs;
        inner = std::make_unique<SimulatedGateway>(s);
    } else if (config.gateway == QLatin1String("http")) {
        const QUrl url(config.url);
        if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty()) {
            *error = QStringLiteral("payments/url must be the gateway's http(s) URL when payments/gateway=http");
            return nullptr;
        }
        inner = std::make_unique<HttpGateway>(url, config.timeoutMs);
    } else {
        *error = QStringLiteral("payments/gateway must be simulated or http, not %1").arg(config.gateway);
        return nullptr;
    }
    ResilientGateway::Settings r;
    r.maxRetries = qMax(0, config.maxRetries);
    r.backoffBaseMs = qMax(0, config.backoffBaseMs);
    r.backoffMaxMs = qMax(r.backoffBaseMs, config.backoffMaxMs);
    r.breaker.failureThreshold = qMax(1, config.breakerFailureThreshold);
    r.breaker.windowMs = qint64(qMax(1, config.breakerWindowSeconds)) * 1000;
    r.breaker.openMs = qint64(qMax(0, config.breakerOpenSeconds)) * 1000;
    return std::make_unique<ResilientGateway>(std::move(inner), r, metrics);
}
