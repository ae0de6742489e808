// PROTOCOL.md §9, TLS listeners: a real vigild on 127.0.0.1 behind real
// TLS clients (QSslSocket, `openssl s_client`) and raw sockets that never
// finish, or never start, a handshake. The framing and the watchdogs must
// work inside TLS as in clear, a handshake must be bounded by
// --handshake-timeout, a failed one must be tls-error, `,tls,proxy` must
// read the PROXY header in clear before TLS, and SIGHUP must rotate the
// certificate for new handshakes only.
#include "rawclient.h"
#include "testwire.h"
#include "tlsfiles.h"
#include "vigildprocess.h"

#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <csignal>
#include <utility>

using namespace VigilTest;

namespace {
constexpr int WaitMs = 10000;

// A QSslSocket client that records the decrypted bytes it receives. It
// trusts any certificate: the tests compare the one the server showed.
class TlsClient final
{
public:
    explicit TlsClient(QSsl::SslProtocol protocol = QSsl::TlsV1_2OrLater)
    {
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setPeerVerifyMode(QSslSocket::VerifyNone);
        c.setProtocol(protocol);
        m_socket.setSslConfiguration(c);
        QObject::connect(&m_socket, &QSslSocket::readyRead, &m_socket, [this]() { m_in += m_socket.readAll(); });
        QObject::connect(&m_socket, &QSslSocket::disconnected, &m_socket, [this]() { m_disconnected = true; });
        QObject::connect(&m_socket, &QSslSocket::sslErrors, &m_socket,
                         [this](const QList<QSslError> &) { m_socket.ignoreSslErrors(); });
    }
    void connectTo(quint16 port) { m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, QStringLiteral("localhost")); }
    // TLS over a socket that already carries something in clear (a PROXY header).
    bool startOn(int fd)
    {
        if (!m_socket.setSocketDescriptor(fd))
            return false;
        m_socket.setPeerVerifyName(QStringLiteral("localhost"));
        m_socket.startClientEncryption();
        return true;
    }
    bool waitEncrypted()
    {
        return QTest::qWaitFor([this]() { return m_socket.isEncrypted() || m_disconnected; }, WaitMs)
            && m_socket.isEncrypted();
    }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    const QByteArray &received() const { return m_in; }
    bool isDisconnected() const { return m_disconnected; }
    quint16 localPort() const { return m_socket.localPort(); }
    QSslCertificate peerCertificate() const { return m_socket.peerCertificate(); }
    QSslSocket &socket() { return m_socket; }

private:
    QSslSocket m_socket;
    QByteArray m_in;
    bool m_disconnected = false;
};

// The native frames in bytes, as (type, payload); a partial tail is left out.
QList<std::pair<quint8, QByteArray>> framesIn(const QByteArray &bytes)
{
    QList<std::pair<quint8, QByteArray>> frames;
    qsizetype at = 0;
    while (bytes.size() - at >= 8) {
        const quint32 length = quint32(quint8(bytes.at(at + 4))) << 24 | quint32(quint8(bytes.at(at + 5))) << 16
                               | quint32(quint8(bytes.at(at + 6))) << 8 | quint32(quint8(bytes.at(at + 7)));
        if (bytes.size() - at - 8 < qsizetype(length))
            break;
        frames.append({quint8(bytes.at(at + 3)), bytes.mid(at + 8, qsizetype(length))});
        at += 8 + qsizetype(length);
    }
    return frames;
}

// The reason code of the first BYE in bytes, -1 while there is none.
int byeCodeIn(const QByteArray &bytes)
{
    for (const auto &[type, payload] : framesIn(bytes)) {
        if (type == Type::Bye && !payload.isEmpty())
            return quint8(payload.at(0));
    }
    return -1;
}

QSslCertificate certificateIn(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QSslCertificate();
    const QList<QSslCertificate> certs = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
    return certs.isEmpty() ? QSslCertificate() : certs.first();
}

bool copyFile(const QString &from, const QString &to)
{
    QFile::remove(to);
    return QFile::copy(from, to);
}

