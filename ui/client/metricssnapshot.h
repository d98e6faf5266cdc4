#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace Api {

// One scrape of GET /metrics (Prometheus text format), by series: the metric name with
// its labels as the server wrote them, e.g. flashsale_purchases_total{outcome="accepted"}.
class MetricsSnapshot
{
public:
    struct Bucket
    {
        double upperBound; // +Inf for the last
        double cumulativeCount;
    };

    static std::optional<MetricsSnapshot> parse(const QByteArray &text);

    // The value of `name` whose labels contain every `labels` pair ("k=\"v\""); 0 if none.
    double value(const QString &name, const QStringList &labels = {}) const;
    // The histogram buckets of `name`_bucket whose labels contain `labels`, by bound.
    QList<Bucket> buckets(const QString &name, const QStringList &labels) const;
    int size() const { return int(m_series.size()); }

private:
    QHash<QString, double> m_series;
};

// The value at quantile `q` (0..1) of the observations between two scrapes of one
// histogram, interpolated inside the bucket as Prometheus does; empty without any.
std::optional<double> quantileOfDelta(const QList<MetricsSnapshot::Bucket> &before, const QList<MetricsSnapshot::Bucket> &after,
                                      double q);

} // namespace Api
