#include "metricssnapshot.h"

#include <QStringList>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Api {

namespace {

bool hasLabels(const QString &series, const QStringList &labels)
{
    return std::all_of(labels.begin(), labels.end(), [&series](const QString &l) { return series.contains(l); });
}

QString nameOf(const QString &series)
{
    const int brace = series.indexOf(QLatin1Char('{'));
    return brace < 0 ? series : series.left(brace);
}

double boundOf(const QString &series)
{
    static const QString key = QStringLiteral("le=\"");
    const int at = series.indexOf(key);
    if (at < 0)
        return std::numeric_limits<double>::quiet_NaN();
    const int from = at + int(key.size());
    const QString text = series.mid(from, series.indexOf(QLatin1Char('"'), from) - from);
    if (text == QLatin1String("+Inf"))
        return std::numeric_limits<double>::infinity();
    return text.toDouble();
}

} // namespace

std::optional<MetricsSnapshot> MetricsSnapshot::parse(const QByteArray &text)
{
    MetricsSnapshot snapshot;
    for (const QByteArray &rawLine : text.split('\n')) {
        const QByteArray line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const int space = line.lastIndexOf(' ');
        if (space <= 0)
            return std::nullopt;
        bool ok = false;
        const double v = line.mid(space + 1).toDouble(&ok);
        if (!ok)
            return std::nullopt;
        snapshot.m_series.insert(QString::fromUtf8(line.left(space).trimmed()), v);
    }
    return snapshot;
}

double MetricsSnapshot::value(const QString &name, const QStringList &labels) const
{
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
        if (nameOf(it.key()) == name && hasLabels(it.key(), labels))
            return it.value();
    }
    return 0;
}

QList<MetricsSnapshot::Bucket> MetricsSnapshot::buckets(const QString &name, const QStringList &labels) const
{
    const QString bucketName = name + QStringLiteral("_bucket");
    QList<Bucket> result;
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
        if (nameOf(it.key()) == bucketName && hasLabels(it.key(), labels))
            result.append({boundOf(it.key()), it.value()});
    }
    std::sort(result.begin(), result.end(), [](const Bucket &a, const Bucket &b) { return a.upperBound < b.upperBound; });
    return result;
}

std::optional<double> quantileOfDelta(const QList<MetricsSnapshot::Bucket> &before, const QList<MetricsSnapshot::Bucket> &after, double q)
{
    if (after.isEmpty())
        return std::nullopt;
    QList<double> counts; // cumulative, this interval only
    for (int i = 0; i < after.size(); ++i) {
        const double previous = i < before.size() && before.at(i).upperBound == after.at(i).upperBound ? before.at(i).cumulativeCount : 0;
        counts.append(std::max(0.0, after.at(i).cumulativeCount - previous));
    }
    const double total = counts.last();
    if (total <= 0)
        return std::nullopt;
    const double rank = q * total;
    for (int i = 0; i < counts.size(); ++i) {
        if (counts.at(i) < rank)
            continue;
        const double upper = after.at(i).upperBound;
        const double lower = i == 0 ? 0 : after.at(i - 1).upperBound;
        if (std::isinf(upper))
            return lower; // beyond the last finite bound: its bound is the best guess
        const double below = i == 0 ? 0 : counts.at(i - 1);
        const double inBucket = counts.at(i) - below;
        return inBucket <= 0 ? upper : lower + (upper - lower) * (rank - below) / inBucket;
    }
    return after.last().upperBound;
}

} // namespace Api
