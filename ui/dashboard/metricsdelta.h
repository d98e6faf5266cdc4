#pragma once

#include "client/metricssnapshot.h"

#include <optional>

// What the dashboard draws from two scrapes of /metrics `seconds` apart: rates from
// counter deltas and latency percentiles of the purchase route from bucket deltas.
struct MetricsDelta
{
    double acceptedPerSecond = 0;
    double soldOutPerSecond = 0; // sold out and per-user limit reached
    double rateLimitedPerSecond = 0;
    std::optional<double> p50Ms;
    std::optional<double> p95Ms;
    std::optional<double> p99Ms;

    static MetricsDelta between(const Api::MetricsSnapshot &before, const Api::MetricsSnapshot &after, double seconds);
};

// Totals read from one scrape.
namespace MetricsTotals {
double orders(const Api::MetricsSnapshot &m, const QString &outcome); // confirmed, failed, expired, refunded
double discrepancy(const Api::MetricsSnapshot &m);
// Confirmed / (confirmed + failed), in percent; empty before any payment.
std::optional<double> paymentSuccessPercent(const Api::MetricsSnapshot &m);
} // namespace MetricsTotals
