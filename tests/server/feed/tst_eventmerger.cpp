// EventMerger: several threads' batches become one time-ordered, numbered
// stream; nothing is released that a slower thread could still overtake,
// and the hold has a bound in time and in count.
#include "eventmerger.h"

#include <QTest>

using namespace Vigil;

namespace {
ServerEvent eventAt(qint64 atMs, quint64 conn)
{
    ServerEvent e;
    e.atMs = atMs;
    e.conn = conn;
    e.kind = EventKind::MessageIn;
    return e;
}

ServerBatch batch(int thread, qint64 atMs, std::initializer_list<qint64> eventTimes, quint64 conn = 0)
{
    ServerBatch b;
    b.thread = thread;
    b.atMs = atMs;
    for (qint64 t : eventTimes)
        b.events.push_back(eventAt(t, conn ? conn : quint64(thread + 1)));
    return b;
}

QVector<qint64> times(const QVector<ServerEvent> &events)
{
    QVector<qint64> out;
    for (const ServerEvent &e : events)
        out.push_back(e.atMs);
    return out;
}
} // namespace

class tst_EventMerger : public QObject
{
    Q_OBJECT

private slots:
    void oneThreadPassesStraightThrough();
    void waitsForTheSlowestThread();
    void mergesInTimeOrderAndNumbers();
    void equalTimesKeepArrivalOrder();
    void aSilentThreadHoldsAtMostMaxHold();
    void heldEventsAreBounded();
    void releaseAllEmptiesIt();
    void droppedCountsAreSummedOnce();
    void batchKeepsItsSnapshots();
};

void tst_EventMerger::oneThreadPassesStraightThrough()
{
    EventMerger m;
    m.reset(1);
    ServerBatch b = batch(0, 100, {90, 95, 100});
    m.add(b);
    QVERIFY(b.events.isEmpty());
    QCOMPARE(times(m.release(100)), (QVector<qint64>{90, 95, 100}));
    QCOMPARE(m.held(), size_t(0));
}

void tst_EventMerger::waitsForTheSlowestThread()
{
    EventMerger m;
    m.reset(2);
    ServerBatch a = batch(0, 100, {80, 100});
    m.add(a);
    // Thread 1 has not reported: an event of its at 70 could still come.
    QVERIFY(m.release(100).isEmpty());
    ServerBatch b = batch(1, 90, {70});
    m.add(b);
    // Up to 90 both have spoken; 100 waits for thread 1's next tick.
    QCOMPARE(times(m.release(100)), (QVector<qint64>{70, 80}));
    ServerBatch c = batch(1, 130, {});
    m.add(c);
    QCOMPARE(times(m.release(130)), (QVector<qint64>{100}));
}

void tst_EventMerger::mergesInTimeOrderAndNumbers()
{
    EventMerger m;
    m.reset(3);
    ServerBatch a = batch(0, 50, {10, 30, 50});
    ServerBatch b = batch(1, 50, {20, 40});
    ServerBatch c = batch(2, 50, {5, 45});
    m.add(a);
    m.add(b);
    m.add(c);
    const QVector<ServerEvent> out = m.release(50);
    QCOMPARE(times(out), (QVector<qint64>{5, 10, 20, 30, 40, 45, 50}));
    for (int i = 0; i < out.size(); ++i)
        QCOMPARE(out[i].seq, quint64(i + 1));
    ServerBatch d = batch(0, 60, {60});
    ServerBatch e = batch(1, 60, {});
    ServerBatch f = batch(2, 60, {});
    m.add(d);
    m.add(e);
    m.add(f);
    const QVector<ServerEvent> next = m.release(60);
    QCOMPARE(next.size(), 1);
    QCOMPARE(next.first().seq, quint64(8)); // the numbering goes on across releases
    QCOMPARE(m.lastSequence(), quint64(8));
}

void tst_EventMerger::equalTimesKeepArrivalOrder()
{
    EventMerger m;
    m.reset(2);
    ServerBatch a = batch(0, 10, {10, 10}, 1);
    ServerBatch b = batch(1, 10, {10}, 2);
    m.add(a);
    m.add(b);
    const QVector<ServerEvent> out = m.release(10);
    QCOMPARE(out.size(), 3);
    QCOMPARE(out[0].conn, quint64(1));
    QCOMPARE(out[1].conn, quint64(1));
    QCOMPARE(out[2].conn, quint64(2));
}

void tst_EventMerger::aSilentThreadHoldsAtMostMaxHold()
{
    EventMerger m;
    m.reset(2);
    ServerBatch a = batch(0, 100, {100});
    m.add(a);
    QVERIFY(m.release(100 + EventMerger::MaxHoldMs - 1).isEmpty());
    QCOMPARE(times(m.release(100 + EventMerger::MaxHoldMs)), (QVector<qint64>{100}));
}

void tst_EventMerger::heldEventsAreBounded()
{
    EventMerger m;
    m.reset(2);
    ServerBatch a;
    a.thread = 0;
    a.atMs = 1000;
    for (int i = 0; i < EventMerger::MaxHeldEvents + 10; ++i)
        a.events.push_back(eventAt(100 + i / 1000, 1));
    m.add(a);
    // Thread 1 is silent and MaxHoldMs has not passed, but the hold is full:
    // the oldest beyond the bound go out.
    const QVector<ServerEvent> out = m.release(200);
    QCOMPARE(out.size(), 10);
    QCOMPARE(m.held(), size_t(EventMerger::MaxHeldEvents));
}

void tst_EventMerger::releaseAllEmptiesIt()
{
    EventMerger m;
    m.reset(2);
    ServerBatch a = batch(0, 100, {100, 50});
    m.add(a);
    QCOMPARE(times(m.releaseAll()), (QVector<qint64>{50, 100}));
    QCOMPARE(m.held(), size_t(0));
    QVERIFY(m.releaseAll().isEmpty());
}

void tst_EventMerger::droppedCountsAreSummedOnce()
{
    EventMerger m;
    m.reset(2);
    ServerBatch a = batch(0, 10, {});
    a.eventsDropped = 3;
    ServerBatch b = batch(1, 10, {});
    b.eventsDropped = 4;
    m.add(a);
    m.add(b);
    QCOMPARE(a.eventsDropped, quint64(0));
    QCOMPARE(m.takeDropped(), quint64(7));
    QCOMPARE(m.takeDropped(), quint64(0));
}

void tst_EventMerger::batchKeepsItsSnapshots()
{
    EventMerger m;
    m.reset(1);
    ServerBatch a = batch(0, 10, {10});
    ConnectionSnapshot s;
    s.id = 7;
    a.updated.push_back(s);
    a.closed.push_back({8, CloseReason::Kicked});
    a.full = true;
    m.add(a);
    QCOMPARE(a.updated.size(), 1);
    QCOMPARE(a.closed.size(), 1);
    QVERIFY(a.full);
}

QTEST_GUILESS_MAIN(tst_EventMerger)
#include "tst_eventmerger.moc"
