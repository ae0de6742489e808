// Test helpers for vigild --admin: a vigild process whose listening and
// admin addresses are read from its log, and a small HTTP client.
#pragma once

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QString>
#include <QStringList>
#include <QUrl>

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
    int status = -1; // -1: no answer in time
    QByteArray body;
    QByteArray contentType;
    QByteArray allow;
};

class AdminHttp
{
public:
    AdminHttp() { m_manager.setProxy(QNetworkProxy::NoProxy); }

    void setPort(quint16 port) { m_port = port; }
    void setToken(const QByteArray &token) { m_token = token; }

    HttpReply get(const QString &pathAndQuery, int timeoutMs = 10000) { return send("GET", pathAndQuery, timeoutMs); }
    HttpReply post(const QString &pathAndQuery) { return send("POST", pathAndQuery, 10000); }

    HttpReply send(const QByteArray &verb, const QString &pathAndQuery, int timeoutMs)
    {
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery)));
        if (!m_token.isEmpty())
            request.setRawHeader("Authorization", m_token);
        QNetworkReply *reply = m_manager.sendCustomRequest(request, verb);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        HttpReply result;
        if (reply->isFinished() || finished.wait(timeoutMs)) {
            const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
            result.status = status.isValid() ? status.toInt() : 0;
            result.body = reply->readAll();
            result.contentType = reply->rawHeader("Content-Type");
            result.allow = reply->rawHeader("Allow");
        }
        reply->abort();
        reply->deleteLater();
        return result;
    }

private:
    QNetworkAccessManager m_manager;
    QByteArray m_token; // the whole Authorization header value
    quint16 m_port = 0;
};

} // namespace VigilTest
