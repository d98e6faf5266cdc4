#pragma once

#include <QString>
#include <QStringList>

struct BenchReport;

// PNG charts drawn with Qt Charts on the offscreen platform: throughput (answers and
// errors per second), latency percentiles per second, and stock and orders over time
// (when the run sold anything). The charted phases follow each other on one time axis.
// Returns the file names written in `dir`.
QStringList drawCharts(const BenchReport &report, const QString &dir);
