// vigild's admin HTTP endpoint (docs/admin.md): Prometheus /metrics, a
// JSON API over the open connections, stats and a long-poll event stream,
// and kicks. Lives in the Server's thread and only reads what the core
// publishes (batches, stats()); an operator's kick goes back through
// Server::closeConnection. Every queue it holds is bounded; what one
// connection may hold is AdminClient's business, who gets a slot
// AdminSlots'.
#pragma once

#include "adminclient.h"
#include "adminslots.h"
#include "connectiontable.h"
#include "eventlog.h"
#include "eventring.h"
#include "server.h"
#include "serverconfig.h"

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace Vigil {

class AdminListener;
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
    // At most MaxClients admin connections are open at once, at most
    // MaxClientsPerSource of them from one address (AdminSlots).
    static constexpr int MaxClients = 128;
    static constexpr int MaxClientsPerSource = 96;
    // POST /api/v1/drain's body is a few bytes of JSON; more is refused (413).
    static constexpr int MaxRequestBody = 4096;

    // token: empty = no authentication (loopback only, see ServerConfig::validate).
    // previews: DATA's first bytes go into the JSON (--admin-previews).
    AdminServer(Server &server, const QByteArray &token, bool previews, QObject *parent = nullptr);
    ~AdminServer() override;

    // Binds address (port 0 picks one), subscribes to the server's batches.
    bool listen(const ListenAddress &address);
    QString errorString() const { return m_error; }
    ListenAddress boundAddress() const { return m_bound; }

    // Reads a bearer token: the file's first line, trimmed. Empty on error.
    static QByteArray loadToken(const QString &path, QString *error);

    // What POST /api/v1/reload runs (vigild's Reloader, the same as
    // SIGHUP); without one the route answers 404.
    void setReloadHandler(std::function<ReloadResult()> handler) { m_reload = std::move(handler); }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Waiter
    {
        QPointer<AdminClient> client;
        quint64 since = 0;
        int limit = MaxEventsPerResponse;
        qint64 deadlineMs = 0;
    };

    bool admit(QTcpSocket *socket);
    void handleBatch(const ServerBatch &batch);
    void handleWaitTick();
    void answerWaiters(const std::function<bool(const Waiter &)> &ready);
    bool authorized(const QHttpServerRequest &request) const;
    void serve(AdminClient &client, const AdminRequest &request);
    void route(AdminClient &client, const AdminRequest &request);
    void serveEvents(AdminClient &client, const AdminRequest &request);
    AdminAnswer reloadAnswer();
    AdminAnswer drainAnswer(const QByteArray &body);
    AdminAnswer eventsAnswer(quint64 since, int limit) const;
    static AdminAnswer json(const QJsonDocument &doc, int status = 200);
    static AdminAnswer error(int status, const QString &message, const QByteArray &allow = QByteArray());

    Server &m_server;
    std::function<ReloadResult()> m_reload;
    std::optional<FeedSubscription> m_feed; // while listening
    QByteArray m_tokenDigest; // SHA-256 of the token, empty without one
    bool m_previews;
    AdminListener *m_listener = nullptr;
    AdminSlots m_slots{MaxClients, MaxClientsPerSource};
    std::vector<AdminClient *> m_clients;
    EventLog m_log;
    ListenAddress m_bound;
    QString m_error;
    QString m_runId;     // random per process: a restart is a new run
    QString m_startedAt; // RFC 3339 UTC
    ConnectionTable m_connections;
    EventRing m_events{EventRingCapacity};
    std::vector<Waiter> m_waiters;
    QTimer m_waitTimer;
};

} // namespace Vigil
