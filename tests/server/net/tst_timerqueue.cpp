// TimerQueue: the per-thread min-heap of watchdog deadlines.
#include "timerqueue.h"

#include <QTest>

using namespace Vigil;

namespace {
constexpr qint64 Ms = 1000000;
}

class tst_TimerQueue : public QObject
{
    Q_OBJECT

private slots:
    void emptyQueue();
    void popsInDeadlineOrder();
    void nothingPopsEarly();
    void waitMs_data();
    void waitMs();
    void duplicatesAreKept();
    void topAndPopRefileBeforeDue();
};

void tst_TimerQueue::emptyQueue()
{
    TimerQueue q;
    QVERIFY(q.isEmpty());
    QCOMPARE(q.size(), size_t(0));
    QCOMPARE(q.nextDeadline(), qint64(-1));
    QCOMPARE(q.waitMs(0), -1);
    QCOMPARE(q.waitMs(0, 10), 10);
    TimerQueue::Entry e{};
    QVERIFY(!q.popDue(std::numeric_limits<qint64>::max(), &e));
}

void tst_TimerQueue::popsInDeadlineOrder()
{
    TimerQueue q;
    const qint64 deadlines[] = {500, 100, 300, 200, 400};
    for (quint64 i = 0; i < 5; ++i)
        q.push(deadlines[i] * Ms, i);
    QCOMPARE(q.size(), size_t(5));
    QCOMPARE(q.nextDeadline(), 100 * Ms);
    QList<quint64> order;
    TimerQueue::Entry e{};
    while (q.popDue(1000 * Ms, &e))
        order.append(e.id);
    QCOMPARE(order, (QList<quint64>{1, 3, 2, 4, 0}));
    QVERIFY(q.isEmpty());
}

// PROTOCOL.md §7: a timer never fires early.
void tst_TimerQueue::nothingPopsEarly()
{
    TimerQueue q;
    q.push(100 * Ms, 7);
    TimerQueue::Entry e{};
    QVERIFY(!q.popDue(100 * Ms - 1, &e));
    QVERIFY(q.popDue(100 * Ms, &e));
    QCOMPARE(e.id, quint64(7));
    QCOMPARE(e.deadlineNs, 100 * Ms);
}

void tst_TimerQueue::waitMs_data()
{
    QTest::addColumn<qint64>("deadlineNs");
    QTest::addColumn<qint64>("nowNs");
    QTest::addColumn<int>("cap");
    QTest::addColumn<int>("expected");

    QTest::newRow("exact ms") << 100 * Ms << qint64(0) << -1 << 100;
    QTest::newRow("rounds up, never early") << 100 * Ms + 1 << qint64(0) << -1 << 101;
    QTest::newRow("one ns left sleeps 1 ms") << qint64(1) << qint64(0) << -1 << 1;
    QTest::newRow("due now") << 100 * Ms << 100 * Ms << -1 << 0;
    QTest::newRow("overdue") << 100 * Ms << 200 * Ms << -1 << 0;
    QTest::newRow("capped") << 100 * Ms << qint64(0) << 10 << 10;
    QTest::newRow("cap above wait") << 5 * Ms << qint64(0) << 10 << 5;
    QTest::newRow("far future is bounded") << qint64(365) * 24 * 3600 * 1000 * Ms << qint64(0) << -1
                                           << 24 * 3600 * 1000;
}

void tst_TimerQueue::waitMs()
{
    QFETCH(qint64, deadlineNs);
    QFETCH(qint64, nowNs);
    QFETCH(int, cap);
    QFETCH(int, expected);

    TimerQueue q;
    q.push(deadlineNs, 1);
    QCOMPARE(q.waitMs(nowNs, cap), expected);
    // Sleeping that long reaches the deadline (unless capped).
    if (cap < 0 && expected < 24 * 3600 * 1000)
        QVERIFY(nowNs + qint64(expected) * Ms >= deadlineNs);
}

// Superseded entries stay until they come up; the owner skips them.
void tst_TimerQueue::duplicatesAreKept()
{
    TimerQueue q;
    q.push(300 * Ms, 1);
    q.push(100 * Ms, 1);
    QCOMPARE(q.size(), size_t(2));
    TimerQueue::Entry e{};
    QVERIFY(q.popDue(1000 * Ms, &e));
    QCOMPARE(e.deadlineNs, 100 * Ms);
    QVERIFY(q.popDue(1000 * Ms, &e));
    QCOMPARE(e.deadlineNs, 300 * Ms);
}

// NetworkThread::settleTimers() looks at the earliest entry before it is
// due and re-files it later: the sleep then lasts until the new earliest.
void tst_TimerQueue::topAndPopRefileBeforeDue()
{
    TimerQueue q;
    QVERIFY(!q.top());
    q.push(100 * Ms, 1); // stale: connection 1 has had a message since
    q.push(250 * Ms, 2);
    QCOMPARE(q.top()->id, quint64(1));
    QCOMPARE(q.waitMs(0), 100);
    q.pop();
    q.push(400 * Ms, 1); // its true deadline
    QCOMPARE(q.top()->id, quint64(2));
    QCOMPARE(q.waitMs(0), 250);
    TimerQueue::Entry e{};
    QVERIFY(!q.popDue(249 * Ms, &e)); // nothing is due where the stale entry was
    QVERIFY(q.popDue(250 * Ms, &e));
    QCOMPARE(e.id, quint64(2));
    QCOMPARE(q.size(), size_t(1));
}

QTEST_GUILESS_MAIN(tst_TimerQueue)
#include "tst_timerqueue.moc"