QByteArray v2Header(const char *source, quint16 sport)
{
    QByteArray h("\r\n\r\n\0\r\nQUIT\n", 12);
    h.append(char(0x21)).append(char(0x11)).append(char(0)).append(char(12));
    in_addr src{}, dst{};
    ::inet_pton(AF_INET, source, &src);
    ::inet_pton(AF_INET, "192.0.2.1", &dst);
    h.append(reinterpret_cast<const char *>(&src), 4).append(reinterpret_cast<const char *>(&dst), 4);
    h.append(char(sport >> 8)).append(char(sport & 0xff)).append(char(7600 >> 8)).append(char(7600 & 0xff));
    return h;
}

} // namespace

class tst_Tls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void echoOverTls_data();
    void echoOverTls();
    void opensslClient();
    void stalledHandshakeTimesOutAndBlocksNoOne();
    void garbageIsTlsError();
    void idleTimeoutInsideTls();
    void pingInsideTls();
    void proxyHeaderThenTls();
    void sighupRotatesTheCertificate();

private:
    QStringList tlsArgs(const QString &listen = QStringLiteral("127.0.0.1:0,tls")) const
    {
        return {QStringLiteral("--listen"), listen, QStringLiteral("--tls-cert"), m_files.path("rsa.crt"),
                QStringLiteral("--tls-key"), m_files.path("rsa.key")};
    }
    TlsFiles m_files;
};

void tst_Tls::initTestCase()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    QVERIFY2(m_files.make(), qPrintable(m_files.error()));
}

void tst_Tls::echoOverTls_data()
{
    QTest::addColumn<int>("protocol");
    QTest::addColumn<QString>("version");
    QTest::newRow("tls1.3") << int(QSsl::TlsV1_3) << "TLSv1.3";
    QTest::newRow("tls1.2") << int(QSsl::TlsV1_2) << "TLSv1.2";
}

// The native framing inside TLS: HELLO gets WELCOME, DATA its echo, and
// the `tls` event names the version and cipher right after `connected`.
void tst_Tls::echoOverTls()
{
    QFETCH(int, protocol);
    QFETCH(QString, version);
    START_VIGILD(server, tlsArgs());
    TlsClient client{QSsl::SslProtocol(protocol)};
    client.connectTo(server.port());
    QVERIFY(client.waitEncrypted());
    QCOMPARE(client.peerCertificate(), certificateIn(m_files.path("rsa.crt")));
    client.send(vigilFrame(Type::Hello, R"({"client":"tls-test"})"));
    const QByteArray frame = vigilFrame(Type::Data, "over tls");
    client.send(frame);
    QTRY_VERIFY_WITH_TIMEOUT(client.received().endsWith(frame), WaitMs);
    QCOMPARE(framesIn(client.received()).first().first, Type::Welcome);

    const qint64 conn = server.connId(client.localPort());
    QVERIFY(conn > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("tls")).isEmpty(), WaitMs);
    const QJsonObject tls = server.event(QStringLiteral("tls"));
    QCOMPARE(tls.value(QLatin1String("conn")).toInteger(), conn);
    QCOMPARE(tls.value(QLatin1String("version")).toString(), version);
    QVERIFY(!tls.value(QLatin1String("cipher")).toString().isEmpty());
    QCOMPARE(tls.value(QLatin1String("cipher")).toString(), client.socket().sessionCipher().name());
    QCOMPARE(server.event(QStringLiteral("listening")).value(QLatin1String("tls")).toBool(), true);
    QTRY_COMPARE_WITH_TIMEOUT(server.event(QStringLiteral("hello")).value(QLatin1String("client")).toString(),
                              QStringLiteral("tls-test"), WaitMs);

    client.socket().disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("client-closed"), WaitMs);
}

// A client that is not Qt: openssl s_client, line framing, a line echoed.
void tst_Tls::opensslClient()
{
    if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
        QSKIP("openssl is not installed");
    QStringList args = tlsArgs();
    args << QStringLiteral("--framing") << QStringLiteral("line");
    START_VIGILD(server, args);
    QProcess client;
    client.start(QStringLiteral("openssl"), {QStringLiteral("s_client"), QStringLiteral("-connect"),
                                             QStringLiteral("127.0.0.1:%1").arg(server.port()), QStringLiteral("-quiet"),
                                             QStringLiteral("-servername"), QStringLiteral("localhost")});
    QVERIFY(client.waitForStarted(WaitMs));
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("tls")).isEmpty(), WaitMs);
    client.write("hello from s_client\n");
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += client.readAllStandardOutput()).contains("hello from s_client\n"), WaitMs);
    QCOMPARE(server.event(QStringLiteral("tls")).value(QLatin1String("version")).toString(), QStringLiteral("TLSv1.3"));
    client.kill();
    client.waitForFinished(WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("closed")).isEmpty(), WaitMs);
}

