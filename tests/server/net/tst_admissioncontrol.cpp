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
    void proxiedConnectionsAdmitInTwoSteps();
    void trustedProxies_data();
    void trustedProxies();
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

// PROTOCOL.md §9: on a proxy listener --max-connections counts at accept,
// --max-per-ip once the header names the client.
void tst_AdmissionControl::proxiedConnectionsAdmitInTwoSteps()
{
    AdmissionControl a;
    a.configure(3, 1);
    QVERIFY(a.tryAdmitUnnamed());
    QVERIFY(a.tryAdmitUnnamed());
    QCOMPARE(a.open(), 2);
    QVERIFY(a.tryAddHost(v4(7, 1)));
    QVERIFY(!a.tryAddHost(v4(7, 2))); // the same client again
    a.releaseUnnamed();               // ... which is refused and goes
    QVERIFY(a.tryAdmit(v4(8, 1)));    // a plain connection from elsewhere
    QVERIFY(a.tryAdmitUnnamed());
    QVERIFY(!a.tryAdmitUnnamed()); // --max-connections 3
    QVERIFY(!a.tryAdmit(v4(9, 1)));
    a.release(v4(7, 1)); // the proxied one ends: its slot and its host's
    QCOMPARE(a.open(), 2);
    QVERIFY(a.tryAddHost(v4(7, 3)));
}

void tst_AdmissionControl::trustedProxies_data()
{
    QTest::addColumn<QStringList>("sources");
    QTest::addColumn<QString>("peer");
    QTest::addColumn<bool>("trusted");

    const QStringList defaults{"127.0.0.0/8", "::1"};
    QTest::newRow("default loopback") << defaults << "127.0.0.1" << true;
    QTest::newRow("default loopback .2") << defaults << "127.1.2.3" << true;
    QTest::newRow("default ::1") << defaults << "::1" << true;
    QTest::newRow("default other") << defaults << "10.0.0.1" << false;
    QTest::newRow("default v6 other") << defaults << "::2" << false;
    QTest::newRow("/24 in") << QStringList{"192.168.7.0/24"} << "192.168.7.255" << true;
    QTest::newRow("/24 out") << QStringList{"192.168.7.0/24"} << "192.168.8.0" << false;
    QTest::newRow("/23 odd bits in") << QStringList{"10.0.2.0/23"} << "10.0.3.9" << true;
    QTest::newRow("/23 odd bits out") << QStringList{"10.0.2.0/23"} << "10.0.4.1" << false;
    QTest::newRow("v6 /32") << QStringList{"2001:db8::/32"} << "2001:db8:ffff::1" << true;
    QTest::newRow("v6 /32 out") << QStringList{"2001:db8::/32"} << "2001:db9::1" << false;
    QTest::newRow("v4 does not match v6") << QStringList{"0.0.0.0/0"} << "2001:db8::1" << false;
    QTest::newRow("v4 everyone") << QStringList{"0.0.0.0/0"} << "203.0.113.9" << true;
    QTest::newRow("nobody") << QStringList{} << "127.0.0.1" << false;
}

void tst_AdmissionControl::trustedProxies()
{
    QFETCH(QStringList, sources);
    QFETCH(QString, peer);
    QFETCH(bool, trusted);

    QList<ProxySource> list;
    for (const QString &s : sources)
        list.append(*ProxySource::parse(s));
    AdmissionControl a;
    a.setTrustedProxies(list);
    PeerAddress p;
    const QHostAddress address(peer);
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v = address.toIPv4Address();
        p.address[10] = p.address[11] = 0xff;
        for (int i = 0; i < 4; ++i)
            p.address[size_t(12 + i)] = quint8(v >> (24 - 8 * i));
    } else {
        const Q_IPV6ADDR v6 = address.toIPv6Address();
        for (int i = 0; i < 16; ++i)
            p.address[size_t(i)] = v6.c[i];
        p.v4 = false;
    }
    QCOMPARE(a.isTrustedProxy(p), trusted);
}

QTEST_GUILESS_MAIN(tst_AdmissionControl)
#include "tst_admissioncontrol.moc"
