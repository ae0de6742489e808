// EventRing: sequence numbers, bounded size, and the "missed" count a
// reader that fell behind is told.
#include "eventring.h"

#include <QTest>

using namespace Vigil;

class TestEventRing : public QObject
{
    Q_OBJECT

private:
    static ServerEvent eventFor(quint64 conn)
    {
        ServerEvent e;
        e.conn = conn;
        return e;
    }

private slots:
    void emptyRing()
    {
        EventRing ring(4);
        QVERIFY(!ring.hasAfter(0));
        const auto slice = ring.read(0, 10);
        QVERIFY(slice.entries.isEmpty());
        QCOMPARE(slice.missed, 0u);
        QCOMPARE(slice.last, 0u);
    }

    void readsInOrderFromSince()
    {
        EventRing ring(8);
        for (quint64 i = 1; i <= 5; ++i)
            ring.append(eventFor(i));
        QCOMPARE(ring.lastSeq(), 5u);
        QVERIFY(ring.hasAfter(3));
        QVERIFY(!ring.hasAfter(5));
        const auto slice = ring.read(3, 10);
        QCOMPARE(slice.entries.size(), 2);
        QCOMPARE(slice.entries[0].seq, 4u);
        QCOMPARE(slice.entries[0].event.conn, 4u);
        QCOMPARE(slice.entries[1].seq, 5u);
        QCOMPARE(slice.last, 5u);
        QCOMPARE(slice.missed, 0u);
    }

    void limitCapsOneRead()
    {
        EventRing ring(8);
        for (quint64 i = 1; i <= 6; ++i)
            ring.append(eventFor(i));
        const auto first = ring.read(0, 4);
        QCOMPARE(first.entries.size(), 4);
        QCOMPARE(first.last, 4u);
        const auto rest = ring.read(first.last, 4);
        QCOMPARE(rest.entries.size(), 2);
        QCOMPARE(rest.last, 6u);
    }

    void boundedAndTellsWhatWasMissed()
    {
        EventRing ring(4);
        for (quint64 i = 1; i <= 10; ++i)
            ring.append(eventFor(i));
        QCOMPARE(ring.size(), 4);
        QCOMPARE(ring.oldestSeq(), 7u);
        // A reader that last saw 2 missed 3..6.
        const auto slice = ring.read(2, 100);
        QCOMPARE(slice.missed, 4u);
        QCOMPARE(slice.entries.size(), 4);
        QCOMPARE(slice.entries.constFirst().seq, 7u);
        QCOMPARE(slice.last, 10u);
        // One that is current missed nothing.
        QCOMPARE(ring.read(8, 100).missed, 0u);
    }

    void sinceFromTheFutureStartsOver()
    {
        // A reader that kept its since across a vigild restart.
        EventRing ring(4);
        ring.append(eventFor(1));
        QVERIFY(ring.hasAfter(99));
        const auto slice = ring.read(99, 10);
        QCOMPARE(slice.entries.size(), 1);
        QCOMPARE(slice.last, 1u);
    }

    void serverDroppedAccumulates()
    {
        EventRing ring(4);
        ring.addServerDropped(3);
        ring.addServerDropped(2);
        QCOMPARE(ring.serverDropped(), 5u);
    }
};

QTEST_GUILESS_MAIN(TestEventRing)
#include "tst_eventring.moc"
