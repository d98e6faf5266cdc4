#pragma once

#include <QtGlobal>

#include <array>

// Latencies in microseconds, counted in logarithmic buckets: values below 64 µs are
// exact; above, each power of two is split into 32 equal sub-buckets, so any quantile
// is off by at most 1/32 (about 3 %). Fixed size, no allocation: cheap to keep one per
// endpoint and one per second of a run.
class LatencyHistogram
{
public:
    void record(qint64 micros);
    void add(const LatencyHistogram &other);
    qint64 count() const { return m_count; }
    qint64 max() const { return m_max; }
    double mean() const { return m_count ? double(m_sum) / double(m_count) : 0.0; }
    // The value at quantile q (0..1), in microseconds: the upper edge of its bucket,
    // never above the largest value recorded.
    qint64 quantile(double q) const;

private:
    static constexpr int subBits = 5;                  // 32 sub-buckets per power of two
    static constexpr int exactBelow = 2 << subBits;    // 64
    static constexpr int powers = 40;                  // up to 2^45 µs: far beyond any run
    static constexpr int bucketCount = exactBelow + powers * (1 << subBits);
    static int bucketOf(qint64 micros);
    static qint64 upperEdge(int bucket);

    std::array<qint64, bucketCount> m_buckets{};
    qint64 m_count = 0;
    qint64 m_sum = 0;
    qint64 m_max = 0;
};
