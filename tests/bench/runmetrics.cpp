#include "runmetrics.h"

#include <algorithm>

bool isError(int status)
{
    return status == 0 || status >= 500;
}

namespace {

// Endpoint names get one index for the whole program, so a workload built against one
// phase's metrics records correctly into another's. One thread only.
QStringList &endpointNames()
{
    static QStringList names;
    return names;
}

} // namespace

int RunMetrics::endpoint(const QString &name)
{
    QStringList &names = endpointNames();
    qsizetype i = names.indexOf(name);
    if (i < 0) {
        names.append(name);
        i = names.size() - 1;
    }
    return int(i);
}

SecondStats &RunMetrics::second(qint64 index)
{
    const size_t i = size_t(std::clamp<qint64>(index, 0, 24 * 3600));
    if (m_seconds.size() <= i)
        m_seconds.resize(i + 1);
    return m_seconds[i];
}

void RunMetrics::record(int endpoint, int status, qint64 latencyMicros, qint64 secondIndex)
{
    if (m_endpoints.size() <= size_t(endpoint))
        m_endpoints.resize(size_t(endpoint) + 1);
    EndpointStats &e = m_endpoints[size_t(endpoint)];
    if (e.name.isEmpty())
        e.name = endpointNames().value(endpoint);
    ++e.requests;
    e.latency.record(latencyMicros);
    ++e.byStatus[status];
    SecondStats &s = second(secondIndex);
    ++s.requests;
    if (isError(status))
        ++s.errors;
    s.latency.record(latencyMicros);
}

void RunMetrics::setGauge(qint64 secondIndex, const QString &name, double value)
{
    second(secondIndex).gauges[name] = value;
}

qint64 RunMetrics::totalRequests() const
{
    qint64 n = 0;
    for (const auto &e : m_endpoints)
        n += e.requests;
    return n;
}

qint64 RunMetrics::totalErrors() const
{
    qint64 n = 0;
    for (const auto &e : m_endpoints) {
        for (const auto &[status, count] : e.byStatus) {
            if (isError(status))
                n += count;
        }
    }
    return n;
}

LatencyHistogram RunMetrics::overall() const
{
    LatencyHistogram h;
    for (const auto &e : m_endpoints)
        h.add(e.latency);
    return h;
}
