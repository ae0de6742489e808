// AdminSlots: who gets an admin slot, and who gives way for it.
#include "adminslots.h"

#include <QTest>

using namespace Vigil;

namespace {
const QHostAddress A(QStringLiteral("192.0.2.1"));
const QHostAddress B(QStringLiteral("192.0.2.2"));

AdminSlots::Holder waiting(const QHostAddress &source, qint64 sinceMs)
{
    return AdminSlots::Holder{source, true, sinceMs};
}

AdminSlots::Holder busy(const QHostAddress &source)
{
    return AdminSlots::Holder{source, false, 0};
}
} // namespace

class tst_AdminSlots : public QObject
{
    Q_OBJECT

private slots:
    void roomAdmitsWithoutEvicting()
    {
        const AdminSlots policy(4, 3);
        const auto d = policy.decide({waiting(A, 1), busy(B)}, A);
        QVERIFY(d.admit);
        QCOMPARE(d.evict, -1);
    }

    void fullShareEvictsOwnOldestWaiting()
    {
        // A holds its share of 3; B's older waiting socket is not A's to take.
        const AdminSlots policy(8, 3);
        const auto d = policy.decide({waiting(B, 1), waiting(A, 30), busy(A), waiting(A, 20)}, A);
        QVERIFY(d.admit);
        QCOMPARE(d.evict, 3);
    }

    void fullShareOfBusyConnectionsRefuses()
    {
        const AdminSlots policy(8, 2);
        const auto d = policy.decide({busy(A), busy(A), waiting(B, 1)}, A);
        QVERIFY(!d.admit);
    }

    void fullEndpointEvictsFromLargestSource()
    {
        // B holds more slots than A: B gives way, oldest waiting first.
        const AdminSlots policy(5, 4);
        const auto d = policy.decide({waiting(A, 1), waiting(B, 9), waiting(B, 5), busy(B), waiting(A, 2)},
                                    QHostAddress(QStringLiteral("192.0.2.3")));
        QVERIFY(d.admit);
        QCOMPARE(d.evict, 2);
    }

    void fullEndpointFallsBackToOtherSources()
    {
        // The largest source has nobody waiting: the next one gives way.
        const AdminSlots policy(4, 4);
        const auto d = policy.decide({busy(B), busy(B), busy(B), waiting(A, 7)}, B);
        QVERIFY(d.admit);
        QCOMPARE(d.evict, 3);
    }

    void fullEndpointOfBusyConnectionsRefuses()
    {
        const AdminSlots policy(2, 2);
        QVERIFY(!policy.decide({busy(A), busy(B)}, A).admit);
    }
};

QTEST_GUILESS_MAIN(tst_AdminSlots)
#include "tst_adminslots.moc"
