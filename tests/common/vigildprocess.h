// Test fixture for tst_vigild: a vigild child process on 127.0.0.1 port 0
// whose stdout is read line by line (listening line, JSON events), and a
// QTcpSocket client that records every byte and vigil frame it receives.
#pragma once

#include "testwire.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

#include <sys/resource.h>

#include <csignal>
#include <functional>
#include <signal.h>

namespace VigilTest {

// One clock for a whole test, so client- and server-side moments compare.
inline qint64 nowMs()
{
    static QElapsedTimer clock;
    if (!clock.isValid())
        clock.start();
    return clock.elapsed();
}

struct RunResult
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;
};

// Runs vigild to completion (for --version, --help, bad flags, bind errors).
inline RunResult runVigild(const QStringList &arguments, int timeoutMs = 10000)
{
    QProcess process;
    process.start(QStringLiteral(VIGILD_PATH), arguments);
    RunResult r;
    if (!process.waitForStarted(timeoutMs) || !process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return r;
    }
    r.exitCode = process.exitCode();
    r.exitStatus = process.exitStatus();
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

class VigildProcess final
{
public:
    VigildProcess()
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this]() { readLines(); });
        QObject::connect(&m_process, &QProcess::finished, &m_process,
                         [this](int code, QProcess::ExitStatus status) {
                             readLines();
                             m_exitCode = code;
                             m_exitStatus = status;
                             m_finishedAtMs = nowMs();
                         });
    }
    ~VigildProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    VigildProcess(const VigildProcess &) = delete;
    VigildProcess &operator=(const VigildProcess &) = delete;

    // Starts vigild with --log-format json (unless the arguments pick a
    // format) on 127.0.0.1:0 (unless they name --listen or --config) and
    // waits for every listening line. false: see errorString().
    bool start(QStringList arguments, int listeners = 1)
    {
        if (!arguments.contains(QStringLiteral("--listen")) && !arguments.contains(QStringLiteral("--config")))
            arguments << QStringLiteral("--listen") << QStringLiteral("127.0.0.1:0");
        if (!arguments.contains(QStringLiteral("--log-format")) && !arguments.contains(QStringLiteral("--config")))
            arguments << QStringLiteral("--log-format") << QStringLiteral("json");
        m_arguments = arguments;
        m_process.start(QStringLiteral(VIGILD_PATH), arguments);
        if (!m_process.waitForStarted(5000)) {
            m_error = QStringLiteral("vigild did not start: ") + m_process.errorString();
            return false;
        }
        if (!QTest::qWaitFor([&]() { return m_ports.size() >= listeners || !isRunning(); }, 10000)) {
            m_error = QStringLiteral("no listening line within 10 s");
            return false;
        }
        if (m_ports.size() < listeners) {
            m_error = QStringLiteral("vigild exited: ") + QString::fromLocal8Bit(m_process.readAllStandardError());
            return false;
        }
        return true;
    }

    // RLIMIT_NOFILE the child starts with (before start()).
    void setOpenFileLimit(rlim_t soft, rlim_t hard)
    {
        m_process.setChildProcessModifier([soft, hard]() {
            const rlimit limit{soft, hard};
            ::setrlimit(RLIMIT_NOFILE, &limit);
        });
    }

    QString errorString() const { return m_error; }
    QString arguments() const { return m_arguments.join(QLatin1Char(' ')); }
    quint16 port(int index = 0) const { return m_ports.value(index); }
    QStringList listeningFramings() const { return m_framings; }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    qint64 pid() const { return m_process.processId(); }
    void terminate() { m_process.terminate(); } // SIGTERM
    void interrupt() { ::kill(pid_t(m_process.processId()), SIGINT); }
    int exitCode() const { return m_exitCode; }
    QProcess::ExitStatus exitStatus() const { return m_exitStatus; }
    qint64 finishedAtMs() const { return m_finishedAtMs; }
    QByteArray standardError() { return m_process.readAllStandardError(); }

    // Every stdout line so far, and those that were JSON objects.
    const QList<QByteArray> &lines() const { return m_lines; }
    const QList<QJsonObject> &events() const { return m_events; }
    QList<QJsonObject> events(const QString &name) const
    {
        QList<QJsonObject> found;
        for (const QJsonObject &e : m_events) {
            if (e.value(QLatin1String("event")).toString() == name)
                found.append(e);
        }
        return found;
    }
    // The first event of that name whose key equals value (any value when key is empty).
    QJsonObject event(const QString &name, const QString &key = QString(), const QJsonValue &value = QJsonValue()) const
    {
        for (const QJsonObject &e : m_events) {
            if (e.value(QLatin1String("event")).toString() != name)
                continue;
            if (key.isEmpty() || sameValue(e.value(key), value))
                return e;
        }
        return QJsonObject();
    }
    // The connection id the server gave the client on this local port.
    qint64 connId(quint16 clientPort) const
    {
        const QJsonObject e = event(QStringLiteral("connected"), QStringLiteral("peer"),
                                    QStringLiteral("127.0.0.1:%1").arg(clientPort));
        return e.isEmpty() ? -1 : e.value(QLatin1String("conn")).toInteger();
    }
    // The reason in the `closed` event of that connection, empty until logged.
    QString closedReason(qint64 conn) const
    {
        return event(QStringLiteral("closed"), QStringLiteral("conn"), double(conn))
            .value(QLatin1String("reason"))
            .toString();
    }

