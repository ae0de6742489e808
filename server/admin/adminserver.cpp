// Admin endpoint: routing, authentication, long-poll waiters.
#include "adminserver.h"

#include "adminjson.h"
#include "hello.h"
#include "monotonicclock.h"
#include "prometheusformat.h"
#include "server.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QUuid>
#include <QTcpSocket>
#include <QUrlQuery>

#include <algorithm>
#include <limits>

namespace Vigil {

namespace {
constexpr int WaitTickMs = 50;
// An admin client silent this long after the longest long poll is dropped.
constexpr int IdleGraceMs = 30000;
constexpr qint64 MaxTokenFileBytes = 4096;

const QByteArray JsonType = QByteArrayLiteral("application/json");

QByteArray bearerDigest(const QByteArray &authorization)
{
    return QCryptographicHash::hash(authorization, QCryptographicHash::Sha256);
}

// Compares two digests of equal length in time independent of where they differ.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// Caps what admin clients can make the endpoint hold. Qt HttpServer keeps
// an unfinished request in the socket's buffer (a read transaction), so the
// buffer size bounds one request; a request too large for it stalls, and a
// stalled or silent client is dropped after IdleDropMs. The number of
// clients is capped too.
class BoundedTcpServer final : public QTcpServer
{
public:
    BoundedTcpServer(qint64 maxRequestBytes, int maxClients, int idleDropMs, QObject *parent)
        : QTcpServer(parent)
        , m_maxRequestBytes(maxRequestBytes)
        , m_maxClients(maxClients)
        , m_idleDropMs(idleDropMs)
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        if (m_clients >= m_maxClients) {
            socket->abort();
            socket->deleteLater();
            return;
        }
        ++m_clients;
        connect(socket, &QObject::destroyed, this, [this]() { --m_clients; });
        socket->setReadBufferSize(m_maxRequestBytes);
        auto *idle = new QTimer(socket);
        idle->setSingleShot(true);
        idle->setInterval(m_idleDropMs);
        connect(idle, &QTimer::timeout, socket, &QTcpSocket::abort);
        connect(socket, &QTcpSocket::readyRead, idle, qOverload<>(&QTimer::start));
        connect(socket, &QTcpSocket::bytesWritten, idle, qOverload<>(&QTimer::start));
        idle->start();
        addPendingConnection(socket);
    }

private:
    qint64 m_maxRequestBytes;
    int m_maxClients;
    int m_idleDropMs;
    int m_clients = 0;
};

std::optional<quint64> parseUnsigned(const QString &text)
{
    bool ok = false;
    const quint64 value = text.toULongLong(&ok);
    if (!ok || text.isEmpty() || !text.at(0).isDigit())
        return std::nullopt;
    return value;
}
} // namespace

AdminServer::AdminServer(Server &server, const QByteArray &token, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_server(server)
{
    if (!token.isEmpty())
        m_tokenDigest = bearerDigest("Bearer " + token);
    m_instance = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_startedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    m_waitTimer.setInterval(WaitTickMs);
    connect(&m_waitTimer, &QTimer::timeout, this, &AdminServer::handleWaitTick);
}

AdminServer::~AdminServer()
{
    // vigild is stopping: answer the long polls now rather than drop them.
    for (Waiter &waiter : m_waiters) {
        if (!waiter.socket)
            continue;
        waiter.responder->write(eventsBody(waiter.since, waiter.limit),
                                {{"Content-Type", JsonType}, {"Cache-Control", "no-store"}});
        waiter.socket->flush();
    }
    m_waiters.clear();
    if (m_tcpServer)
        m_server.setPublishInterval(0);
}

QByteArray AdminServer::loadToken(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("--admin-token-file %1: %2").arg(path, file.errorString());
        return QByteArray();
    }
    const QByteArray token = file.read(MaxTokenFileBytes).split('\n').constFirst().trimmed();
    if (token.isEmpty())
        *error = QStringLiteral("--admin-token-file %1: the first line holds no token").arg(path);
    return token;
}

bool AdminServer::listen(const ListenAddress &address)
{
    auto *tcp = new BoundedTcpServer(MaxRequestBytes, MaxClients, MaxWaitMs + IdleGraceMs, this);
    if (!tcp->listen(address.host, address.port)) {
        m_error = QStringLiteral("cannot listen on admin address %1: %2").arg(address.toString(), tcp->errorString());
        delete tcp;
        return false;
    }
    m_tcpServer = tcp;
    bind(tcp);
    m_bound = address;
    m_bound.port = tcp->serverPort();
    connect(&m_server, &Server::batchPublished, this, &AdminServer::handleBatch);
    // The connection list is only as fresh as the batches: ask for them.
    m_server.setPublishInterval(PublishIntervalMs);
    m_server.requestFullSnapshot();
    return true;
}

