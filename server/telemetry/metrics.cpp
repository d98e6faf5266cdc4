#include "metrics.h"

#include <QSet>
#include <QTextStream>

void LatencyHistogram::observe(double seconds)
{
    size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i])
        ++i;
    m_buckets[i].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sumMicros.fetch_add(quint64(seconds * 1e6), std::memory_order_relaxed);
}

std::array<quint64, LatencyHistogram::bounds.size() + 1> LatencyHistogram::snapshot() const
{
    std::array<quint64, bounds.size() + 1> out{};
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = m_buckets[i].load(std::memory_order_relaxed);
    return out;
}

double LatencyHistogram::sum() const
{
    return double(m_sumMicros.load(std::memory_order_relaxed)) / 1e6;
}

double LatencyHistogram::quantile(double q) const
{
    const auto snap = snapshot();
    quint64 total = 0;
    for (quint64 c : snap)
        total += c;
    if (total == 0)
        return 0;
    const double rank = q * double(total);
    quint64 seen = 0;
    for (size_t i = 0; i < snap.size(); ++i) {
        seen += snap[i];
        if (double(seen) >= rank)
            return i < bounds.size() ? bounds[i] : bounds.back();
    }
    return bounds.back();
}

Metrics::Route *Metrics::route(const QString &name)
{
    QMutexLocker lock(&m_mutex);
    for (auto &r : m_routes) {
        if (r->name == name)
            return r.get();
    }
    m_routes.push_back(std::make_unique<Route>());
    m_routes.back()->name = name;
    return m_routes.back().get();
}

std::atomic<qint64> *Metrics::counter(const QString &name, const QString &help, const QString &labels)
{
    QMutexLocker lock(&m_mutex);
    for (auto &c : m_counters) {
        if (c->name == name && c->labels == labels)
            return &c->value;
    }
    m_counters.push_back(std::make_unique<Counter>());
    m_counters.back()->name = name;
    m_counters.back()->help = help;
    m_counters.back()->labels = labels;
    return &m_counters.back()->value;
}

void Metrics::gauge(const QString &name, const QString &help, std::function<double()> read, const QString &labels)
{
    QMutexLocker lock(&m_mutex);
    m_gauges.push_back(std::make_unique<Gauge>(Gauge{name, help, labels, std::move(read)}));
}

QList<const Metrics::Route *> Metrics::routes() const
{
    QMutexLocker lock(&m_mutex);
    QList<const Route *> out;
    for (const auto &r : m_routes)
        out.append(r.get());
    return out;
}

QByteArray Metrics::renderPrometheus() const
{
    QMutexLocker lock(&m_mutex);
    QString out;
    QTextStream s(&out);
    s << "# HELP flashsale_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE flashsale_http_requests_total counter\n";
    for (const auto &r : m_routes) {
        for (int status = 100; status < 600; ++status) {
            const quint64 n = r->byStatus[size_t(status)].load(std::memory_order_relaxed);
            if (n)
                s << "flashsale_http_requests_total{route=\"" << r->name << "\",status=\"" << status << "\"} " << n << '\n';
        }
    }
    s << "# HELP flashsale_http_request_duration_seconds Time from request parsed to answer written.\n"
         "# TYPE flashsale_http_request_duration_seconds histogram\n";
    for (const auto &r : m_routes) {
        const auto snap = r->latency.snapshot();
        quint64 cumulative = 0;
        for (size_t i = 0; i < snap.size(); ++i) {
            cumulative += snap[i];
            const QString le = i < LatencyHistogram::bounds.size() ? QString::number(LatencyHistogram::bounds[i])
                                                                   : QStringLiteral("+Inf");
            s << "flashsale_http_request_duration_seconds_bucket{route=\"" << r->name << "\",le=\"" << le << "\"} "
              << cumulative << '\n';
        }
        s << "flashsale_http_request_duration_seconds_sum{route=\"" << r->name << "\"} " << r->latency.sum() << '\n';
        s << "flashsale_http_request_duration_seconds_count{route=\"" << r->name << "\"} " << cumulative << '\n';
    }
    QSet<QString> described;
    for (const auto &c : m_counters) {
        if (!described.contains(c->name)) {
            s << "# HELP " << c->name << ' ' << c->help << "\n# TYPE " << c->name << " counter\n";
            described.insert(c->name);
        }
        s << c->name << (c->labels.isEmpty() ? QString() : QLatin1Char('{') + c->labels + QLatin1Char('}')) << ' '
          << c->value.load(std::memory_order_relaxed) << '\n';
    }
    for (const auto &g : m_gauges) {
        if (!described.contains(g->name)) {
            s << "# HELP " << g->name << ' ' << g->help << "\n# TYPE " << g->name << " gauge\n";
            described.insert(g->name);
        }
        s << g->name << (g->labels.isEmpty() ? QString() : QLatin1Char('{') + g->labels + QLatin1Char('}')) << ' '
          << g->read() << '\n';
    }
    s.flush();
    return out.toUtf8();
}