// One thread: a client that connects and never sends a ClientHello is
// closed on --handshake-timeout (never early, no byte sent to it), and
// while it waits another client's handshake and echo go through at once.
void tst_Tls::stalledHandshakeTimesOutAndBlocksNoOne()
{
    QStringList args = tlsArgs();
    args << QStringLiteral("--threads") << QStringLiteral("1") << QStringLiteral("--handshake-timeout")
         << QStringLiteral("1500ms");
    START_VIGILD(server, args);
    Fd stalled(rawConnect(server.port()));
    QVERIFY(stalled.fd >= 0);
    const qint64 startedMs = nowMs();
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("connected")).isEmpty(), WaitMs);
    const qint64 conn = server.event(QStringLiteral("connected")).value(QLatin1String("conn")).toInteger();

    TlsClient other;
    other.connectTo(server.port());
    QVERIFY(other.waitEncrypted());
    const QByteArray frame = vigilFrame(Type::Data, "not blocked");
    other.send(frame);
    QTRY_VERIFY_WITH_TIMEOUT(other.received() == frame, WaitMs);
    QVERIFY2(nowMs() - startedMs < 1500, "the other client waited for the stalled handshake");
    QVERIFY(server.closedReason(conn).isEmpty());

    QVERIFY(rawWaitClosed(stalled.fd, WaitMs));
    QVERIFY(nowMs() - startedMs >= 1400);
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("handshake-timeout"), WaitMs);
    const QJsonObject timeout = server.event(QStringLiteral("timeout"), QStringLiteral("conn"), double(conn));
    QCOMPARE(timeout.value(QLatin1String("kind")).toString(), QStringLiteral("handshake"));
}

// Bytes that are no ClientHello (a plain-text client on the TLS port)
// end the connection as tls-error, with no BYE in clear.
void tst_Tls::garbageIsTlsError()
{
    START_VIGILD(server, tlsArgs());
    Fd c(rawConnect(server.port()));
    QVERIFY(c.fd >= 0);
    QVERIFY(rawSend(c.fd, vigilFrame(Type::Data, "plain text on a tls port")));
    QVERIFY(rawWaitClosed(c.fd, WaitMs));
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("closed")).isEmpty(), WaitMs);
    QCOMPARE(server.event(QStringLiteral("closed")).value(QLatin1String("reason")).toString(), QStringLiteral("tls-error"));
    QVERIFY(server.event(QStringLiteral("tls")).isEmpty());
}

// The idle watchdog inside TLS: the BYE idle-timeout arrives encrypted,
// and not before the timeout.
void tst_Tls::idleTimeoutInsideTls()
{
    QStringList args = tlsArgs();
    args << QStringLiteral("--idle-timeout") << QStringLiteral("800ms");
    START_VIGILD(server, args);
    TlsClient client;
    client.connectTo(server.port());
    QVERIFY(client.waitEncrypted());
    const qint64 encryptedMs = nowMs();
    QTRY_VERIFY_WITH_TIMEOUT(server.connId(client.localPort()) > 0, WaitMs);
    const qint64 conn = server.connId(client.localPort());
    QTRY_COMPARE_WITH_TIMEOUT(byeCodeIn(client.received()), int(Bye::IdleTimeout), WaitMs);
    QVERIFY(nowMs() - encryptedMs >= 700);
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("idle-timeout"), WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), WaitMs);
}

// The probe watchdog inside TLS: the server's PING arrives, and the PONG
// the client returns keeps the connection past the idle timeout.
void tst_Tls::pingInsideTls()
{
    QStringList args = tlsArgs();
    args << QStringLiteral("--idle-timeout") << QStringLiteral("1s") << QStringLiteral("--probe-interval")
         << QStringLiteral("300ms");
    START_VIGILD(server, args);
    TlsClient client;
    client.connectTo(server.port());
    QVERIFY(client.waitEncrypted());
    // Each PING answered as it comes, for twice the idle timeout.
    qsizetype answered = 0;
    QElapsedTimer alive;
    alive.start();
    while (alive.elapsed() < 2000) {
        QTRY_VERIFY_WITH_TIMEOUT(framesIn(client.received()).size() > answered, WaitMs);
        const auto frames = framesIn(client.received());
        for (; answered < frames.size(); ++answered) {
            QCOMPARE(frames.at(answered).first, Type::Ping);
            client.send(vigilFrame(Type::Pong, frames.at(answered).second));
        }
    }
    QVERIFY(answered >= 3);
    QVERIFY(!client.isDisconnected());
    QVERIFY(server.event(QStringLiteral("closed")).isEmpty());
}

