// vigild's admin HTTP endpoint (docs/admin.md): Prometheus /metrics, a
// JSON API over the open connections, stats and a long-poll event stream,
// and kicks. Lives in the Server's thread and only reads what the core
// publishes (batches, stats()); an operator's kick goes back through
// Server::closeConnection. Every queue it holds is bounded.
#pragma once

#include "connectiontable.h"
#include "eventring.h"
#include "serverconfig.h"

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QHttpServerResponder>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QTcpServer;
class QTcpSocket;
QT_END_NAMESPACE

namespace Vigil {

class Server;

class AdminServer final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminServer)
public:
    static constexpr int PublishIntervalMs = 200;
    static constexpr int EventRingCapacity = 4096;
    static constexpr int MaxEventsPerResponse = 1000;
    static constexpr int MaxWaiters = 64;
    static constexpr int DefaultWaitMs = 20000;
    static constexpr int MaxWaitMs = 60000;
    // Admin requests are small: a socket buffers at most this much of an
    // unfinished request (a larger one stalls and is dropped), and at most
    // MaxClients admin connections are open at once.
    static constexpr qint64 MaxRequestBytes = 64 * 1024;
    static constexpr int MaxClients = 128;

    // token: empty = no authentication (loopback only, see ServerConfig::validate).
    AdminServer(Server &server, const QByteArray &token, QObject *parent = nullptr);
    ~AdminServer() override;

    // Binds address (port 0 picks one), subscribes to the server's batches.
    bool listen(const ListenAddress &address);
    QString errorString() const { return m_error; }
    ListenAddress boundAddress() const { return m_bound; }

    // Reads a bearer token: the file's first line, trimmed. Empty on error.
    static QByteArray loadToken(const QString &path, QString *error);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    using Status = QHttpServerResponder::StatusCode;
    struct Waiter
    {
        std::unique_ptr<QHttpServerResponder> responder;
        QPointer<QTcpSocket> socket;
        quint64 since = 0;
        int limit = MaxEventsPerResponse;
        qint64 deadlineMs = 0;
    };

    void handleBatch(const ServerBatch &batch);
    void handleWaitTick();
    void answerWaiters(const std::function<bool(const Waiter &)> &ready);
    bool authorized(const QHttpServerRequest &request) const;
    void route(const QHttpServerRequest &request, QHttpServerResponder &responder, QTcpSocket *socket);
    void serveEvents(const QHttpServerRequest &request, QHttpServerResponder &responder, QTcpSocket *socket);
    QByteArray eventsBody(quint64 since, int limit) const;
    static void sendJson(QHttpServerResponder &responder, const QJsonDocument &doc, Status status = Status::Ok);
    static void sendError(QHttpServerResponder &responder, Status status, const QString &message,
                          const QByteArray &allow = QByteArray());

    Server &m_server;
    QByteArray m_tokenDigest; // SHA-256 of "Bearer <token>", empty without a token
    QTcpServer *m_tcpServer = nullptr;
    ListenAddress m_bound;
    QString m_error;
    QString m_instance;  // random per process: a restart is a new instance
    QString m_startedAt; // RFC 3339 UTC
    ConnectionTable m_connections;
    EventRing m_events{EventRingCapacity};
    std::vector<Waiter> m_waiters;
    QTimer m_waitTimer;
};

} // namespace Vigil
