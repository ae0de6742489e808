// Log-linear buckets: values below 2^SubBucketBits are exact; above, each
// power of two is split into 2^(SubBucketBits-1) equal steps (HdrHistogram's
// layout with a unit of 1 ns).
#include "latencyhistogram.h"

#include <algorithm>
#include <cmath>

namespace Vigil {

namespace {
constexpr int SubBucketCount = 1 << LatencyHistogram::SubBucketBits;
constexpr int SubBucketHalf = SubBucketCount / 2;
constexpr qint64 LargestTracked = (qint64(1) << LatencyHistogram::HighestBit) - 1;
} // namespace

int LatencyHistogram::bucketCount()
{
    return indexOf(LargestTracked) + 1;
}

int LatencyHistogram::indexOf(qint64 valueNs)
{
    const quint64 v = quint64(std::clamp<qint64>(valueNs, 0, LargestTracked));
    const int msb = v ? 63 - __builtin_clzll(v) : 0;
    const int bucket = std::max(0, msb - (SubBucketBits - 1));
    const int sub = int(v >> bucket);
    return bucket * SubBucketHalf + sub;
}

qint64 LatencyHistogram::lowestValueAt(int index)
{
    if (index < SubBucketCount)
        return index;
    const int bucket = index / SubBucketHalf - 1;
    const int sub = index - bucket * SubBucketHalf;
    return qint64(sub) << bucket;
}

qint64 LatencyHistogram::highestValueAt(int index)
{
    if (index < SubBucketCount)
        return index;
    const int bucket = index / SubBucketHalf - 1;
    return lowestValueAt(index) + (qint64(1) << bucket) - 1;
}

LatencyHistogram::LatencyHistogram()
    : m_counts(size_t(bucketCount()), 0)
{
}

void LatencyHistogram::recordCount(qint64 valueNs, quint64 count)
{
    if (count == 0)
        return;
    valueNs = std::max<qint64>(valueNs, 0);
    m_counts[size_t(indexOf(valueNs))] += count;
    if (m_count == 0) {
        m_min = m_max = valueNs;
    } else {
        m_min = std::min(m_min, valueNs);
        m_max = std::max(m_max, valueNs);
    }
    m_count += count;
    m_sum += static_cast<long double>(valueNs) * count;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    for (size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    if (m_count == 0) {
        m_min = other.m_min;
        m_max = other.m_max;
    } else {
        m_min = std::min(m_min, other.m_min);
        m_max = std::max(m_max, other.m_max);
    }
    m_count += other.m_count;
    m_sum += other.m_sum;
}

void LatencyHistogram::reset()
{
    std::fill(m_counts.begin(), m_counts.end(), 0);
    m_count = 0;
    m_min = m_max = 0;
    m_sum = 0;
}

qint64 LatencyHistogram::valueAtPercentile(double percentile) const
{
    if (m_count == 0)
        return 0;
    const double p = std::clamp(percentile, 0.0, 100.0);
    // The rank of the sample we want, 1-based: ceil(p% of count), at least 1.
    const quint64 rank = std::max<quint64>(1, quint64(std::ceil(p / 100.0 * double(m_count))));
    if (rank >= m_count)
        return m_max;
    quint64 seen = 0;
    for (size_t i = 0; i < m_counts.size(); ++i) {
        seen += m_counts[i];
        if (seen >= rank) // the top bucket also holds the untracked values
            return i + 1 == m_counts.size() ? m_max : std::clamp(highestValueAt(int(i)), m_min, m_max);
    }
    return m_max;
}

} // namespace Vigil
