// ServerStats and ThreadCounters: how late watchdogs fired, and the sums
// the monitor and the admin endpoint show.
#include "serverstats.h"

#include <QTest>

using namespace Vigil;

class tst_ServerStats : public QObject
{
    Q_OBJECT

private slots:
    void latenessBuckets_data();
    void latenessBuckets();
    void addToSumsThreads();
    void openNeverNegative();
};

void tst_ServerStats::latenessBuckets_data()
{
    QTest::addColumn<qint64>("lateNs");
    QTest::addColumn<int>("bucket");

    QTest::newRow("on time") << qint64(0) << 0;
    QTest::newRow("negative counts as on time") << qint64(-5000) << 0;
    QTest::newRow("100 us") << qint64(100000) << 0;
    QTest::newRow("101 us") << qint64(101000) << 1;
    QTest::newRow("1 ms") << qint64(1000000) << 3;
    QTest::newRow("1.5 ms") << qint64(1500000) << 4;
    QTest::newRow("an hour") << qint64(3600) * 1000000000 << LatenessBucketCount - 1;
}

void tst_ServerStats::latenessBuckets()
{
    QFETCH(qint64, lateNs);
    QFETCH(int, bucket);

    ThreadCounters counters;
    counters.recordLateness(lateNs);
    ServerStats s;
    counters.addTo(s);
    for (int i = 0; i < LatenessBucketCount; ++i)
        QCOMPARE(s.lateness[size_t(i)], quint64(i == bucket ? 1 : 0));
    QCOMPARE(s.latenessSumUs, quint64(std::max<qint64>(0, lateNs / 1000)));
}

void tst_ServerStats::addToSumsThreads()
{
    ThreadCounters a, b;
    a.accepted.add(3);
    a.closed.add(1);
    a.messagesIn.add(10);
    a.closes[size_t(closeReasonIndex(CloseReason::IdleTimeout))].add();
    a.timeouts[size_t(TimeoutKind::Idle)].add();
    b.accepted.add(2);
    b.rejected.add(4);
    b.bytesOut.add(100);
    b.closes[size_t(closeReasonIndex(CloseReason::IdleTimeout))].add(2);
    ServerStats s;
    a.addTo(s);
    b.addTo(s);
    QCOMPARE(s.accepted, quint64(5));
    QCOMPARE(s.rejected, quint64(4));
    QCOMPARE(s.open, quint64(4));
    QCOMPARE(s.messagesIn, quint64(10));
    QCOMPARE(s.bytesOut, quint64(100));
    QCOMPARE(s.closesFor(CloseReason::IdleTimeout), quint64(3));
    QCOMPARE(s.timeoutsFor(TimeoutKind::Idle), quint64(1));

    ServerStats twice = s;
    twice += s;
    QCOMPARE(twice.accepted, quint64(10));
    QCOMPARE(twice.closesFor(CloseReason::IdleTimeout), quint64(6));
}

// accepted and closed are read one after the other: open must not wrap.
void tst_ServerStats::openNeverNegative()
{
    ThreadCounters c;
    c.accepted.add(1);
    c.closed.add(2);
    ServerStats s;
    c.addTo(s);
    QCOMPARE(s.open, quint64(0));
}

QTEST_GUILESS_MAIN(tst_ServerStats)
#include "tst_serverstats.moc"
