// LatencyHistogram: contiguous log-linear buckets, percentiles that are
// monotone in p and within 1/128 of the exact order statistic.
#include "latencyhistogram.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace Vigil;

class TestLatencyHistogram : public QObject
{
    Q_OBJECT

private slots:
    void empty();
    void bucketsAreContiguous();
    void smallValuesAreExact();
    void boundedRelativeError_data();
    void boundedRelativeError();
    void percentilesAreMonotone();
    void mergeEqualsRecordingBoth();
    void hugeValuesKeepAnExactMax();
    void memoryIsConstant();
};

void TestLatencyHistogram::empty()
{
    LatencyHistogram h;
    QCOMPARE(h.count(), quint64(0));
    QCOMPARE(h.valueAtPercentile(50), qint64(0));
    QCOMPARE(h.max(), qint64(0));
    QCOMPARE(h.min(), qint64(0));
    QCOMPARE(h.mean(), 0.0);
}

void TestLatencyHistogram::bucketsAreContiguous()
{
    const int n = LatencyHistogram::bucketCount();
    QVERIFY(n > 256);
    for (int i = 0; i < n; ++i) {
        const qint64 low = LatencyHistogram::lowestValueAt(i);
        const qint64 high = LatencyHistogram::highestValueAt(i);
        QVERIFY(low <= high);
        QCOMPARE(LatencyHistogram::indexOf(low), i);
        QCOMPARE(LatencyHistogram::indexOf(high), i);
        if (i + 1 < n)
            QCOMPARE(LatencyHistogram::lowestValueAt(i + 1), high + 1);
        // Width never exceeds 1/128 of the bucket's values.
        QVERIFY2(double(high - low) <= double(low) / 128.0 || high == low, qPrintable(QString::number(i)));
    }
}

void TestLatencyHistogram::smallValuesAreExact()
{
    LatencyHistogram h;
    for (int v = 1; v <= 100; ++v)
        h.record(v);
    QCOMPARE(h.count(), quint64(100));
    QCOMPARE(h.valueAtPercentile(50), qint64(50));
    QCOMPARE(h.valueAtPercentile(99), qint64(99));
    QCOMPARE(h.valueAtPercentile(100), qint64(100));
    QCOMPARE(h.valueAtPercentile(0), qint64(1));
    QCOMPARE(h.min(), qint64(1));
    QCOMPARE(h.mean(), 50.5);
}

void TestLatencyHistogram::boundedRelativeError_data()
{
    QTest::addColumn<QString>("distribution");
    QTest::newRow("uniform 1us..10ms") << "uniform";
    QTest::newRow("exponential mean 50us") << "exponential";
    QTest::newRow("bimodal 20us / 5ms") << "bimodal";
    QTest::newRow("constant 123456ns") << "constant";
}

void TestLatencyHistogram::boundedRelativeError()
{
    QFETCH(QString, distribution);
    QRandomGenerator random(42);
    std::vector<qint64> samples;
    LatencyHistogram h;
    for (int i = 0; i < 100000; ++i) {
        qint64 v = 0;
        if (distribution == QLatin1String("uniform"))
            v = 1000 + qint64(random.bounded(10000000 - 1000));
        else if (distribution == QLatin1String("exponential"))
            v = qint64(-std::log(1.0 - random.generateDouble()) * 50000.0);
        else if (distribution == QLatin1String("bimodal"))
            v = random.bounded(10) == 0 ? 5000000 + qint64(random.bounded(100000)) : 20000 + qint64(random.bounded(1000));
        else
            v = 123456;
        samples.push_back(v);
        h.record(v);
    }
    std::sort(samples.begin(), samples.end());
    for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
        const quint64 rank = std::max<quint64>(1, quint64(std::ceil(p / 100.0 * double(samples.size()))));
        const qint64 exact = samples[size_t(rank - 1)];
        const qint64 got = h.valueAtPercentile(p);
        QVERIFY2(got >= exact, qPrintable(QStringLiteral("p%1: %2 < exact %3").arg(p).arg(got).arg(exact)));
        QVERIFY2(double(got - exact) <= double(exact) / 128.0 + 1.0,
                 qPrintable(QStringLiteral("p%1: %2 vs exact %3").arg(p).arg(got).arg(exact)));
    }
    QCOMPARE(h.max(), samples.back());
    QCOMPARE(h.min(), samples.front());
    QCOMPARE(h.valueAtPercentile(100), samples.back());
}

void TestLatencyHistogram::percentilesAreMonotone()
{
    QRandomGenerator random(7);
    LatencyHistogram h;
    for (int i = 0; i < 50000; ++i)
        h.record(qint64(random.bounded(1u << 30)) >> random.bounded(30));
    qint64 previous = h.valueAtPercentile(0);
    QVERIFY(previous >= h.min());
    for (int tenth = 1; tenth <= 1000; ++tenth) {
        const qint64 v = h.valueAtPercentile(tenth / 10.0);
        QVERIFY2(v >= previous, qPrintable(QStringLiteral("p%1").arg(tenth / 10.0)));
        QVERIFY(v <= h.max());
        previous = v;
    }
    QVERIFY(h.valueAtPercentile(50) <= h.valueAtPercentile(99));
    QVERIFY(h.valueAtPercentile(99) <= h.max());
}

void TestLatencyHistogram::mergeEqualsRecordingBoth()
{
    LatencyHistogram a, b, both;
    for (int i = 0; i < 1000; ++i) {
        a.record(i * 1000);
        both.record(i * 1000);
        b.record(i * 77 + 5);
        both.record(i * 77 + 5);
    }
    a.merge(b);
    QCOMPARE(a.count(), both.count());
    QCOMPARE(a.min(), both.min());
    QCOMPARE(a.max(), both.max());
    QCOMPARE(a.mean(), both.mean());
    for (double p : {0.0, 25.0, 50.0, 75.0, 99.0, 100.0})
        QCOMPARE(a.valueAtPercentile(p), both.valueAtPercentile(p));
    a.reset();
    QCOMPARE(a.count(), quint64(0));
    QCOMPARE(a.valueAtPercentile(50), qint64(0));
}

void TestLatencyHistogram::hugeValuesKeepAnExactMax()
{
    LatencyHistogram h;
    h.record(10);
    h.record(qint64(1) << 50); // beyond the tracked range
    h.record(-5);              // clock hiccup: counted as 0
    QCOMPARE(h.count(), quint64(3));
    QCOMPARE(h.max(), qint64(1) << 50);
    QCOMPARE(h.min(), qint64(0));
    QCOMPARE(h.valueAtPercentile(100), qint64(1) << 50);
    QVERIFY(h.valueAtPercentile(99) <= h.max());
}

void TestLatencyHistogram::memoryIsConstant()
{
    // Log-linear: about 4.4k counters however many samples are recorded.
    QVERIFY(LatencyHistogram::bucketCount() < 5000);
    LatencyHistogram h;
    h.recordCount(1000, 1000000000ull);
    QCOMPARE(h.count(), quint64(1000000000ull));
    QCOMPARE(h.valueAtPercentile(50), qint64(1000));
}

QTEST_GUILESS_MAIN(TestLatencyHistogram)
#include "tst_latencyhistogram.moc"