void AdminServer::handleBatch(const ServerBatch &batch)
{
    m_connections.apply(batch);
    for (const ServerEvent &event : batch.events)
        m_events.append(event);
    m_events.addServerDropped(batch.eventsDropped);
    if (batch.events.isEmpty() || m_waiters.empty())
        return;
    // Answer every waiter that now has something to read.
    answerWaiters([this](const Waiter &w) { return m_events.hasAfter(w.since); });
}

void AdminServer::handleWaitTick()
{
    const qint64 now = MonotonicClock::nowMs();
    answerWaiters([now](const Waiter &w) { return now >= w.deadlineMs; });
}

// Answers (with what there is, maybe nothing) and forgets each waiter for
// which ready() holds; forgets those whose client went away.
void AdminServer::answerWaiters(const std::function<bool(const Waiter &)> &ready)
{
    for (auto it = m_waiters.begin(); it != m_waiters.end();) {
        if (!it->socket) {
            it = m_waiters.erase(it);
        } else if (ready(*it)) {
            it->responder->write(eventsBody(it->since, it->limit), {{"Content-Type", JsonType}, {"Cache-Control", "no-store"}});
            it = m_waiters.erase(it);
        } else {
            ++it;
        }
    }
    if (m_waiters.empty())
        m_waitTimer.stop();
}

bool AdminServer::authorized(const QHttpServerRequest &request) const
{
    if (m_tokenDigest.isEmpty())
        return true;
    return constantTimeEquals(bearerDigest(request.value("Authorization")), m_tokenDigest);
}

bool AdminServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    if (!authorized(request)) {
        responder.writeStatusLine(Status::Unauthorized);
        const QByteArray body = QJsonDocument(AdminJson::error(401, QStringLiteral("missing or wrong bearer token")))
                                    .toJson(QJsonDocument::Compact);
        responder.writeHeader("WWW-Authenticate", "Bearer realm=\"vigild\"");
        responder.writeHeader("Content-Type", JsonType);
        responder.writeHeader("Content-Length", QByteArray::number(body.size()));
        responder.writeBody(body);
        return true;
    }
    route(request, responder, socket);
    return true;
}

void AdminServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    sendError(responder, Status::NotFound, QStringLiteral("no such resource"));
}

void AdminServer::route(const QHttpServerRequest &request, QHttpServerResponder &responder, QTcpSocket *socket)
{
    using Method = QHttpServerRequest::Method;
    const QString path = request.url().path();
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const Method method = request.method();
    auto onlyGet = [&]() {
        if (method == Method::Get)
            return true;
        sendError(responder, Status::MethodNotAllowed, QStringLiteral("use GET"), "GET");
        return false;
    };

    if (path == QLatin1String("/metrics")) {
        if (onlyGet())
            responder.write(prometheusMetrics(m_server.stats()), {{"Content-Type", PrometheusContentType}});
        return;
    }
    if (parts.size() < 3 || parts[0] != QLatin1String("api") || parts[1] != QLatin1String("v1")) {
        sendError(responder, Status::NotFound, QStringLiteral("no such resource: %1").arg(path));
        return;
    }
    const QString &resource = parts[2];
    if (resource == QLatin1String("stats") && parts.size() == 3) {
        if (onlyGet())
        {
            // Who is answering, so a remote monitor can tell a restart (new
            // instance) from a network blip and show what vigild listens on.
            QJsonObject o = AdminJson::stats(m_server.stats());
            o.insert(QStringLiteral("server"), serverVersionString());
            o.insert(QStringLiteral("instance"), m_instance);
            o.insert(QStringLiteral("started_at"), m_startedAt);
            QJsonArray listening;
            for (const ListenAddress &address : m_server.boundAddresses())
                listening.append(address.toString());
            o.insert(QStringLiteral("listening"), listening);
            o.insert(QStringLiteral("framing"), framingName(m_server.config().framing));
            sendJson(responder, QJsonDocument(o));
        }
        return;
    }
    if (resource == QLatin1String("events") && parts.size() == 3) {
        if (onlyGet())
            serveEvents(request, responder, socket);
        return;
    }
    if (resource != QLatin1String("connections") || parts.size() > 5) {
        sendError(responder, Status::NotFound, QStringLiteral("no such resource: %1").arg(path));
        return;
    }
    const qint64 now = MonotonicClock::nowMs();
    if (parts.size() == 3) {
        if (!onlyGet())
            return;
        QJsonArray list;
        const QVector<ConnectionSnapshot> rows = m_connections.all();
        for (const ConnectionSnapshot &s : rows)
            list.append(AdminJson::connection(s, now));
        sendJson(responder, QJsonDocument(list));
        return;
    }
    if (parts.size() == 5 && parts[4] != QLatin1String("kick")) {
        sendError(responder, Status::NotFound, QStringLiteral("no such resource: %1").arg(path));
        return;
    }
    const auto id = parseUnsigned(parts[3]);
    if (!id) {
        sendError(responder, Status::BadRequest, QStringLiteral("'%1' is not a connection id").arg(parts[3]));
        return;
    }
    if (parts.size() == 5) {
        // PROTOCOL.md §2: an operator's close is BYE kicked.
        if (method != Method::Post) {
            sendError(responder, Status::MethodNotAllowed, QStringLiteral("use POST"), "POST");
            return;
        }
        if (!m_connections.contains(*id)) {
            sendError(responder, Status::NotFound, QStringLiteral("no open connection %1").arg(*id));
            return;
        }
        m_server.closeConnection(*id);
        QJsonObject o;
        o.insert(QStringLiteral("id"), double(*id));
        o.insert(QStringLiteral("status"), QStringLiteral("kicking"));
        sendJson(responder, QJsonDocument(o), Status::Accepted);
        return;
    }
    if (!onlyGet())
        return;
    const auto row = m_connections.find(*id);
    if (!row) {
        sendError(responder, Status::NotFound, QStringLiteral("no open connection %1").arg(*id));
        return;
    }
    sendJson(responder, QJsonDocument(AdminJson::connection(*row, now)));
}

