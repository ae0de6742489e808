// Test helpers for vigild --admin: a vigild process whose listening and
// admin addresses are read from its log, and a small HTTP client.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTcpSocket>
#include <QTimer>

namespace VigilTest {

class AdminVigild
{
public:
    ~AdminVigild() { stop(); }

    void start(const QStringList &arguments)
    {
        m_process.setProgram(QStringLiteral(VIGILD_PATH));
        m_process.setArguments(arguments);
        m_process.start();
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
    quint16 port() const { return m_port; }
    quint16 adminPort() const { return m_adminPort; }

private:
    QProcess m_process;
    QByteArray m_out;
    quint16 m_port = 0;
    quint16 m_adminPort = 0;
};

struct HttpReply
{
    int status = -1; // -1: no complete answer in time
    QByteArray body;
    QByteArray contentType;
    QByteArray allow;
};

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

    HttpReply send(const QByteArray &verb, const QString &pathAndQuery, int timeoutMs)
    {
        HttpReply result;
        QTcpSocket socket;
        QElapsedTimer clock;
        clock.start();
        socket.connectToHost(QHostAddress(QHostAddress::LocalHost), m_port);
        QByteArray request = verb + ' ' + pathAndQuery.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (!m_token.isEmpty())
            request += "Authorization: " + m_token + "\r\n";
        request += "Content-Length: 0\r\n\r\n";
        socket.write(request);
        QByteArray data;
        while (!parse(data, &result)) {
            const qint64 left = timeoutMs - clock.elapsed();
            if (left <= 0 || socket.state() == QAbstractSocket::UnconnectedState)
                return HttpReply();
            if (!socket.bytesAvailable()) {
                // Wake on data, on the server closing, or at the deadline.
                QEventLoop loop;
                QTimer::singleShot(int(left), &loop, &QEventLoop::quit);
                QObject::connect(&socket, &QTcpSocket::readyRead, &loop, &QEventLoop::quit);
                QObject::connect(&socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
                loop.exec();
            }
            data += socket.readAll();
        }
        return result;
    }

private:
    // True once data holds a whole answer (headers and Content-Length bytes).
    static bool parse(const QByteArray &data, HttpReply *reply)
    {
        const qsizetype end = data.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QList<QByteArray> lines = data.left(end).split('\n');
        const QList<QByteArray> statusLine = lines.constFirst().trimmed().split(' ');
        if (statusLine.size() < 2)
            return false;
        qint64 length = 0;
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
                length = value.toLongLong();
            else if (name == "content-type")
                r.contentType = value;
            else if (name == "allow")
                r.allow = value;
        }
        if (data.size() - (end + 4) < length)
            return false;
        r.body = data.mid(end + 4, length);
        *reply = r;
        return true;
    }

    QByteArray m_token; // the whole Authorization header value
    quint16 m_port = 0;
};

} // namespace VigilTest
