#include "answerworkloads.h"

#include "runmetrics.h"

namespace {

const std::string purchaseBody = "{\"quantity\":1}";

} // namespace

SameHeadersHealthWorkload::SameHeadersHealthWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId)
    : m_crowd(crowd)
    , m_ready(shoppersWithToken(crowd, false))
    , m_purchasePath("/sales/" + std::to_string(saleId) + "/purchase")
    , m_endpoint(metrics.endpoint(endpointName()))
{
}

bool SameHeadersHealthWorkload::next(qint64, Outgoing &out)
{
    if (m_ready.empty())
        return false;
    const qint64 n = m_sequence++;
    const qint64 i = m_ready[size_t(n % qint64(m_ready.size()))];
    const std::string &auth = m_crowd.authorization[size_t(i)];
    std::string key = "p-" + std::to_string(n);
    // The purchase this request stands for, and the same bytes to the health route: the
    // path is shorter, so the key takes up the difference.
    const size_t purchaseBytes = httpRequest("POST", m_purchasePath, auth + "Idempotency-Key: " + key + "\r\n", purchaseBody).size();
    const size_t healthBytes = httpRequest("GET", "/health/live", auth + "Idempotency-Key: " + key + "\r\n", purchaseBody).size();
    if (purchaseBytes > healthBytes)
        key.append(purchaseBytes - healthBytes, 'x');
    out.tag = i;
    out.endpoint = m_endpoint;
    out.bytes = httpRequest("GET", "/health/live", auth + "Idempotency-Key: " + key + "\r\n", purchaseBody);
    return true;
}

RepeatedAnswerWorkload::RepeatedAnswerWorkload(RunMetrics &metrics, const Crowd &crowd, const QString &endpointName, int expectedStatus,
                                               Build build, qint64 limit, bool needTicket)
    : m_ready(shoppersWithToken(crowd, needTicket))
    , m_build(std::move(build))
    , m_limit(limit)
    , m_expected(expectedStatus)
    , m_endpoint(metrics.endpoint(endpointName))
{
}

bool RepeatedAnswerWorkload::next(qint64, Outgoing &out)
{
    if (m_ready.empty() || (m_limit > 0 && m_sequence >= m_limit))
        return false;
    const qint64 n = m_sequence++;
    const qint64 i = m_ready[size_t(n % qint64(m_ready.size()))];
    out.tag = i;
    out.endpoint = m_endpoint;
    out.bytes = m_build(i, n);
    return true;
}

void RepeatedAnswerWorkload::answered(const Outgoing &, const Answer &answer, qint64)
{
    ++m_answered;
    if (answer.status != m_expected)
        ++m_unexpected[answer.status];
}

qint64 RepeatedAnswerWorkload::unexpected() const
{
    qint64 n = 0;
    for (const auto &[status, count] : m_unexpected)
        n += count;
    return n;
}

QString RepeatedAnswerWorkload::progress() const
{
    return QStringLiteral("%1 answered, %2 not %3").arg(m_answered).arg(unexpected()).arg(m_expected);
}
