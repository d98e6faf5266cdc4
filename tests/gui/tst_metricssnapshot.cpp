// What the dashboard reads from /metrics: the Prometheus text parsed by series, rates
// from counter deltas and percentiles from histogram bucket deltas.
#include "client/metricssnapshot.h"
#include "dashboard/metricsdelta.h"

#include <QtTest>

namespace {

QByteArray scrape(int accepted, int soldOut, const QList<int> &cumulativeBuckets)
{
    QByteArray text = "# HELP flashsale_purchases_total Purchase attempts by outcome.\n"
                      "# TYPE flashsale_purchases_total counter\n";
    text += "flashsale_purchases_total{outcome=\"accepted\"} " + QByteArray::number(accepted) + "\n";
    text += "flashsale_purchases_total{outcome=\"sold_out\"} " + QByteArray::number(soldOut) + "\n";
    text += "flashsale_purchases_total{outcome=\"limit_reached\"} 1\n";
    const QList<QByteArray> bounds{"0.001", "0.002", "0.005", "+Inf"};
    for (int i = 0; i < bounds.size(); ++i)
        text += "flashsale_http_request_duration_seconds_bucket{route=\"POST /sales/{id}/purchase\",le=\"" + bounds.at(i) + "\"} "
              + QByteArray::number(cumulativeBuckets.at(i)) + "\n";
    text += "flashsale_http_request_duration_seconds_bucket{route=\"GET /health/live\",le=\"+Inf\"} 999\n";
    text += "flashsale_reconciliation_discrepancy 0\n";
    text += "flashsale_orders_total{outcome=\"confirmed\"} 3\nflashsale_orders_total{outcome=\"failed\"} 1\n";
    return text;
}

} // namespace

class TestMetricsSnapshot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesSeriesWithLabels()
    {
        const auto m = Api::MetricsSnapshot::parse(scrape(5, 2, {1, 2, 3, 3}));
        QVERIFY(m);
        QCOMPARE(m->value(QStringLiteral("flashsale_purchases_total"), {QStringLiteral("outcome=\"accepted\"")}), 5.0);
        QCOMPARE(m->value(QStringLiteral("flashsale_purchases_total"), {QStringLiteral("outcome=\"rate_limited\"")}), 0.0);
        const auto buckets = m->buckets(QStringLiteral("flashsale_http_request_duration_seconds"),
                                        {QStringLiteral("route=\"POST /sales/{id}/purchase\"")});
        QCOMPARE(buckets.size(), 4);
        QVERIFY(std::isinf(buckets.last().upperBound));
        QVERIFY(!Api::MetricsSnapshot::parse("metric_without_value\n"));
    }

    void ratesAndPercentilesComeFromDeltas()
    {
        const auto before = Api::MetricsSnapshot::parse(scrape(5, 2, {10, 10, 10, 10}));
        // 100 new purchases in 2 s: 50 under 1 ms, 40 in 1-2 ms, 10 in 2-5 ms.
        const auto after = Api::MetricsSnapshot::parse(scrape(105, 12, {60, 100, 110, 110}));
        const MetricsDelta d = MetricsDelta::between(*before, *after, 2.0);
        QCOMPARE(d.acceptedPerSecond, 50.0);
        QCOMPARE(d.soldOutPerSecond, 5.0);
        QCOMPARE(d.rateLimitedPerSecond, 0.0);
        QVERIFY(d.p50Ms);
        QCOMPARE(*d.p50Ms, 1.0);        // the 50th of 100 is the last under 1 ms
        QCOMPARE(*d.p95Ms, 2.0 + 1.5);  // halfway through the 2-5 ms bucket
        QVERIFY(*d.p99Ms > 4.6 && *d.p99Ms <= 5.0);

        const MetricsDelta idle = MetricsDelta::between(*after, *after, 1.0);
        QVERIFY(!idle.p50Ms); // no purchases, no percentile
        QCOMPARE(*MetricsTotals::paymentSuccessPercent(*after), 75.0);
        QCOMPARE(MetricsTotals::discrepancy(*after), 0.0);
    }
};

QTEST_MAIN(TestMetricsSnapshot)
#include "tst_metricssnapshot.moc"
