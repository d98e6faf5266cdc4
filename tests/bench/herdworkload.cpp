#include "herdworkload.h"

#include "runmetrics.h"

HerdWorkload::HerdWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId, qint64 units, int pollIntervalMs, qint64 startNs)
    : m_crowd(crowd)
    , m_salePath("/sales/" + std::to_string(saleId))
    , m_units(units)
    , m_pollNs(qint64(pollIntervalMs) * 1000000)
    , m_startNs(startNs)
    , m_shoppers(crowd.authorization.size())
    , m_pollEndpoint(metrics.endpoint(QStringLiteral("GET /sales/{id}/queue/{ticket}")))
    , m_buyEndpoint(metrics.endpoint(QStringLiteral("POST /sales/{id}/purchase")))
{
    for (qint64 i = 0; i < qint64(m_shoppers.size()); ++i) {
        if (crowd.tickets[size_t(i)] > 0) {
            m_polls.emplace_back(startNs, i);
            ++m_count;
        } else {
            m_shoppers[size_t(i)].finished = true;
        }
    }
}

bool HerdWorkload::next(qint64 nowNs, Outgoing &out)
{
    qint64 i = -1;
    int kind = 0;
    if (!m_buyers.empty()) {
        i = m_buyers.front();
        m_buyers.pop_front();
        kind = Buy;
    } else if (!m_retries.empty() && m_retries.front().first <= nowNs) {
        i = m_retries.front().second;
        m_retries.pop_front();
        kind = Buy;
    } else if (!m_polls.empty() && m_polls.front().first <= nowNs) {
        i = m_polls.front().second;
        m_polls.pop_front();
        kind = Poll;
    } else {
        return false;
    }
    out.tag = i;
    out.kind = kind;
    const std::string &auth = m_crowd.authorization[size_t(i)];
    if (kind == Poll) {
        out.endpoint = m_pollEndpoint;
        out.bytes = httpRequest("GET", m_salePath + "/queue/" + std::to_string(m_crowd.tickets[size_t(i)]), auth);
    } else {
        out.endpoint = m_buyEndpoint;
        // One key per shopper: a retry after a lost answer or a 503 is the same purchase.
        out.bytes = httpRequest("POST", m_salePath + "/purchase",
                                auth + "Idempotency-Key: herd-" + std::to_string(i) + "\r\nAdmission-Token: "
                                    + m_shoppers[size_t(i)].admissionToken + "\r\n",
                                "{\"quantity\":1}");
    }
    return true;
}

void HerdWorkload::finish(qint64 i)
{
    Shopper &s = m_shoppers[size_t(i)];
    if (!s.finished) {
        s.finished = true;
        ++m_finished;
    }
}

void HerdWorkload::retry(qint64 i, int kind, qint64 nowNs)
{
    Shopper &s = m_shoppers[size_t(i)];
    if (++s.attempts > 5) {
        ++m_gaveUp;
        finish(i);
        return;
    }
    if (kind == Buy)
        m_retries.emplace_back(nowNs + 200000000, i);
    else
        m_polls.emplace_back(nowNs + m_pollNs, i);
}

void HerdWorkload::answered(const Outgoing &request, const Answer &answer, qint64 nowNs)
{
    const qint64 i = request.tag;
    Shopper &s = m_shoppers[size_t(i)];
    if (s.finished)
        return;
    if (request.kind == Poll) {
        if (answer.status != 200) {
            retry(i, Poll, nowNs);
            return;
        }
        const std::string_view status = jsonString(answer.body, "status");
        if (status == "admitted") {
            s.admissionToken = std::string(jsonString(answer.body, "admissionToken"));
            ++m_admitted;
            m_buyers.push_back(i);
        } else if (status == "waiting") {
            m_polls.emplace_back(nowNs + m_pollNs, i);
        } else {
            finish(i); // soldOut, closed or expired: nothing left for this shopper
        }
        return;
    }
    switch (answer.status) {
    case 202:
        if (!m_accepted.contains(QString::fromLatin1(jsonString(answer.body, "orderId").data(),
                                                     qsizetype(jsonString(answer.body, "orderId").size())))) {
            m_accepted.insert(QString::fromLatin1(jsonString(answer.body, "orderId").data(),
                                                  qsizetype(jsonString(answer.body, "orderId").size())));
            ++m_sold;
            if (m_sold >= m_units && m_soldOutNs == 0)
                m_soldOutNs = nowNs;
        }
        finish(i);
        return;
    case 409:
    case 403:
    case 400:
        finish(i);
        return;
    default: // 429, 503, no answer: the same key again, later
        retry(i, Buy, nowNs);
        return;
    }
}

bool HerdWorkload::done(qint64) const
{
    return m_finished >= m_count;
}

void HerdWorkload::eachSecond(qint64 second, RunMetrics &metrics)
{
    metrics.setGauge(second, QStringLiteral("stock left"), double(m_units - m_sold));
    metrics.setGauge(second, QStringLiteral("orders accepted"), double(m_sold));
    if (finalOrdersProbe)
        metrics.setGauge(second, QStringLiteral("orders final"), double(finalOrdersProbe()));
}

QString HerdWorkload::progress() const
{
    return QStringLiteral("sold %1/%2  admitted %3  shoppers done %4/%5").arg(m_sold).arg(m_units).arg(m_admitted).arg(m_finished).arg(m_count);
}
