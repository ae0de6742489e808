// Admin endpoint: admission, routing, authentication, long-poll waiters.
#include "adminserver.h"

#include "adminjson.h"
#include "adminlistener.h"
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
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Vigil {

namespace {
constexpr int WaitTickMs = 50;
constexpr qint64 MaxTokenFileBytes = 4096;

const QByteArray JsonType = QByteArrayLiteral("application/json");

QByteArray tokenDigest(const QByteArray &token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256);
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

// The credentials of "Authorization: Bearer <token>". The scheme is
// case-insensitive and may be followed by several spaces (RFC 7235 §2.1).
QByteArray bearerCredentials(const QByteArray &authorization)
{
    const QByteArray value = authorization.trimmed();
    const qsizetype space = value.indexOf(' ');
    if (space < 0 || value.left(space).compare("bearer", Qt::CaseInsensitive) != 0)
        return QByteArray();
    return value.mid(space + 1).trimmed();
}

// Qt HttpServer prints a warning for every "Upgrade: websocket" request it
// does not hand to a WebSocket server, so any client could fill vigild's
// stderr. vigild serves no WebSockets and answers those requests itself;
// the category's warnings go (QT_LOGGING_RULES still rules the others).
QLoggingCategory::CategoryFilter previousFilter = nullptr;

void quietHttpServerWarnings(QLoggingCategory *category)
{
    if (previousFilter)
        previousFilter(category);
    if (qstrcmp(category->categoryName(), "qt.httpserver") == 0)
        category->setEnabled(QtWarningMsg, false);
}

std::optional<quint64> parseUnsigned(const QString &text)
{
    bool ok = false;
    const quint64 value = text.toULongLong(&ok);
    if (!ok || text.isEmpty() || !text.at(0).isDigit())
        return std::nullopt;
    return value;
}

AdminRequest::Method methodOf(QHttpServerRequest::Method method)
{
    using M = QHttpServerRequest::Method;
    switch (method) {
    case M::Get: return AdminRequest::Method::Get;
    case M::Head: return AdminRequest::Method::Head;
    case M::Post: return AdminRequest::Method::Post;
    default: return AdminRequest::Method::Other;
    }
}
} // namespace

AdminServer::AdminServer(Server &server, const QByteArray &token, bool previews, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_server(server)
    , m_previews(previews)
    , m_log(server.config().logFormat, server.config().logToStdout)
{
    static const bool quiet = []() {
        previousFilter = QLoggingCategory::installFilter(quietHttpServerWarnings);
        return true;
    }();
    Q_UNUSED(quiet);
    if (!token.isEmpty())
        m_tokenDigest = tokenDigest(token);
    m_runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_startedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    m_waitTimer.setInterval(WaitTickMs);
    connect(&m_waitTimer, &QTimer::timeout, this, &AdminServer::handleWaitTick);
}

AdminServer::~AdminServer()
{
    // vigild is stopping: answer the long polls now rather than drop them.
    for (Waiter &waiter : m_waiters) {
        if (!waiter.client)
            continue;
        waiter.client->answer(eventsAnswer(waiter.since, waiter.limit));
        waiter.client->flush();
    }
    m_waiters.clear();
    if (m_listener) {
        m_listener->close();
        m_feed.reset();
    }
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
    auto *listener = new AdminListener([this](QTcpSocket *socket) { return admit(socket); }, this);
    if (!listener->listen(address.host, address.port)) {
        m_error = QStringLiteral("cannot listen on admin address %1: %2").arg(address.toString(), listener->errorString());
        delete listener;
        return false;
    }
    m_listener = listener;
    bind(listener);
    connect(listener, &Listener::acceptPaused, this, [this](const QString &error, qint64 pausedMs, int retries) {
        if (pausedMs == 0)
            m_log.notice(QStringLiteral("admin accept paused: %1; retrying every %2 ms").arg(error).arg(Listener::RetryMs));
        else
            m_log.notice(QStringLiteral("admin accept still paused after %1 s: %2 (%3 retries)")
                             .arg(pausedMs / 1000)
                             .arg(error)
                             .arg(retries));
    });
    connect(listener, &Listener::acceptResumed, this, [this](qint64 pausedMs, int retries) {
        m_log.notice(QStringLiteral("admin accept resumed after %1 ms (%2 retries)").arg(pausedMs).arg(retries));
    });
    m_bound = address;
    m_bound.port = listener->serverPort();
    connect(&m_server, &Server::batchPublished, this, &AdminServer::handleBatch);
    // The connection list is only as fresh as the batches: ask for them.
    m_feed.emplace(&m_server, PublishIntervalMs); // a newcomer's first batches are full
    return true;
}

// A slot for the newcomer, maybe by evicting a connection that waits for
// its request (AdminSlots); false refuses it.
bool AdminServer::admit(QTcpSocket *socket)
{
    QVector<AdminSlots::Holder> holders;
    holders.reserve(qsizetype(m_clients.size()));
    for (const AdminClient *client : m_clients)
        holders.append({client->source(), client->waiting(), client->waitingSinceMs()});
    const AdminSlots::Decision decision = m_slots.decide(holders, socket->peerAddress());
    if (!decision.admit)
        return false;
    if (decision.evict >= 0)
        m_clients[size_t(decision.evict)]->drop(); // leaves m_clients as it disconnects
    auto *client = new AdminClient(socket, [this](AdminClient &c, const AdminRequest &r) { serve(c, r); });
    m_clients.push_back(client);
    // A closed socket is deleted later; its slot is free at once.
    auto forget = [this, client]() {
        m_clients.erase(std::remove(m_clients.begin(), m_clients.end(), client), m_clients.end());
    };
    connect(socket, &QTcpSocket::disconnected, this, forget);
    connect(client, &QObject::destroyed, this, forget);
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
// which ready() holds; forgets those whose client went away. Answering
// may serve that client's next request, which may add a waiter: the
// waiters are taken out of the list first.
void AdminServer::answerWaiters(const std::function<bool(const Waiter &)> &ready)
{
    std::vector<Waiter> due;
    for (auto it = m_waiters.begin(); it != m_waiters.end();) {
        if (!it->client) {
            it = m_waiters.erase(it);
        } else if (ready(*it)) {
            due.push_back(*it);
            it = m_waiters.erase(it);
        } else {
            ++it;
        }
    }
    for (const Waiter &waiter : due) {
        if (waiter.client)
            waiter.client->answer(eventsAnswer(waiter.since, waiter.limit));
    }
    if (m_waiters.empty())
        m_waitTimer.stop();
}

bool AdminServer::authorized(const QHttpServerRequest &request) const
{
    if (m_tokenDigest.isEmpty())
        return true;
    return constantTimeEquals(tokenDigest(bearerCredentials(request.value("Authorization"))), m_tokenDigest);
}

// Qt has parsed a whole request: copy what we need (Qt reuses its request
// object for the connection's next one) and queue it behind the others.
bool AdminServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    AdminClient *client = AdminClient::of(socket);
    if (!client)
        return true;
    AdminRequest r;
    r.method = methodOf(request.method());
    r.path = request.url().path();
    r.query = request.query();
    r.body = request.body();
    r.authorized = authorized(request);
    client->enqueue(r);
    return true;
}

// Reached only for a WebSocket upgrade, after handleRequest() has queued
// it; Qt then closes the connection. Nothing to add.
void AdminServer::missingHandler(const QHttpServerRequest &, QTcpSocket *)
{
}

void AdminServer::serve(AdminClient &client, const AdminRequest &request)
{
    if (request.authorized) {
        route(client, request);
        return;
    }
    AdminAnswer answer = error(401, QStringLiteral("missing or wrong bearer token"));
    answer.headers.append({QByteArray("WWW-Authenticate"), QByteArray("Bearer realm=\"vigild\"")});
    client.answer(answer);
}

void AdminServer::route(AdminClient &client, const AdminRequest &request)
{
    using Method = AdminRequest::Method;
    const QString &path = request.path;
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const Method method = request.method;
    // HEAD is GET without the body (AdminClient leaves it out).
    auto onlyGet = [&]() {
        if (method == Method::Get || method == Method::Head)
            return true;
        client.answer(error(405, QStringLiteral("use GET"), "GET, HEAD"));
        return false;
    };
    auto notFound = [&](const QString &message) { client.answer(error(404, message)); };

    if (path == QLatin1String("/metrics")) {
        if (onlyGet())
            client.answer(AdminAnswer{200,
                                      {{QByteArray("Content-Type"), PrometheusContentType}},
                                      prometheusMetrics(m_server.stats(), m_server.config().effectiveInstanceName())});
        return;
    }
    if (parts.size() < 3 || parts[0] != QLatin1String("api") || parts[1] != QLatin1String("v1")) {
        notFound(QStringLiteral("no such resource: %1").arg(path));
        return;
    }
    const QString &resource = parts[2];
    if (resource == QLatin1String("stats") && parts.size() == 3) {
        if (onlyGet()) {
            // Who is answering: its --instance-name, and its run, so a
            // remote monitor can tell a restart (new run) from a network
            // blip and show what vigild listens on.
            QJsonObject o = FeedJson::encodeStats(m_server.stats());
            o.insert(FeedJson::Key::Server, serverVersionString());
            o.insert(FeedJson::Key::Instance, m_server.config().effectiveInstanceName());
            o.insert(FeedJson::Key::RunId, m_runId);
            o.insert(FeedJson::Key::StartedAt, m_startedAt);
            QJsonArray listening;
            for (const ListenAddress &address : m_server.boundAddresses())
                listening.append(address.toString());
            o.insert(FeedJson::Key::Listening, listening);
            o.insert(FeedJson::Key::Framing, framingName(m_server.config().framing));
            client.answer(json(QJsonDocument(o)));
        }
        return;
    }
    if (resource == QLatin1String("reload") && parts.size() == 3 && m_reload) {
        if (method != Method::Post)
            client.answer(error(405, QStringLiteral("use POST"), "POST"));
        else
            client.answer(reloadAnswer());
        return;
    }
    if (resource == QLatin1String("drain") && parts.size() == 3) {
        if (method != Method::Post)
            client.answer(error(405, QStringLiteral("use POST"), "POST"));
        else
            client.answer(drainAnswer(request.body));
        return;
    }
    if (resource == QLatin1String("events") && parts.size() == 3) {
        if (onlyGet())
            serveEvents(client, request);
        return;
    }
    if (resource != QLatin1String("connections") || parts.size() > 5) {
        notFound(QStringLiteral("no such resource: %1").arg(path));
        return;
    }
    const qint64 now = MonotonicClock::nowMs();
    if (parts.size() == 3) {
        if (!onlyGet())
            return;
        QJsonArray list;
        const QVector<ConnectionSnapshot> rows = m_connections.all();
        for (const ConnectionSnapshot &s : rows)
            list.append(FeedJson::encodeConnection(s, now, AdminJson::previews(m_previews)));
        client.answer(json(QJsonDocument(list)));
        return;
    }
    if (parts.size() == 5 && parts[4] != QLatin1String("kick")) {
        notFound(QStringLiteral("no such resource: %1").arg(path));
        return;
    }
    const auto id = parseUnsigned(parts[3]);
    if (!id) {
        client.answer(error(400, QStringLiteral("'%1' is not a connection id").arg(parts[3])));
        return;
    }
    if (parts.size() == 5) {
        // PROTOCOL.md §2: an operator's close is BYE kicked.
        if (method != Method::Post) {
            client.answer(error(405, QStringLiteral("use POST"), "POST"));
            return;
        }
        if (!m_connections.contains(*id)) {
            notFound(QStringLiteral("no open connection %1").arg(*id));
            return;
        }
        m_server.closeConnection(*id);
        QJsonObject o;
        o.insert(QStringLiteral("id"), double(*id));
        o.insert(QStringLiteral("status"), QStringLiteral("kicking"));
        client.answer(json(QJsonDocument(o), 202));
        return;
    }
    if (!onlyGet())
        return;
    const auto row = m_connections.find(*id);
    if (!row) {
        notFound(QStringLiteral("no open connection %1").arg(*id));
        return;
    }
    client.answer(json(QJsonDocument(FeedJson::encodeConnection(*row, now, AdminJson::previews(m_previews)))));
}

// Long poll: answers at once when there are events after `since`, else
// holds the request until some arrive or wait_ms passes. The client
// serves nothing else meanwhile, so answers keep their order.
void AdminServer::serveEvents(AdminClient &client, const AdminRequest &request)
{
    const QUrlQuery &query = request.query;
    auto number = [&](const QString &key, quint64 fallback, quint64 max) -> std::optional<quint64> {
        if (!query.hasQueryItem(key))
            return fallback;
        const auto value = parseUnsigned(query.queryItemValue(key));
        if (!value || *value > max) {
            client.answer(error(400, QStringLiteral("%1 must be a whole number from 0 to %2").arg(key).arg(max)));
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
        client.answer(eventsAnswer(*since, max));
        return;
    }
    if (int(m_waiters.size()) >= MaxWaiters) {
        client.answer(error(503, QStringLiteral("too many event readers waiting")));
        return;
    }
    m_waiters.push_back(Waiter{&client, *since, max, MonotonicClock::nowMs() + qint64(*waitMs)});
    if (!m_waitTimer.isActive())
        m_waitTimer.start();
}

// PROTOCOL.md §11 on request. A configuration that cannot be applied is
// the server's trouble, not the request's: 500, and nothing changed.
AdminAnswer AdminServer::reloadAnswer()
{
    const ReloadResult result = m_reload();
    if (!result.ok()) {
        QJsonObject o = AdminJson::error(500, result.error);
        o.insert(QStringLiteral("ok"), false);
        return json(QJsonDocument(o), 500);
    }
    QJsonObject o;
    o.insert(QStringLiteral("ok"), true);
    o.insert(QStringLiteral("changed"), QJsonArray::fromStringList(result.changed));
    o.insert(QStringLiteral("restart_required"), QJsonArray::fromStringList(result.restartRequired));
    return json(QJsonDocument(o));
}

// PROTOCOL.md §10 on request: {"drain_ms": N}, or an empty body for the
// --drain-time in force. 202: the drain has begun; vigild exits when it
// ends, as after SIGTERM.
AdminAnswer AdminServer::drainAnswer(const QByteArray &body)
{
    if (body.size() > MaxRequestBody)
        return error(413, QStringLiteral("the body is larger than %1 bytes").arg(MaxRequestBody));
    qint64 drainMs = m_server.config().drainTimeMs;
    if (!body.trimmed().isEmpty()) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (!doc.isObject())
            return error(400, QStringLiteral("expected a JSON object like {\"drain_ms\": 5000}"));
        const QJsonValue v = doc.object().value(QLatin1String("drain_ms"));
        const double d = v.toDouble(-1);
        if (!v.isUndefined() && (!v.isDouble() || d < 1 || d > double(std::numeric_limits<quint32>::max()) || std::floor(d) != d))
            return error(400, QStringLiteral("drain_ms must be a whole number of milliseconds from 1 to %1")
                                  .arg(std::numeric_limits<quint32>::max()));
        if (!v.isUndefined())
            drainMs = qint64(d);
    }
    if (drainMs <= 0)
        return error(400, QStringLiteral("give drain_ms: this vigild has no --drain-time"));
    if (m_server.isDraining())
        return error(409, QStringLiteral("the server is already draining"));
    const quint64 open = m_server.stats().open;
    if (!m_server.drain(drainMs))
        return error(409, QStringLiteral("the server is stopping"));
    QJsonObject o;
    o.insert(QStringLiteral("draining"), true);
    o.insert(QStringLiteral("drain_ms"), double(drainMs));
    o.insert(QStringLiteral("connections"), double(open));
    return json(QJsonDocument(o), 202);
}

AdminAnswer AdminServer::eventsAnswer(quint64 since, int limit) const
{
    const EventRing::Slice slice = m_events.read(since, limit);
    QJsonArray events;
    for (const EventRing::Entry &entry : slice.entries)
        events.append(AdminJson::event(entry, m_previews));
    FeedJson::EventPageInfo info;
    info.last = slice.last;
    info.missed = slice.missed;
    info.latest = m_events.lastSeq();
    info.serverDropped = m_events.serverDropped();
    return json(QJsonDocument(FeedJson::encodeEventPage(events, info)));
}

AdminAnswer AdminServer::json(const QJsonDocument &doc, int status)
{
    return AdminAnswer{status, {{"Content-Type", JsonType}, {"Cache-Control", "no-store"}},
                       doc.toJson(QJsonDocument::Compact)};
}

AdminAnswer AdminServer::error(int status, const QString &message, const QByteArray &allow)
{
    AdminAnswer answer{status, {{"Content-Type", JsonType}},
                       QJsonDocument(AdminJson::error(status, message)).toJson(QJsonDocument::Compact)};
    if (!allow.isEmpty())
        answer.headers.append({QByteArray("Allow"), allow});
    return answer;
}

} // namespace Vigil