// Long poll: answers at once when there are events after `since`, else
// holds the request until some arrive or wait_ms passes.
void AdminServer::serveEvents(const QHttpServerRequest &request, QHttpServerResponder &responder, QTcpSocket *socket)
{
    const QUrlQuery query = request.query();
    auto number = [&](const QString &key, quint64 fallback, quint64 max) -> std::optional<quint64> {
        if (!query.hasQueryItem(key))
            return fallback;
        const auto value = parseUnsigned(query.queryItemValue(key));
        if (!value || *value > max) {
            sendError(responder, Status::BadRequest,
                      QStringLiteral("%1 must be a whole number from 0 to %2").arg(key).arg(max));
            return std::nullopt;
        }
        return value;
    };
    const auto since = number(QStringLiteral("since"), 0, std::numeric_limits<qint64>::max());
    if (!since)
        return;
    const auto waitMs = number(QStringLiteral("wait_ms"), DefaultWaitMs, MaxWaitMs);
    if (!waitMs)
        return;
    const auto limit = number(QStringLiteral("limit"), MaxEventsPerResponse, MaxEventsPerResponse);
    if (!limit)
        return;
    const int max = std::max(1, int(*limit));
    if (m_events.hasAfter(*since) || *waitMs == 0) {
        responder.write(eventsBody(*since, max), {{"Content-Type", JsonType}, {"Cache-Control", "no-store"}});
        return;
    }
    if (int(m_waiters.size()) >= MaxWaiters) {
        sendError(responder, Status::ServiceUnavailable, QStringLiteral("too many event readers waiting"));
        return;
    }
    m_waiters.push_back(Waiter{std::make_unique<QHttpServerResponder>(std::move(responder)), socket, *since, max,
                               MonotonicClock::nowMs() + qint64(*waitMs)});
    if (!m_waitTimer.isActive())
        m_waitTimer.start();
}

QByteArray AdminServer::eventsBody(quint64 since, int limit) const
{
    const EventRing::Slice slice = m_events.read(since, limit);
    QJsonArray events;
    for (const EventRing::Entry &entry : slice.entries)
        events.append(AdminJson::event(entry));
    QJsonObject o;
    o.insert(QStringLiteral("events"), events);
    o.insert(QStringLiteral("last"), double(slice.last));
    o.insert(QStringLiteral("missed"), double(slice.missed));
    o.insert(QStringLiteral("latest"), double(m_events.lastSeq()));
    o.insert(QStringLiteral("server_dropped"), double(m_events.serverDropped()));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void AdminServer::sendJson(QHttpServerResponder &responder, const QJsonDocument &doc, Status status)
{
    responder.write(doc.toJson(QJsonDocument::Compact), {{"Content-Type", JsonType}, {"Cache-Control", "no-store"}},
                    status);
}

void AdminServer::sendError(QHttpServerResponder &responder, Status status, const QString &message,
                            const QByteArray &allow)
{
    const QByteArray body = QJsonDocument(AdminJson::error(int(status), message)).toJson(QJsonDocument::Compact);
    if (allow.isEmpty()) {
        responder.write(body, {{"Content-Type", JsonType}}, status);
        return;
    }
    responder.write(body, {{"Content-Type", JsonType}, {"Allow", allow}}, status);
}

} // namespace Vigil
