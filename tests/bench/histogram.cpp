#include "histogram.h"

#include <algorithm>



int LatencyHistogram::bucketOf(qint64 micros)
{
    if (micros < exactBelow)
        return int(std::max<qint64>(0, micros));
    // The highest set bit picks the power of two; the next subBits bits the sub-bucket.
    const int top = 63 - __builtin_clzll(quint64(micros));
    const int shift = top - subBits;
    const int sub = int((quint64(micros) >> shift) & ((1u << subBits) - 1));
    const int power = top - (subBits + 1); // 0 for 64..127
    const int bucket = exactBelow + power * (1 << subBits) + sub;
    return qMin(bucket, bucketCount - 1);
}

qint64 LatencyHistogram::upperEdge(int bucket)
{
    if (bucket < exactBelow)
        return bucket;
    const int power = (bucket - exactBelow) >> subBits;
    const int sub = (bucket - exactBelow) & ((1 << subBits) - 1);
    const int top = power + subBits + 1;
    const int shift = top - subBits;
    return ((qint64(1) << top) | (qint64(sub) << shift)) + (qint64(1) << shift) - 1;
}

void LatencyHistogram::record(qint64 micros)
{
    ++m_buckets[size_t(bucketOf(micros))];
    ++m_count;
    m_sum += micros;
    m_max = qMax(m_max, micros);
}

void LatencyHistogram::add(const LatencyHistogram &other)
{
    for (size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_sum += other.m_sum;
    m_max = qMax(m_max, other.m_max);
}

qint64 LatencyHistogram::quantile(double q) const
{
    if (m_count == 0)
        return 0;
    const qint64 rank = std::max<qint64>(1, qint64(double(m_count) * q + 0.999999));
    qint64 seen = 0;
    for (int i = 0; i < bucketCount; ++i) {
        seen += m_buckets[size_t(i)];
        if (seen >= rank)
            return qMin(upperEdge(i), m_max);
    }
    return m_max;
}
