// PROTOCOL.md §9, the PROXY protocol: a real vigild behind raw clients
// that write v1 and v2 headers, and behind a real HAProxy (send-proxy-v2).
// The header's address must be the peer from then on, an untrusted source
// or a bad header must end the connection without a BYE, and a header that
// does not come in time must be a handshake timeout, never early.
#include "rawclient.h"
#include "testwire.h"
#include "vigildprocess.h"

#include <QJsonArray>
#include <QProcess>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>

#include <cstring>
#include <utility>

using namespace VigilTest;

namespace {
constexpr int WaitMs = 5000;
const QByteArray V2Sig = QByteArray("\r\n\r\n\0\r\nQUIT\n", 12);

QByteArray v2Inet(const char *source, quint16 sport, const QByteArray &tlvs = QByteArray())
{
    QByteArray block(12, '\0');
    in_addr src{}, dst{};
    ::inet_pton(AF_INET, source, &src);
    ::inet_pton(AF_INET, "192.0.2.1", &dst);
    std::memcpy(block.data(), &src, 4);
    std::memcpy(block.data() + 4, &dst, 4);
    block[8] = char(sport >> 8);
    block[9] = char(sport & 0xff);
    block[10] = char(7600 >> 8);
    block[11] = char(7600 & 0xff);
    block += tlvs;
    QByteArray h = V2Sig;
    h.append(char(0x21)).append(char(0x11)).append(char(block.size() >> 8)).append(char(block.size() & 0xff));
    return h + block;
}

QByteArray v2Inet6(const char *source, quint16 sport)
{
    QByteArray block(36, '\0');
    in6_addr src{}, dst{};
    ::inet_pton(AF_INET6, source, &src);
    ::inet_pton(AF_INET6, "::1", &dst);
    std::memcpy(block.data(), &src, 16);
    std::memcpy(block.data() + 16, &dst, 16);
    block[32] = char(sport >> 8);
    block[33] = char(sport & 0xff);
    block[34] = char(7600 >> 8);
    block[35] = char(7600 & 0xff);
    QByteArray h = V2Sig;
    h.append(char(0x21)).append(char(0x21)).append(char(0)).append(char(36));
    return h + block;
}

QByteArray v2Local()
{
    QByteArray h = V2Sig;
    h.append(char(0x20)).append(char(0x00)).append(char(0)).append(char(0));
    return h;
}

quint16 localPort(int fd)
{
    sockaddr_in a{};
    socklen_t len = sizeof(a);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    return ntohs(a.sin_port);
}

// A blocking loopback connection from a chosen 127/8 source address.
int connectFrom(const char *source, quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&from), sizeof(from)) != 0
        || ::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof(to)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}


// A port nobody listens on right now, for HAProxy's frontend.
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}
} // namespace

class tst_ProxyProtocol : public QObject
{
    Q_OBJECT

private slots:
    void v1HeaderAndPayloadInOneSegment();
    void v2HeaderThenPayload_data();
    void v2HeaderThenPayload();
    void bytesAfterTheHeaderSurvive();
    void v2LocalKeepsTheSocketAddress();
    void untrustedSourceIsRejected();
    void malformedHeader_data();
    void malformedHeader();
    void handshakeTimeout();
    void maxPerIpCountsTheRealAddress();
    void plainListenerIsUntouched();
    void reloadAddsProxyToTheSameSocket();
    void behindHaproxy();
};

// The header, then a DATA frame, in one send(): the frame is served, and
// the header's address is the peer from `proxied` on.
void tst_ProxyProtocol::v1HeaderAndPayloadInOneSegment()
{
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy")});
    Fd c(rawConnect(server.port()));
    QVERIFY(c.fd >= 0);
    const QByteArray frame = vigilFrame(Type::Data, "hello");
    QVERIFY(rawSend(c.fd, QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 56324 7600\r\n") + frame));
    QCOMPARE(rawRead(c.fd, frame.size(), WaitMs), frame);

    const QString socketPeer = QStringLiteral("127.0.0.1:%1").arg(localPort(c.fd));
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("proxied")).isEmpty(), WaitMs);
    const QJsonObject connected = server.event(QStringLiteral("connected"), QStringLiteral("peer"), socketPeer);
    QVERIFY(!connected.isEmpty());
    const QJsonObject proxied = server.event(QStringLiteral("proxied"));
    QCOMPARE(proxied.value(QLatin1String("conn")), connected.value(QLatin1String("conn")));
    QCOMPARE(proxied.value(QLatin1String("peer")).toString(), QStringLiteral("203.0.113.7:56324"));
    QCOMPARE(proxied.value(QLatin1String("proxy")).toString(), socketPeer);

    ::close(std::exchange(c.fd, -1));
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("closed")).isEmpty(), WaitMs);
    const QJsonObject closed = server.event(QStringLiteral("closed"));
    QCOMPARE(closed.value(QLatin1String("peer")).toString(), QStringLiteral("203.0.113.7:56324"));
    QCOMPARE(closed.value(QLatin1String("reason")).toString(), QStringLiteral("client-closed"));
}