private:
    // JSON numbers compare by value: a parsed 3 is an integer, a QJsonValue(3.0) a double.
    static bool sameValue(const QJsonValue &a, const QJsonValue &b)
    {
        if (a.isDouble() && b.isDouble())
            return a.toDouble() == b.toDouble();
        return a == b;
    }

    void readLines()
    {
        while (m_process.canReadLine()) {
            QByteArray line = m_process.readLine();
            if (line.endsWith('\n'))
                line.chop(1);
            m_lines.append(line);
            static const QRegularExpression text(QStringLiteral("^listening on 127\\.0\\.0\\.1:(\\d+) framing=(\\w+)$"));
            const QRegularExpressionMatch m = text.match(QString::fromUtf8(line));
            if (m.hasMatch()) {
                m_ports.append(quint16(m.captured(1).toUInt()));
                m_framings.append(m.captured(2));
                continue;
            }
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.isEmpty())
                continue;
            m_events.append(o);
            if (o.value(QLatin1String("event")).toString() == QLatin1String("listening")) {
                const QString address = o.value(QLatin1String("address")).toString();
                m_ports.append(quint16(address.mid(address.lastIndexOf(QLatin1Char(':')) + 1).toUInt()));
                m_framings.append(o.value(QLatin1String("framing")).toString());
            }
        }
    }

    QProcess m_process;
    QStringList m_arguments;
    QString m_error;
    QList<quint16> m_ports;
    QStringList m_framings;
    QList<QByteArray> m_lines;
    QList<QJsonObject> m_events;
    int m_exitCode = -1;
    QProcess::ExitStatus m_exitStatus = QProcess::NormalExit;
    qint64 m_finishedAtMs = -1;
};

struct Frame
{
    quint8 type = 0;
    QByteArray payload;
    qint64 atMs = 0; // when its last byte arrived (nowMs())
};

