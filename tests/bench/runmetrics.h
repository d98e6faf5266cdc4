#pragma once

#include "histogram.h"

#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <vector>

// What one load phase measured: per endpoint (count, latency histogram, answers by
// status code), and per second of the phase (requests, errors, latency, and counters
// the workload adds, such as units sold). Owned by the scenario; filled by the load
// generator on its one thread.
struct EndpointStats
{
    QString name;
    qint64 requests = 0;
    LatencyHistogram latency;
    std::map<int, qint64> byStatus; // 0: no answer (connection error or time-out)
};

struct SecondStats
{
    qint64 requests = 0;
    qint64 errors = 0; // 5xx and no answer
    LatencyHistogram latency;
    std::map<QString, double> gauges; // set by the workload (stock left, orders final, ...)
};

class RunMetrics
{
public:
    explicit RunMetrics(QString phase) : m_phase(std::move(phase)) {}

    static int endpoint(const QString &name); // index of a named endpoint, the same in every phase
    void record(int endpoint, int status, qint64 latencyMicros, qint64 secondIndex);
    void setGauge(qint64 secondIndex, const QString &name, double value);

    const QString &phase() const { return m_phase; }
    // Endpoints this phase saw (entries with no requests are left out by the report).
    const std::vector<EndpointStats> &endpoints() const { return m_endpoints; }
    const std::vector<SecondStats> &seconds() const { return m_seconds; }
    qint64 totalRequests() const;
    qint64 totalErrors() const; // 5xx and no answer
    LatencyHistogram overall() const;

    // Filled by the generator at the end of the phase.
    double elapsedSeconds = 0;
    double generatorCpuSeconds = 0;
    double serverCpuSeconds = 0;
    std::map<QString, double> serverCpuByThread; // seconds per kind of thread (ProcessStats)
    double databaseCpuSeconds = -1; // PostgreSQL's processes (-1: SQLite, inside the server)
    qint64 serverPeakRssKiB = 0;
    int connections = 0;
    QString model;          // closed or open
    double targetRate = 0;  // open model
    qint64 dropped = 0;     // open model: sends due but the workload had nothing to send

private:
    SecondStats &second(qint64 index);
    QString m_phase;
    std::vector<EndpointStats> m_endpoints;
    std::vector<SecondStats> m_seconds;
};

bool isError(int status);