void tst_ProxyProtocol::v2HeaderThenPayload_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("peer");

    QByteArray tlvs;
    tlvs.append(char(0x01)).append(char(0)).append(char(2)).append("h2");           // ALPN
    tlvs.append(char(0xE0)).append(char(1)).append(char(0)).append(QByteArray(256, 'z')); // custom, 256 bytes
    QTest::newRow("inet") << v2Inet("198.51.100.9", 40000) << "198.51.100.9:40000";
    QTest::newRow("inet with tlvs") << v2Inet("198.51.100.9", 40001, tlvs) << "198.51.100.9:40001";
    QTest::newRow("inet6") << v2Inet6("2001:db8::7", 12345) << "[2001:db8::7]:12345";
    QTest::newRow("v1 tcp6") << QByteArray("PROXY TCP6 2001:db8::8 ::1 1234 7600\r\n") << "[2001:db8::8]:1234";
}

// The header and the first frame in separate segments, the header itself
// split too: the parser waits for the rest without reading past it.
void tst_ProxyProtocol::v2HeaderThenPayload()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, peer);

    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy")});
    Fd c(rawConnect(server.port()));
    QVERIFY(c.fd >= 0);
    QVERIFY(rawSend(c.fd, header.left(5)));
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("connected")).isEmpty(), WaitMs);
    QVERIFY(rawSend(c.fd, header.mid(5)));
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("proxied")).isEmpty(), WaitMs);
    QCOMPARE(server.event(QStringLiteral("proxied")).value(QLatin1String("peer")).toString(), peer);
    const QByteArray frame = vigilFrame(Type::Data, "after the header");
    QVERIFY(rawSend(c.fd, frame));
    QCOMPARE(rawRead(c.fd, frame.size(), WaitMs), frame);
}

// What follows the header in its segment is the client's: with raw
// framing every byte of it comes back, in order (a TLS ClientHello must
// survive the same way).
void tst_ProxyProtocol::bytesAfterTheHeaderSurvive()
{
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy"), QStringLiteral("--framing"),
                          QStringLiteral("raw")});
    Fd c(rawConnect(server.port()));
    QVERIFY(c.fd >= 0);
    static const char hello[] = "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 client hello bytes";
    const QByteArray after(hello, sizeof(hello) - 1); // the NULs inside count, the terminator not
    QVERIFY(rawSend(c.fd, v2Inet("10.9.8.7", 999) + after));
    QCOMPARE(rawRead(c.fd, after.size(), WaitMs), after);
    QTRY_COMPARE_WITH_TIMEOUT(server.event(QStringLiteral("proxied")).value(QLatin1String("peer")).toString(),
                              QStringLiteral("10.9.8.7:999"), WaitMs);
}

// LOCAL (a proxy's health check) names nobody: the socket address stays,
// no `proxied` is logged, and the connection is served.
void tst_ProxyProtocol::v2LocalKeepsTheSocketAddress()
{
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy")});
    Fd c(rawConnect(server.port()));
    QVERIFY(c.fd >= 0);
    const QByteArray frame = vigilFrame(Type::Data, "health");
    QVERIFY(rawSend(c.fd, v2Local() + frame));
    QCOMPARE(rawRead(c.fd, frame.size(), WaitMs), frame);
    QVERIFY(server.event(QStringLiteral("proxied")).isEmpty());
    Fd u(rawConnect(server.port()));
    QVERIFY(rawSend(u.fd, QByteArray("PROXY UNKNOWN\r\n") + frame));
    QCOMPARE(rawRead(u.fd, frame.size(), WaitMs), frame);
    QVERIFY(server.event(QStringLiteral("proxied")).isEmpty());
}

