#include "steadyworkloads.h"

#include "runmetrics.h"

HealthWorkload::HealthWorkload(RunMetrics &metrics)
    : m_request(httpRequest("GET", "/health/live"))
    , m_endpoint(metrics.endpoint(QStringLiteral("GET /health/live")))
{
}

bool HealthWorkload::next(qint64, Outgoing &out)
{
    out.bytes = m_request;
    out.endpoint = m_endpoint;
    return true;
}

PurchaseWorkload::PurchaseWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId, const std::string &keyPrefix)
    : m_crowd(crowd)
    , m_ready(shoppersWithToken(crowd, false))
    , m_path("/sales/" + std::to_string(saleId) + "/purchase")
    , m_keyPrefix(keyPrefix)
    , m_endpoint(metrics.endpoint(QStringLiteral("POST /sales/{id}/purchase")))
{
}

bool PurchaseWorkload::next(qint64, Outgoing &out)
{
    if (m_ready.empty())
        return false;
    const qint64 n = m_sequence++;
    const qint64 i = m_ready[size_t(n % qint64(m_ready.size()))];
    out.tag = i;
    out.endpoint = m_endpoint;
    out.bytes = httpRequest("POST", m_path, m_crowd.authorization[size_t(i)] + "Idempotency-Key: " + m_keyPrefix + std::to_string(n) + "\r\n",
                            "{\"quantity\":1}");
    return true;
}

void PurchaseWorkload::answered(const Outgoing &, const Answer &answer, qint64)
{
    if (answer.status != 202)
        return;
    const std::string_view id = jsonString(answer.body, "orderId");
    m_accepted.insert(QString::fromLatin1(id.data(), qsizetype(id.size())));
    ++m_acceptedCount;
}

void PurchaseWorkload::eachSecond(qint64 second, RunMetrics &metrics)
{
    metrics.setGauge(second, QStringLiteral("orders accepted"), double(m_acceptedCount));
}

QString PurchaseWorkload::progress() const
{
    return QStringLiteral("accepted %1").arg(m_acceptedCount);
}

SoldOutWorkload::SoldOutWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId)
    : m_crowd(crowd)
    , m_ready(shoppersWithToken(crowd, false))
    , m_path("/sales/" + std::to_string(saleId))
    , m_joinEndpoint(metrics.endpoint(QStringLiteral("POST /sales/{id}/queue")))
    , m_buyEndpoint(metrics.endpoint(QStringLiteral("POST /sales/{id}/purchase")))
{
}

bool SoldOutWorkload::next(qint64, Outgoing &out)
{
    if (m_ready.empty())
        return false;
    const qint64 n = m_sequence++;
    const qint64 i = m_ready[size_t((n / 2) % qint64(m_ready.size()))];
    out.tag = i;
    const std::string &auth = m_crowd.authorization[size_t(i)];
    if (n % 2 == 0) {
        out.endpoint = m_joinEndpoint;
        out.bytes = httpRequest("POST", m_path + "/queue", auth);
    } else {
        out.endpoint = m_buyEndpoint;
        out.bytes = httpRequest("POST", m_path + "/purchase", auth + "Idempotency-Key: late-" + std::to_string(n) + "\r\n", "{\"quantity\":1}");
    }
    return true;
}

void SoldOutWorkload::answered(const Outgoing &, const Answer &answer, qint64)
{
    if (answer.status >= 200 && answer.status < 300)
        ++m_unexpected;
}

BrowseWorkload::BrowseWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId, qint64 productId)
    : m_crowd(crowd)
    , m_ticketed(shoppersWithToken(crowd, true))
    , m_salePath("/sales/" + std::to_string(saleId))
    , m_fixed{httpRequest("GET", "/sales"), httpRequest("GET", m_salePath), httpRequest("GET", "/products/" + std::to_string(productId))}
    , m_endpoints{metrics.endpoint(QStringLiteral("GET /sales")), metrics.endpoint(QStringLiteral("GET /sales/{id}")),
                  metrics.endpoint(QStringLiteral("GET /products/{id}")), metrics.endpoint(QStringLiteral("GET /sales/{id}/queue/{ticket}"))}
{
}

bool BrowseWorkload::next(qint64, Outgoing &out)
{
    const qint64 n = m_sequence++;
    const int kind = int(n % 4);
    out.endpoint = m_endpoints[kind];
    if (kind < 3 || m_ticketed.empty()) {
        out.bytes = m_fixed[kind % 3];
        out.endpoint = m_endpoints[kind % 3];
        return true;
    }
    const qint64 i = m_ticketed[size_t((n / 4) % qint64(m_ticketed.size()))];
    out.bytes = httpRequest("GET", m_salePath + "/queue/" + std::to_string(m_crowd.tickets[size_t(i)]), m_crowd.authorization[size_t(i)]);
    return true;
}