// A real QTcpSocket client on 127.0.0.1 that keeps everything it receives.
class TestClient final
{
public:
    // from: the source address to connect from (any 127/8 address is
    // local on Linux), so clients behind a proxy can be told apart.
    explicit TestClient(quint16 port, const QHostAddress &from = QHostAddress())
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this]() { read(); });
        QObject::connect(&m_socket, &QTcpSocket::disconnected, &m_socket, [this]() {
            read();
            if (m_closedAtMs < 0)
                m_closedAtMs = nowMs();
        });
        // Refused, reset or closed: whatever the way, the socket ends unconnected.
        QObject::connect(&m_socket, &QTcpSocket::stateChanged, &m_socket, [this](QAbstractSocket::SocketState s) {
            if (s == QAbstractSocket::UnconnectedState && m_closedAtMs < 0)
                m_closedAtMs = nowMs();
        });
        QObject::connect(&m_socket, &QTcpSocket::connected, &m_socket,
                         [this]() { m_localPort = m_socket.localPort(); });
        m_connectStartedMs = nowMs();
        if (!from.isNull())
            m_socket.bind(from);
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    TestClient(const TestClient &) = delete;
    TestClient &operator=(const TestClient &) = delete;

    QTcpSocket &socket() { return m_socket; }
    bool waitConnected(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&]() { return m_socket.state() == QAbstractSocket::ConnectedState || isClosed(); },
                               timeoutMs)
            && m_socket.state() == QAbstractSocket::ConnectedState;
    }
    // Kept after the close (the socket forgets it).
    quint16 localPort() const { return m_localPort; }
    qint64 connectStartedMs() const { return m_connectStartedMs; }

    // The time is taken before the write: the server cannot have the bytes
    // earlier, so "not before" bounds measured from it are strict.
    void send(const QByteArray &bytes)
    {
        m_lastSentMs = nowMs();
        m_socket.write(bytes);
        m_socket.flush();
    }
    void sendFrame(quint8 type, const QByteArray &payload) { send(vigilFrame(type, payload)); }
    qint64 lastSentMs() const { return m_lastSentMs; }

    const QByteArray &received() const { return m_in; }
    QList<Frame> frames() const { return m_frames; }
    QList<Frame> frames(quint8 type) const
    {
        QList<Frame> found;
        for (const Frame &f : m_frames) {
            if (f.type == type)
                found.append(f);
        }
        return found;
    }
    // The reason code of the BYE received, or -1.
    int byeCode() const
    {
        const QList<Frame> byes = frames(Type::Bye);
        return byes.isEmpty() || byes.constFirst().payload.isEmpty() ? -1 : quint8(byes.constFirst().payload.at(0));
    }
    bool isClosed() const { return m_closedAtMs >= 0; }
    qint64 closedAtMs() const { return m_closedAtMs; }
    bool waitClosed(int timeoutMs) { return QTest::qWaitFor([&]() { return isClosed(); }, timeoutMs); }
    bool waitForReceived(qsizetype bytes, int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&]() { return m_in.size() >= bytes; }, timeoutMs);
    }
    bool waitForFrames(qsizetype count, int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&]() { return m_frames.size() >= count; }, timeoutMs);
    }

    // Answer every PING with a PONG carrying its bytes (PROTOCOL.md §2).
    void setAnswerPings(bool on) { m_answerPings = on; }

private:
    void read()
    {
        if (!m_socket.isOpen())
            return;
        const QByteArray bytes = m_socket.readAll();
        if (bytes.isEmpty())
            return;
        m_in += bytes;
        m_unparsed += bytes;
        // Only meaningful in vigil framing; other framings just fill m_in.
        while (m_unparsed.size() >= 8 && m_unparsed.startsWith("VG")) {
            const auto *u = reinterpret_cast<const unsigned char *>(m_unparsed.constData());
            const quint32 length = (quint32(u[4]) << 24) | (quint32(u[5]) << 16) | (quint32(u[6]) << 8) | u[7];
            if (quint64(m_unparsed.size()) < 8 + quint64(length))
                break;
            Frame f;
            f.type = u[3];
            f.payload = m_unparsed.mid(8, qsizetype(length));
            f.atMs = nowMs();
            m_unparsed.remove(0, 8 + qsizetype(length));
            m_frames.append(f);
            if (m_answerPings && f.type == Type::Ping)
                sendFrame(Type::Pong, f.payload);
        }
    }

    QTcpSocket m_socket;
    QByteArray m_in;
    QByteArray m_unparsed;
    QList<Frame> m_frames;
    quint16 m_localPort = 0;
    qint64 m_connectStartedMs = 0;
    qint64 m_lastSentMs = -1;
    qint64 m_closedAtMs = -1;
    bool m_answerPings = false;
};

} // namespace VigilTest

// Test-body helpers for a vigild process and a client of it (QVERIFY
// returns from the calling test function, hence macros).
#define START_VIGILD(server, ...)                                                                                  \
    VigilTest::VigildProcess server;                                                                               \
    QVERIFY2(server.start(__VA_ARGS__), qPrintable(server.errorString()))

// A client connected to port and known to vigild (its conn id logged).
#define CONNECT_CLIENT_TO(client, server, port)                                                                    \
    VigilTest::TestClient client(port);                                                                            \
    QVERIFY2(client.waitConnected(), "cannot connect to vigild");                                                  \
    QTRY_VERIFY_WITH_TIMEOUT((server).connId(client.localPort()) > 0, 5000)

#define CONNECT_CLIENT(client, server) CONNECT_CLIENT_TO(client, server, (server).port())
