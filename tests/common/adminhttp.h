// Test helpers for vigild --admin: a vigild process whose listening and
// admin addresses are read from its log, and a small HTTP client.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

#include <sys/resource.h>
#include <unistd.h>

namespace VigilTest {

class AdminVigild
{
public:
    ~AdminVigild() { stop(); }

    // openFiles > 0: vigild runs with that soft and hard RLIMIT_NOFILE
    // (vigild raises its soft limit to the hard one, so both are set).
    void start(const QStringList &arguments, rlim_t openFiles = 0)
    {
        m_process.setProgram(QStringLiteral(VIGILD_PATH));
        m_process.setArguments(arguments);
        if (openFiles > 0) {
            m_process.setChildProcessModifier([openFiles]() {
                const rlimit limit{openFiles, openFiles};
                ::setrlimit(RLIMIT_NOFILE, &limit);
            });
        }
        m_process.start();
    }

    // True once stdout (read so far) holds needle.
    bool printed(const QByteArray &needle)
    {
        m_out += m_process.readAllStandardOutput();
        return m_out.contains(needle);
    }

    // CPU time (user + system) vigild has used so far, in milliseconds.
    qint64 cpuMs() const
    {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(m_process.processId()));
        if (!stat.open(QIODevice::ReadOnly))
            return -1;
        // The command name can hold spaces: fields are counted after its ')'.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 13)
            return -1;
        const qint64 ticks = fields[11].toLongLong() + fields[12].toLongLong(); // utime, stime
        return ticks * 1000 / ::sysconf(_SC_CLK_TCK);
    }

    // Reads what vigild printed so far; true once both addresses are known.
    bool ready()
    {
        m_out += m_process.readAllStandardOutput();
        static const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+) "));
        static const QRegularExpression admin(QStringLiteral("admin on 127\\.0\\.0\\.1:(\\d+)"));
        const QString text = QString::fromUtf8(m_out);
        const auto l = listening.match(text);
        const auto a = admin.match(text);
        if (l.hasMatch())
            m_port = quint16(l.captured(1).toUInt());
        if (a.hasMatch())
            m_adminPort = quint16(a.captured(1).toUInt());
        return m_port != 0 && m_adminPort != 0;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(2000);
        m_out += m_process.readAllStandardOutput();
    }

    QProcess &process() { return m_process; }
    QByteArray output() const { return m_out; }
    // What vigild wrote on stderr; complete once it has stopped.
    QByteArray errorOutput()
    {
        m_err += m_process.readAllStandardError();
        return m_err;
    }
    quint16 port() const { return m_port; }
    quint16 adminPort() const { return m_adminPort; }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
    quint16 m_port = 0;
    quint16 m_adminPort = 0;
};

struct HttpReply
{
    int status = -1; // -1: no complete answer in time
    QByteArray body;
    QByteArray contentType;
    QByteArray allow;
    qint64 contentLength = -1;
};

// Cuts one answer off the front of data, true when a whole one was there.
// An answer to HEAD has headers only, whatever its Content-Length says.
inline bool takeAnswer(QByteArray &data, bool head, HttpReply *reply)
{
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = data.left(end).split('\n');
    const QList<QByteArray> statusLine = lines.constFirst().trimmed().split(' ');
    if (statusLine.size() < 2)
        return false;
    HttpReply r;
    r.status = statusLine[1].toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length")
            r.contentLength = value.toLongLong();
        else if (name == "content-type")
            r.contentType = value;
        else if (name == "allow")
            r.allow = value;
    }
    const qint64 length = head ? 0 : std::max<qint64>(0, r.contentLength);
    if (data.size() - (end + 4) < length)
        return false;
    r.body = data.mid(end + 4, length);
    data.remove(0, end + 4 + length);
    *reply = r;
    return true;
}

// Reads answers from socket until one per entry of heads (true: it answers
// a HEAD) has come, the socket closes or timeoutMs passes. Returns those
// that came, in order.
inline QList<HttpReply> readAnswers(QTcpSocket &socket, const QList<bool> &heads, int timeoutMs)
{
    QList<HttpReply> answers;
    QByteArray data;
    QElapsedTimer clock;
    clock.start();
    while (answers.size() < heads.size()) {
        data += socket.readAll();
        HttpReply reply;
        if (takeAnswer(data, heads[answers.size()], &reply)) {
            answers.append(reply);
            continue;
        }
        const qint64 left = timeoutMs - clock.elapsed();
        if (left <= 0 || (socket.state() == QAbstractSocket::UnconnectedState && !socket.bytesAvailable()))
            break;
        QEventLoop loop;
        QTimer::singleShot(int(left), &loop, &QEventLoop::quit);
        QObject::connect(&socket, &QTcpSocket::readyRead, &loop, &QEventLoop::quit);
        QObject::connect(&socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
        // A refused connect emits no disconnected(): without this a stopped
        // vigild cost every request its whole timeout.
        QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return answers;
}

// One request's bytes; authorization is the whole header value, if any.
inline QByteArray httpRequest(const QByteArray &verb, const QByteArray &pathAndQuery,
                              const QByteArray &authorization = QByteArray(), const QByteArray &extraHeaders = QByteArray())
{
    QByteArray request = verb + ' ' + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!authorization.isEmpty())
        request += "Authorization: " + authorization + "\r\n";
    return request + extraHeaders + "\r\n";
}

// A minimal HTTP/1.1 client on a QTcpSocket: one request per connection,
// the answer read up to its Content-Length. No helper threads (unlike
// QNetworkAccessManager), so the test can fork vigild under TSan too.
class AdminHttp
{
public:
    void setPort(quint16 port) { m_port = port; }
    void setToken(const QByteArray &token) { m_token = token; }

    HttpReply get(const QString &pathAndQuery, int timeoutMs = 10000) { return send("GET", pathAndQuery, timeoutMs); }
    HttpReply post(const QString &pathAndQuery) { return send("POST", pathAndQuery, 10000); }

    // A POST with a JSON body (POST /api/v1/drain).
    HttpReply post(const QString &pathAndQuery, const QByteArray &body)
    {
        return send("POST", pathAndQuery, 10000, body);
    }

    HttpReply send(const QByteArray &verb, const QString &pathAndQuery, int timeoutMs, const QByteArray &body = QByteArray())
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress(QHostAddress::LocalHost), m_port);
        const QByteArray headers = (body.isEmpty() ? QByteArray() : QByteArray("Content-Type: application/json\r\n"))
            + "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        socket.write(httpRequest(verb, pathAndQuery.toUtf8(), m_token, headers) + body);
        const QList<HttpReply> answers = readAnswers(socket, {verb == "HEAD"}, timeoutMs);
        return answers.isEmpty() ? HttpReply() : answers.constFirst();
    }

private:
    QByteArray m_token; // the whole Authorization header value
    quint16 m_port = 0;
};

} // namespace VigilTest
