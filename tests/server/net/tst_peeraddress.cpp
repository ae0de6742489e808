// PeerAddress: the text form of a peer in log events (PROTOCOL.md §5: HOST:PORT).
#include "peeraddress.h"

#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>

using namespace Vigil;

class tst_PeerAddress : public QObject
{
    Q_OBJECT

private slots:
    void fromSockaddr_data();
    void fromSockaddr();
    void sameHost();
    void ofBadSocket();
};

void tst_PeerAddress::fromSockaddr_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("v4");

    QTest::newRow("IPv4") << "127.0.0.1" << 5555 << "127.0.0.1:5555" << true;
    QTest::newRow("IPv4 port 0") << "10.1.2.3" << 0 << "10.1.2.3:0" << true;
    QTest::newRow("IPv6 loopback") << "::1" << 80 << "[::1]:80" << false;
    QTest::newRow("IPv6") << "2001:db8::7" << 65535 << "[2001:db8::7]:65535" << false;
    QTest::newRow("IPv4-mapped IPv6") << "::ffff:127.0.0.1" << 9 << "127.0.0.1:9" << true;
}

void tst_PeerAddress::fromSockaddr()
{
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, text);
    QFETCH(bool, v4);

    sockaddr_storage storage{};
    if (!host.contains(QLatin1Char(':'))) {
        auto *in = reinterpret_cast<sockaddr_in *>(&storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(quint16(port));
        QCOMPARE(inet_pton(AF_INET, host.toLatin1().constData(), &in->sin_addr), 1);
    } else {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(quint16(port));
        QCOMPARE(inet_pton(AF_INET6, host.toLatin1().constData(), &in6->sin6_addr), 1);
    }
    const PeerAddress p = PeerAddress::fromSockaddr(reinterpret_cast<const sockaddr *>(&storage));
    QCOMPARE(p.toString(), text);
    QCOMPARE(QString::fromStdString(p.toStdString()), text);
    QCOMPARE(int(p.port), port);
    QCOMPARE(p.v4, v4);
}

void tst_PeerAddress::sameHost()
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(1);
    sockaddr_in b = a;
    b.sin_port = htons(2);
    const PeerAddress pa = PeerAddress::fromSockaddr(reinterpret_cast<const sockaddr *>(&a));
    const PeerAddress pb = PeerAddress::fromSockaddr(reinterpret_cast<const sockaddr *>(&b));
    QVERIFY(pa.sameHost(pb));
    b.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
    QVERIFY(!pa.sameHost(PeerAddress::fromSockaddr(reinterpret_cast<const sockaddr *>(&b))));
}

void tst_PeerAddress::ofBadSocket()
{
    const PeerAddress p = PeerAddress::ofSocket(-1);
    QCOMPARE(p.port, quint16(0));
}

QTEST_GUILESS_MAIN(tst_PeerAddress)
#include "tst_peeraddress.moc"