// A source outside --proxy-from is closed at once, before it can send
// anything: `rejected` untrusted-proxy, no BYE, no `connected`, no `closed`.
void tst_ProxyProtocol::untrustedSourceIsRejected()
{
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy"), QStringLiteral("--proxy-from"),
                          QStringLiteral("10.0.0.0/8")});
    Fd c(rawConnect(server.port()));
    QVERIFY(c.fd >= 0);
    const QString socketPeer = QStringLiteral("127.0.0.1:%1").arg(localPort(c.fd));
    QVERIFY(rawSend(c.fd, QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 1 2\r\n")));
    QCOMPARE(rawRead(c.fd, 1, WaitMs), QByteArray()); // EOF, no BYE
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("rejected")).isEmpty(), WaitMs);
    const QJsonObject rejected = server.event(QStringLiteral("rejected"));
    QCOMPARE(rejected.value(QLatin1String("reason")).toString(), QStringLiteral("untrusted-proxy"));
    QCOMPARE(rejected.value(QLatin1String("peer")).toString(), socketPeer);
    QVERIFY(server.event(QStringLiteral("connected")).isEmpty());
    QVERIFY(server.event(QStringLiteral("closed")).isEmpty());
    QVERIFY(server.event(QStringLiteral("proxied")).isEmpty());
}

void tst_ProxyProtocol::malformedHeader_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("plain vigil frame") << vigilFrame(Type::Data, "no header");
    QTest::newRow("http") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QTest::newRow("v1 bad address") << QByteArray("PROXY TCP4 1.2.3 4.5.6.7 1 2\r\n");
    QTest::newRow("v1 too long") << QByteArray("PROXY UNKNOWN ") + QByteArray(200, 'x');
    QTest::newRow("v2 version 3") << V2Sig + QByteArray("\x31\x11\x00\x0c", 4) + QByteArray(12, '\0');
}

// PROTOCOL.md §9: protocol-error, and no BYE before the header was read.
void tst_ProxyProtocol::malformedHeader()
{
    QFETCH(QByteArray, bytes);
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy")});
    Fd c(rawConnect(server.port()));
    QVERIFY(c.fd >= 0);
    QVERIFY(rawSend(c.fd, bytes));
    QCOMPARE(rawRead(c.fd, 1, WaitMs), QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(server.event(QStringLiteral("closed")).value(QLatin1String("reason")).toString(),
                              QStringLiteral("protocol-error"), WaitMs);
    QVERIFY(server.event(QStringLiteral("proxied")).isEmpty());
}

// A header that is not complete within --handshake-timeout of accept:
// `timeout kind=handshake`, `closed reason=handshake-timeout`, no BYE,
// and not before the timeout (the client's connect started before accept).
void tst_ProxyProtocol::handshakeTimeout()
{
    constexpr qint64 TimeoutMs = 400;
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy"),
                          QStringLiteral("--handshake-timeout"), QStringLiteral("400ms")});
    QElapsedTimer clock;
    clock.start();
    Fd c(rawConnect(server.port()));
    QVERIFY(c.fd >= 0);
    QVERIFY(rawSend(c.fd, QByteArray("PROXY TCP4 203.0.113.7 ")));
    QVERIFY(rawWaitClosed(c.fd, 10000));
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(elapsed >= TimeoutMs, qPrintable(QStringLiteral("closed after %1 ms").arg(elapsed)));
    QVERIFY2(elapsed < TimeoutMs + 3000, qPrintable(QStringLiteral("closed after %1 ms").arg(elapsed)));
    QTRY_COMPARE_WITH_TIMEOUT(server.event(QStringLiteral("closed")).value(QLatin1String("reason")).toString(),
                              QStringLiteral("handshake-timeout"), WaitMs);
    const QJsonObject timeout = server.event(QStringLiteral("timeout"));
    QCOMPARE(timeout.value(QLatin1String("kind")).toString(), QStringLiteral("handshake"));
    QCOMPARE(timeout.value(QLatin1String("after_ms")).toInteger(), TimeoutMs);
}

