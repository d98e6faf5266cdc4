#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>

#include <array>
#include <atomic>
#include <functional>
#include <memory>

// A Prometheus histogram of durations in seconds, lock-free to observe.
class LatencyHistogram
{
public:
    static constexpr std::array<double, 16> bounds = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                                      0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60};
    void observe(double seconds);
    quint64 count() const { return m_count.load(std::memory_order_relaxed); }
    // Upper bound of the bucket holding the q-quantile (0 < q < 1) of everything observed.
    double quantile(double q) const;
    std::array<quint64, bounds.size() + 1> snapshot() const;
    double sum() const;

private:
    std::array<std::atomic<quint64>, bounds.size() + 1> m_buckets{}; // last: +Inf
    std::atomic<quint64> m_count{0};
    std::atomic<quint64> m_sumMicros{0};
};

// Counters per route and status, latency per route, plus gauges and counters that
// modules register. Rendered in Prometheus text format on GET /metrics.
class Metrics
{
public:
    struct Route
    {
        QString name;
        LatencyHistogram latency;
        std::array<std::atomic<quint64>, 600> byStatus{};
    };

    Metrics() = default;
    Metrics(const Metrics &) = delete;
    Metrics &operator=(const Metrics &) = delete;

    // Registration happens before serving; the returned objects live as long as this.
    Route *route(const QString &name);
    std::atomic<qint64> *counter(const QString &name, const QString &help, const QString &labels = {});
    void gauge(const QString &name, const QString &help, std::function<double()> read,
               const QString &labels = {});

    QByteArray renderPrometheus() const;
    QList<const Route *> routes() const;

private:
    struct Counter { QString name, help, labels; std::atomic<qint64> value{0}; };
    struct Gauge { QString name, help, labels; std::function<double()> read; };
    mutable QMutex m_mutex;
    std::vector<std::unique_ptr<Route>> m_routes;
    std::vector<std::unique_ptr<Counter>> m_counters;
    std::vector<std::unique_ptr<Gauge>> m_gauges;
};
