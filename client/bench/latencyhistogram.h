// An HDR-style log-linear histogram of latencies in nanoseconds: constant
// memory (35 KiB), O(1) record, percentiles with a relative error below
// 1/128 (0.8 %). A bench records millions of round trips without keeping
// a single sample.
#pragma once

#include <QtGlobal>
#include <vector>

namespace Vigil {

class LatencyHistogram final
{
public:
    // Values up to 2^HighestBit ns (about 18 minutes) are kept; larger ones
    // count in the top bucket (max() stays exact).
    static constexpr int SubBucketBits = 8;
    static constexpr int HighestBit = 40;

    LatencyHistogram();

    void record(qint64 valueNs) { recordCount(valueNs, 1); }
    void recordCount(qint64 valueNs, quint64 count);
    void merge(const LatencyHistogram &other);
    void reset();

    quint64 count() const { return m_count; }
    qint64 min() const { return m_count ? m_min : 0; }
    qint64 max() const { return m_count ? m_max : 0; }
    double mean() const { return m_count ? double(m_sum) / double(m_count) : 0.0; }
    // The value at percentile p (0..100): the highest value of the bucket
    // that holds the p-th sample, never above max() nor below min().
    // Monotone in p; 0 when empty.
    qint64 valueAtPercentile(double percentile) const;

    // Bucket arithmetic, public for tests.
    static int indexOf(qint64 valueNs);
    static qint64 lowestValueAt(int index);
    static qint64 highestValueAt(int index);
    static int bucketCount();

private:
    std::vector<quint64> m_counts;
    quint64 m_count = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
    long double m_sum = 0;
};

} // namespace Vigil
