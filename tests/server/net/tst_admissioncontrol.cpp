// AdmissionControl: --max-connections and --max-per-ip at accept (PROTOCOL.md §7).
#include "admissioncontrol.h"

#include <QTest>

using namespace Vigil;

namespace {
PeerAddress v4(quint8 last, quint16 port)
{
    PeerAddress p;
    p.address[10] = p.address[11] = 0xff;
    p.address[12] = 127;
    p.address[15] = last;
    p.port = port;
    return p;
}
} // namespace

class tst_AdmissionControl : public QObject
{
    Q_OBJECT

private slots:
    void unlimited();
    void maxConnections_data();
    void maxConnections();
    void maxPerIpCountsHosts();
    void releaseFreesTheSlot();
    void limitTurnedOnLaterIsExact();
};

void tst_AdmissionControl::unlimited()
{
    AdmissionControl a;
    a.configure(0, 0);
    for (int i = 0; i < 1000; ++i)
        QVERIFY(a.tryAdmit(v4(1, quint16(i))));
    QCOMPARE(a.open(), 1000);
}

void tst_AdmissionControl::maxConnections_data()
{
    QTest::addColumn<int>("max");
    QTest::newRow("1") << 1;
    QTest::newRow("3") << 3;
    QTest::newRow("100") << 100;
}

void tst_AdmissionControl::maxConnections()
{
    QFETCH(int, max);

    AdmissionControl a;
    a.configure(max, 0);
    for (int i = 0; i < max; ++i)
        QVERIFY(a.tryAdmit(v4(quint8(1 + i % 3), quint16(i))));
    QVERIFY(!a.tryAdmit(v4(9, 1)));
    QCOMPARE(a.open(), max); // a refusal is not counted
}

void tst_AdmissionControl::maxPerIpCountsHosts()
{
    AdmissionControl a;
    a.configure(0, 2);
    QVERIFY(a.tryAdmit(v4(1, 1000)));
    QVERIFY(a.tryAdmit(v4(1, 1001)));
    QVERIFY(!a.tryAdmit(v4(1, 1002))); // same host, another port
    QVERIFY(a.tryAdmit(v4(2, 1000)));  // another host
    QCOMPARE(a.open(), 3);
}

void tst_AdmissionControl::releaseFreesTheSlot()
{
    AdmissionControl a;
    a.configure(1, 1);
    const PeerAddress first = v4(1, 1);
    QVERIFY(a.tryAdmit(first));
    QVERIFY(!a.tryAdmit(v4(1, 2)));
    a.release(first);
    QCOMPARE(a.open(), 0);
    QVERIFY(a.tryAdmit(v4(1, 3)));
}

// Connections admitted while --max-per-ip was 0 still count once it is set.
void tst_AdmissionControl::limitTurnedOnLaterIsExact()
{
    AdmissionControl a;
    a.configure(0, 0);
    QVERIFY(a.tryAdmit(v4(1, 1)));
    QVERIFY(a.tryAdmit(v4(1, 2)));
    a.configure(0, 2);
    QVERIFY(!a.tryAdmit(v4(1, 3)));
    a.release(v4(1, 1));
    QVERIFY(a.tryAdmit(v4(1, 4)));
}

QTEST_GUILESS_MAIN(tst_AdmissionControl)
#include "tst_admissioncontrol.moc"
