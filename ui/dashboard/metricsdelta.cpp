#include "metricsdelta.h"

#include <QStringList>

#include <algorithm>

namespace {

const QString purchases = QStringLiteral("flashsale_purchases_total");
const QString latency = QStringLiteral("flashsale_http_request_duration_seconds");
const QString purchaseRoute = QStringLiteral("route=\"POST /sales/{id}/purchase\"");

QString outcome(const QString &name)
{
    return QStringLiteral("outcome=\"%1\"").arg(name);
}

double rate(const Api::MetricsSnapshot &before, const Api::MetricsSnapshot &after, const QString &name, double seconds)
{
    const double delta = after.value(purchases, {outcome(name)}) - before.value(purchases, {outcome(name)});
    return std::max(0.0, delta) / seconds;
}

std::optional<double> ms(std::optional<double> seconds)
{
    if (!seconds)
        return std::nullopt;
    return *seconds * 1000.0;
}

} // namespace

MetricsDelta MetricsDelta::between(const Api::MetricsSnapshot &before, const Api::MetricsSnapshot &after, double seconds)
{
    MetricsDelta d;
    if (seconds <= 0)
        return d;
    d.acceptedPerSecond = rate(before, after, QStringLiteral("accepted"), seconds);
    d.soldOutPerSecond = rate(before, after, QStringLiteral("sold_out"), seconds) + rate(before, after, QStringLiteral("limit_reached"), seconds);
    d.rateLimitedPerSecond = rate(before, after, QStringLiteral("rate_limited"), seconds);
    const auto b = before.buckets(latency, {purchaseRoute});
    const auto a = after.buckets(latency, {purchaseRoute});
    d.p50Ms = ms(Api::quantileOfDelta(b, a, 0.50));
    d.p95Ms = ms(Api::quantileOfDelta(b, a, 0.95));
    d.p99Ms = ms(Api::quantileOfDelta(b, a, 0.99));
    return d;
}

namespace MetricsTotals {

double orders(const Api::MetricsSnapshot &m, const QString &name)
{
    return m.value(QStringLiteral("flashsale_orders_total"), {outcome(name)});
}

double discrepancy(const Api::MetricsSnapshot &m)
{
    return m.value(QStringLiteral("flashsale_reconciliation_discrepancy"));
}

std::optional<double> paymentSuccessPercent(const Api::MetricsSnapshot &m)
{
    const double confirmed = orders(m, QStringLiteral("confirmed"));
    const double failed = orders(m, QStringLiteral("failed"));
    if (confirmed + failed <= 0)
        return std::nullopt;
    return 100.0 * confirmed / (confirmed + failed);
}

} // namespace MetricsTotals