// All connections come from 127.0.0.1 (the proxy); --max-per-ip counts the
// addresses their headers name, when the header arrives.
void tst_ProxyProtocol::maxPerIpCountsTheRealAddress()
{
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy"), QStringLiteral("--max-per-ip"),
                          QStringLiteral("1")});
    const QByteArray frame = vigilFrame(Type::Data, "x");
    Fd a(rawConnect(server.port()));
    QVERIFY(rawSend(a.fd, QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 1000 7600\r\n") + frame));
    QCOMPARE(rawRead(a.fd, frame.size(), WaitMs), frame);

    Fd b(rawConnect(server.port()));
    QVERIFY(rawSend(b.fd, QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 1001 7600\r\n") + frame));
    const QByteArray bye = vigilFrame(Type::Bye, QByteArray(1, char(8))); // server-full, now that the header is in
    QCOMPARE(rawRead(b.fd, bye.size() + 1, WaitMs), bye);
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("rejected")).isEmpty(), WaitMs);
    const QJsonObject rejected = server.event(QStringLiteral("rejected"));
    QCOMPARE(rejected.value(QLatin1String("reason")).toString(), QStringLiteral("server-full"));
    QCOMPARE(rejected.value(QLatin1String("peer")).toString(), QStringLiteral("203.0.113.7:1001"));

    Fd c(rawConnect(server.port()));
    QVERIFY(rawSend(c.fd, QByteArray("PROXY TCP4 198.51.100.1 192.0.2.1 1002 7600\r\n") + frame));
    QCOMPARE(rawRead(c.fd, frame.size(), WaitMs), frame);
    // Only the one that was served ended as a session: the refusal has no `closed`.
    ::close(std::exchange(a.fd, -1));
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("closed"), QStringLiteral("peer"),
                                           QStringLiteral("203.0.113.7:1000")).isEmpty(), WaitMs);
    QVERIFY(server.event(QStringLiteral("closed"), QStringLiteral("peer"), QStringLiteral("203.0.113.7:1001")).isEmpty());

    // A releases its slot: 203.0.113.7 is admitted again.
    Fd d(rawConnect(server.port()));
    QVERIFY(rawSend(d.fd, QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 1003 7600\r\n") + frame));
    QCOMPARE(rawRead(d.fd, frame.size(), WaitMs), frame);
}

// Next to a proxy listener, a plain one takes no header and sees no change.
void tst_ProxyProtocol::plainListenerIsUntouched()
{
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy"), QStringLiteral("--listen"),
                          QStringLiteral("127.0.0.1:0")},
                 2);
    Fd c(rawConnect(server.port(1)));
    const QByteArray frame = vigilFrame(Type::Data, "plain");
    QVERIFY(rawSend(c.fd, frame));
    QCOMPARE(rawRead(c.fd, frame.size(), WaitMs), frame);
    QVERIFY(server.event(QStringLiteral("proxied")).isEmpty());
}

// PROTOCOL.md §11 compares entries as written: adding ",proxy" to a
// listener is a change, and it keeps its socket (a fixed port could not be
// bound twice), so the same port takes PROXY headers after SIGHUP.
void tst_ProxyProtocol::reloadAddsProxyToTheSameSocket()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("vigild.conf"));
    auto writeConfig = [&](const QByteArray &listen) {
        QFile f(path);
        return f.open(QIODevice::WriteOnly | QIODevice::Truncate)
            && f.write("log-format = json\nlisten = " + listen + "\n") > 0;
    };
    QVERIFY(writeConfig("127.0.0.1:" + QByteArray::number(port)));
    START_VIGILD(server, {QStringLiteral("--config"), path});
    QCOMPARE(server.port(), port);
    QVERIFY(writeConfig("127.0.0.1:" + QByteArray::number(port) + ",proxy"));
    ::kill(pid_t(server.pid()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("reloaded")).isEmpty()
                                 || !server.event(QStringLiteral("reload-failed")).isEmpty(),
                             WaitMs);
    QVERIFY2(server.event(QStringLiteral("reload-failed")).isEmpty(),
             qPrintable(server.event(QStringLiteral("reload-failed")).value(QLatin1String("error")).toString()));
    const QJsonArray changed = server.event(QStringLiteral("reloaded")).value(QLatin1String("changed")).toArray();
    QVERIFY(changed.contains(QStringLiteral("listen")));
    Fd c(rawConnect(port));
    const QByteArray frame = vigilFrame(Type::Data, "now proxied");
    QVERIFY(rawSend(c.fd, QByteArray("PROXY TCP4 203.0.113.50 192.0.2.1 5000 7600\r\n") + frame));
    QCOMPARE(rawRead(c.fd, frame.size(), WaitMs), frame);
    QTRY_COMPARE_WITH_TIMEOUT(server.event(QStringLiteral("proxied")).value(QLatin1String("peer")).toString(),
                              QStringLiteral("203.0.113.50:5000"), WaitMs);
}