// ,tls,proxy: the PROXY v2 header in clear, then the TLS handshake on the
// same socket; the header's address is the peer of the `tls` event too.
void tst_Tls::proxyHeaderThenTls()
{
    START_VIGILD(server, tlsArgs(QStringLiteral("127.0.0.1:0,tls,proxy")));
    const int fd = rawConnect(server.port());
    QVERIFY(fd >= 0);
    QVERIFY(rawSend(fd, v2Header("198.51.100.20", 41000)));
    TlsClient client;
    QVERIFY(client.startOn(fd)); // the socket owns fd from here
    QVERIFY(client.waitEncrypted());
    const QByteArray frame = vigilFrame(Type::Data, "proxied and encrypted");
    client.send(frame);
    QTRY_VERIFY_WITH_TIMEOUT(client.received() == frame, WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("tls")).isEmpty(), WaitMs);
    const QJsonObject proxied = server.event(QStringLiteral("proxied"));
    QCOMPARE(proxied.value(QLatin1String("peer")).toString(), QStringLiteral("198.51.100.20:41000"));
    const QJsonObject tls = server.event(QStringLiteral("tls"));
    QCOMPARE(tls.value(QLatin1String("conn")), proxied.value(QLatin1String("conn")));
    QCOMPARE(tls.value(QLatin1String("peer")).toString(), QStringLiteral("198.51.100.20:41000"));
}

// SIGHUP re-reads --tls-cert/--tls-key: a connection made before keeps
// its session, a new one sees the new certificate; a pair that does not
// load is reload-failed and the last good one stays.
void tst_Tls::sighupRotatesTheCertificate()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString cert = dir.filePath(QStringLiteral("server.crt"));
    const QString key = dir.filePath(QStringLiteral("server.key"));
    QVERIFY(copyFile(m_files.path("rsa.crt"), cert));
    QVERIFY(copyFile(m_files.path("rsa.key"), key));
    START_VIGILD(server, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,tls"), QStringLiteral("--tls-cert"),
                          cert, QStringLiteral("--tls-key"), key});
    TlsClient before;
    before.connectTo(server.port());
    QVERIFY(before.waitEncrypted());
    QCOMPARE(before.peerCertificate(), certificateIn(m_files.path("rsa.crt")));

    QVERIFY(copyFile(m_files.path("ec.crt"), cert));
    QVERIFY(copyFile(m_files.path("ec.key"), key));
    ::kill(pid_t(server.pid()), SIGHUP);
    QTRY_COMPARE_WITH_TIMEOUT(server.events(QStringLiteral("reloaded")).size(), 1, WaitMs);
    TlsClient after;
    after.connectTo(server.port());
    QVERIFY(after.waitEncrypted());
    QCOMPARE(after.peerCertificate(), certificateIn(m_files.path("ec.crt")));

    const QByteArray frame = vigilFrame(Type::Data, "still here");
    before.send(frame);
    QTRY_VERIFY_WITH_TIMEOUT(before.received() == frame, WaitMs);
    QVERIFY(!before.isDisconnected());

    QVERIFY(copyFile(m_files.path("garbage.pem"), cert));
    ::kill(pid_t(server.pid()), SIGHUP);
    QTRY_COMPARE_WITH_TIMEOUT(server.events(QStringLiteral("reload-failed")).size(), 1, WaitMs);
    QVERIFY(server.event(QStringLiteral("reload-failed")).value(QLatin1String("error")).toString().contains(cert));
    TlsClient later;
    later.connectTo(server.port());
    QVERIFY(later.waitEncrypted());
    QCOMPARE(later.peerCertificate(), certificateIn(m_files.path("ec.crt")));
    QVERIFY(server.isRunning());
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