// A real HAProxy in front (send-proxy-v2): its clients, here from
// 127.0.0.2 and 127.0.0.3, are the peers vigild logs, not HAProxy's own
// 127.0.0.1.
void tst_ProxyProtocol::behindHaproxy()
{
    const QString haproxy = QStandardPaths::findExecutable(QStringLiteral("haproxy"));
    if (haproxy.isEmpty())
        QSKIP("haproxy is not installed");
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy")});
    const quint16 front = freePort();
    QVERIFY(front != 0);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString cfgPath = dir.filePath(QStringLiteral("haproxy.cfg"));
    QFile cfg(cfgPath);
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write(QStringLiteral("global\n"
                             "  maxconn 100\n"
                             "defaults\n"
                             "  mode tcp\n"
                             "  timeout connect 5s\n"
                             "  timeout client 30s\n"
                             "  timeout server 30s\n"
                             "frontend front\n"
                             "  bind 127.0.0.1:%1\n"
                             "  default_backend vigild\n"
                             "backend vigild\n"
                             "  server vigild 127.0.0.1:%2 send-proxy-v2\n")
                  .arg(front)
                  .arg(server.port())
                  .toUtf8());
    cfg.close();
    QProcess proxy;
    proxy.setProcessChannelMode(QProcess::MergedChannels);
    proxy.start(haproxy, {QStringLiteral("-f"), cfgPath, QStringLiteral("-db")});
    QVERIFY2(proxy.waitForStarted(5000), qPrintable(proxy.errorString()));
    auto stopProxy = qScopeGuard([&proxy]() {
        proxy.terminate();
        if (!proxy.waitForFinished(5000))
            proxy.kill();
        proxy.waitForFinished(5000);
    });
    // HAProxy is up once its frontend accepts.
    int probe = -1;
    QVERIFY2(QTest::qWaitFor([&]() { return (probe = connectFrom("127.0.0.1", front)) >= 0; }, 10000),
             qPrintable(QString::fromLocal8Bit(proxy.readAll())));
    ::close(probe);

    const char *sources[] = {"127.0.0.2", "127.0.0.3"};
    for (const char *source : sources) {
        // HAProxy is up; a connect can still be refused while it is busy
        // with the last one on a loaded box: retry, and say why if it died.
        int fd = -1;
        QVERIFY2(QTest::qWaitFor([&]() { return (fd = connectFrom(source, front)) >= 0; }, WaitMs)
                     && proxy.state() == QProcess::Running,
                 qPrintable(QStringLiteral("connect from %1: %2; haproxy %3: %4")
                                .arg(QLatin1String(source), QString::fromLocal8Bit(std::strerror(errno)))
                                .arg(proxy.state() == QProcess::Running ? QStringLiteral("running") : QStringLiteral("gone"),
                                     QString::fromLocal8Bit(proxy.readAll()))));
        Fd c(fd);
        const QString real = QStringLiteral("%1:%2").arg(QLatin1String(source)).arg(localPort(c.fd));
        const QByteArray frame = vigilFrame(Type::Data, QByteArray("via haproxy from ") + source);
        QVERIFY(rawSend(c.fd, frame));
        QCOMPARE(rawRead(c.fd, frame.size(), WaitMs), frame);
        QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("proxied"), QStringLiteral("peer"), real).isEmpty(), WaitMs);
        const QJsonObject proxied = server.event(QStringLiteral("proxied"), QStringLiteral("peer"), real);
        QVERIFY2(proxied.value(QLatin1String("proxy")).toString().startsWith(QLatin1String("127.0.0.1:")),
                 qPrintable(proxied.value(QLatin1String("proxy")).toString()));
        // The connection's own `connected` was HAProxy's socket address.
        const QJsonObject connected = server.event(QStringLiteral("connected"), QStringLiteral("conn"),
                                                   proxied.value(QLatin1String("conn")));
        QCOMPARE(connected.value(QLatin1String("peer")), proxied.value(QLatin1String("proxy")));
    }
}

QTEST_GUILESS_MAIN(tst_ProxyProtocol)
#include "tst_proxyprotocol.moc"
