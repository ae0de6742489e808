// RemoteServerSource: at most one request in flight per endpoint, a full
// batch per connections poll, and a doubling retry delay after a failure.
#include "remoteserversource.h"

#include "feedjson.h"
#include "hostport.h"
#include "monotonicclock.h"

#include <QDateTime>
#include <QtConcurrent/QtConcurrentRun>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

#include <algorithm>

namespace Vigil {

namespace {
// docs/admin.md: the list is at most 200 ms old, so polling faster buys nothing.
constexpr int DefaultPollMs = 500;
constexpr int DefaultFirstRetryMs = 1000;
constexpr int DefaultMaxRetryMs = 30000;
// Long poll on the event ring; the server answers at once when it has events.
constexpr int DefaultEventWaitMs = 20000;
// A poll that takes longer than this counts as a lost server.
constexpr int RequestTimeoutMs = 5000;
constexpr int EventLimit = 1000;
// Bound on the remembered closed ids; past it the set starts over.
constexpr int ClosedIdsCap = 20000;
} // namespace

RemoteServerSource::RemoteServerSource(const QString &address, const QString &token, QObject *parent)
    : ServerSource(parent)
    , m_address(address.trimmed())
    , m_token(token.trimmed())
    , m_firstRetryMs(DefaultFirstRetryMs)
    , m_maxRetryMs(DefaultMaxRetryMs)
    , m_retryMs(DefaultFirstRetryMs)
    , m_eventWaitMs(DefaultEventWaitMs)
{
    m_base.setScheme(QStringLiteral("http"));
    const int colon = m_address.lastIndexOf(QLatin1Char(':'));
    QString host = m_address.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    m_base.setHost(host);
    m_base.setPort(m_address.mid(colon + 1).toInt());

    m_pollTimer.setInterval(DefaultPollMs);
    m_pollTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_pollTimer, &QTimer::timeout, this, &RemoteServerSource::poll);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &RemoteServerSource::retry);
    m_countdownTimer.setInterval(1000);
    connect(&m_countdownTimer, &QTimer::timeout, this, &RemoteServerSource::statusChanged);
    connect(&m_decoding, &QFutureWatcher<DecodeJob>::finished, this, &RemoteServerSource::handleDecoded);
}

RemoteServerSource::~RemoteServerSource()
{
    stop();
}

bool RemoteServerSource::isValidAddress(const QString &address)
{
    return HostPort::parse(address, HostPortRules::connect()).has_value();
}

QString RemoteServerSource::statusText() const
{
    switch (m_state) {
    case State::Stopped:
        return tr("detached");
    case State::Connecting:
        return m_error.isEmpty() ? tr("connecting to %1…").arg(m_address)
                                 : tr("reconnecting to %1…").arg(m_address);
    case State::Connected:
        return tr("attached to %1").arg(m_address);
    case State::Lost:
        return tr("connection lost — retrying in %1 s (%2)").arg(retryInSeconds()).arg(m_error);
    case State::Unauthorized:
        return tr("token rejected (HTTP 401) — retrying in %1 s").arg(retryInSeconds());
    case State::BadResponse:
        if (m_gaveUp)
            return tr("%1 — not retrying; check the address, then Retry now").arg(m_error);
        return tr("bad response — retrying in %1 s (%2)").arg(retryInSeconds()).arg(m_error);
    }
    return QString();
}

int RemoteServerSource::retryInSeconds() const
{
    if (!m_retryTimer.isActive())
        return 0;
    const qint64 left = m_retryDelay - m_retryClock.elapsed();
    return int(std::max<qint64>(1, (left + 999) / 1000));
}

void RemoteServerSource::setRetryDelays(int firstMs, int maxMs)
{
    m_firstRetryMs = firstMs;
    m_maxRetryMs = std::max(firstMs, maxMs);
    m_retryMs = firstMs;
}

bool RemoteServerSource::start()
{
    if (m_state != State::Stopped)
        return true;
    m_error.clear();
    m_gaveUp = false;
    m_retryMs = m_firstRetryMs;
    setState(State::Connecting);
    poll();
    m_pollTimer.start();
    return true;
}

void RemoteServerSource::retryNow()
{
    if (m_state == State::Stopped || m_state == State::Connected)
        return;
    m_retryTimer.stop();
    m_gaveUp = false;
    m_retryMs = m_firstRetryMs;
    abortAll();
    retry();
}

void RemoteServerSource::setToken(const QString &token)
{
    m_token = token.trimmed();
    if (m_state == State::Stopped)
        return;
    if (m_state == State::Connected) {
        // Answers of requests sent with the old token are dropped.
        abortAll();
        setState(State::Connecting);
        poll();
        return;
    }
    retryNow();
}

void RemoteServerSource::stop()
{
    m_pollTimer.stop();
    m_retryTimer.stop();
    m_countdownTimer.stop();
    abortAll();
    if (m_state != State::Stopped)
        setState(State::Stopped);
}

void RemoteServerSource::abortAll()
{
    // Deleting a reply aborts its request. An explicit abort() on a reply
    // whose error is already queued makes Qt report that error twice;
    // disconnecting and the generation check keep stale answers out.
    ++m_generation;
    m_decodeQueue.clear(); // a decode under way is dropped when it comes back
    for (QPointer<QNetworkReply> *reply : {&m_connectionsReply, &m_statsReply, &m_eventsReply}) {
        if (QNetworkReply *r = *reply) {
            disconnect(r, nullptr, this, nullptr);
            r->deleteLater();
        }
        *reply = nullptr;
    }
}

void RemoteServerSource::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit statusChanged();
}

QUrl RemoteServerSource::url(const QString &path, const QString &query) const
{
    QUrl u = m_base;
    u.setPath(path);
    if (!query.isEmpty())
        u.setQuery(query);
    return u;
}

QNetworkReply *RemoteServerSource::get(const QString &path, const QString &query, int timeoutMs)
{
    QNetworkRequest request(url(path, query));
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setTransferTimeout(timeoutMs);
    return m_network.get(request);
}

void RemoteServerSource::poll()
{
    // One request per endpoint at a time: a slow server is polled slower,
    // never piled up on.
    if (m_state == State::Stopped || m_retryTimer.isActive())
        return;
    if (!m_connectionsReply)
        send(Endpoint::Connections);
    if (!m_statsReply)
        send(Endpoint::Stats);
    // The event stream starts once the server answered: a long poll to a
    // dead address would only fail the same way twice.
    if (!m_eventsReply && m_state == State::Connected)
        send(Endpoint::Events);
}

void RemoteServerSource::send(Endpoint endpoint)
{
    QNetworkReply *reply = nullptr;
    switch (endpoint) {
    case Endpoint::Connections:
        reply = m_connectionsReply = get(QStringLiteral("/api/v1/connections"), QString(), RequestTimeoutMs);
        break;
    case Endpoint::Stats:
        reply = m_statsReply = get(QStringLiteral("/api/v1/stats"), QString(), RequestTimeoutMs);
        break;
    case Endpoint::Events: {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("since"), QString::number(m_eventsSince));
        query.addQueryItem(QStringLiteral("wait_ms"), QString::number(m_eventWaitMs));
        query.addQueryItem(QStringLiteral("limit"), QString::number(EventLimit));
        reply = m_eventsReply =
            get(QStringLiteral("/api/v1/events"), query.toString(), m_eventWaitMs + RequestTimeoutMs);
        break;
    }
    }
    const quint64 generation = m_generation;
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, endpoint, generation] { handleReply(reply, endpoint, generation); });
}

void RemoteServerSource::handleReply(QNetworkReply *reply, Endpoint endpoint, quint64 generation)
{
    reply->deleteLater();
    if (generation != m_generation)
        return;
    switch (endpoint) {
    case Endpoint::Connections: m_connectionsReply = nullptr; break;
    case Endpoint::Stats: m_statsReply = nullptr; break;
    case Endpoint::Events: m_eventsReply = nullptr; break;
    }
    DecodeJob job;
    if (!checkReply(reply, &job))
        return;
    job.endpoint = endpoint;
    job.generation = generation;
    // 5,000 connections are a few MB of JSON per poll: parsed and decoded
    // on a pool thread, one reply at a time and in the order they came,
    // so the window never waits for it and a close the event stream
    // reported is known before a later connections poll is applied.
    m_decodeQueue.push_back(std::move(job));
    decodeNext();
}

void RemoteServerSource::decodeNext()
{
    if (m_decodeBusy || m_decodeQueue.empty())
        return;
    m_decodeBusy = true;
    DecodeJob job = std::move(m_decodeQueue.front());
    m_decodeQueue.pop_front();
    m_decoding.setFuture(QtConcurrent::run(&RemoteServerSource::decode, std::move(job)));
}

// On a pool thread: touches nothing but its argument.
RemoteServerSource::DecodeJob RemoteServerSource::decode(DecodeJob job)
{
    QJsonParseError parseError;
    job.json = QJsonDocument::fromJson(job.body, &parseError);
    job.body.clear();
    if (parseError.error != QJsonParseError::NoError || job.json.isNull())
        job.parseError = parseError.errorString().isEmpty() ? QStringLiteral("empty answer") : parseError.errorString();
    if (job.status != 200 || !job.parseError.isEmpty())
        return job;
    const qint64 now = MonotonicClock::nowMs();
    if (job.endpoint == Endpoint::Connections && job.json.isArray()) {
        const QJsonArray rows = job.json.array();
        job.rows.reserve(rows.size());
        for (const QJsonValue &row : rows) {
            FeedJson::Decoded<ConnectionSnapshot> decoded = FeedJson::decodeConnection(row, now);
            if (decoded)
                job.rows.append(std::move(*decoded.value));
        }
        job.json = QJsonDocument(); // the rows are all that is needed
    } else if (job.endpoint == Endpoint::Events && job.json.isObject()) {
        job.page = FeedJson::decodeEventPage(job.json.object(), now, QDateTime::currentMSecsSinceEpoch());
        job.json = QJsonDocument();
    }
    return job;
}

void RemoteServerSource::handleDecoded()
{
    DecodeJob job = m_decoding.result();
    // Start the next one first: the pool works while this one is applied.
    m_decodeBusy = false;
    decodeNext();
    if (job.generation != m_generation)
        return;
    if (job.status != 200) {
        QString detail = job.json.object().value(QLatin1String("error")).toString();
        if (detail.isEmpty())
            detail = job.reason;
        fail(State::BadResponse, tr("HTTP %1: %2").arg(job.status).arg(detail));
        return;
    }
    if (!job.parseError.isEmpty()) {
        fail(State::BadResponse, tr("not the vigild admin API: %1").arg(job.parseError));
        return;
    }
    if (m_state != State::Connected) {
        m_error.clear();
        m_retryMs = m_firstRetryMs;
        setState(State::Connected);
    }
    switch (job.endpoint) {
    case Endpoint::Connections: handleConnections(job); break;
    case Endpoint::Stats: handleStats(job.json); break;
    case Endpoint::Events:
        handleEvents(job);
        // Keep the long poll going without waiting for the next tick.
        if (m_state == State::Connected && !m_eventsReply)
            send(Endpoint::Events);
        break;
    }
}

bool RemoteServerSource::checkReply(QNetworkReply *reply, DecodeJob *job)
{
    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttr.isValid()) {
        // Accepted and closed without a word on first contact: something
        // that is not HTTP, most often a vigild listener given instead of
        // the admin address (it answers with BYE protocol-error).
        // Retrying would only add a protocol-error close per attempt to
        // the watched server's log: stop and say so.
        const bool notHttp = reply->error() == QNetworkReply::RemoteHostClosedError
            || reply->error() == QNetworkReply::ProtocolFailure;
        if (notHttp && m_state == State::Connecting) {
            fail(State::BadResponse, tr("not an HTTP server (is this the --admin address?)"), Then::GiveUp);
            return false;
        }
        // No HTTP answer at all: refused, reset, timed out, unreachable.
        fail(State::Lost, reply->errorString());
        return false;
    }
    job->status = statusAttr.toInt();
    if (job->status == 401) {
        fail(State::Unauthorized, tr("token rejected"));
        return false;
    }
    job->reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    job->body = reply->readAll();
    return true;
}

void RemoteServerSource::handleConnections(DecodeJob &job)
{
    if (!job.json.isNull()) { // decode() keeps the document only when it was not an array
        fail(State::BadResponse, tr("connections: expected a JSON array"));
        return;
    }
    // One full batch: the model drops every row the server no longer lists.
    ServerBatch batch;
    batch.full = true;
    batch.updated.reserve(job.rows.size());
    for (ConnectionSnapshot &s : job.rows) {
        if (!m_closedIds.contains(s.id))
            batch.updated.append(std::move(s));
    }
    emit batchPublished(batch);
}

void RemoteServerSource::handleStats(const QJsonDocument &json)
{
    if (!json.isObject()) {
        fail(State::BadResponse, tr("stats: expected a JSON object"));
        return;
    }
    const FeedJson::Decoded<ServerStats> decoded = FeedJson::decodeStats(json.object(), MonotonicClock::nowMs());
    if (!decoded) {
        fail(State::BadResponse, decoded.error);
        return;
    }
    const ServerStats &s = *decoded.value;
    noteRun(json.object());
    const QString instance = json.object().value(FeedJson::Key::Instance).toString();
    const bool renamed = instance != m_instance;
    m_instance = instance;
    m_lastStats = s;
    emit statsUpdated(s);
    if (renamed)
        emit statusChanged(); // the tab and the title name it
}

void RemoteServerSource::handleEvents(DecodeJob &job)
{
    // Wall-clock stamps became this machine's monotonic time (decode()),
    // so the log sorts and ages them like the embedded server's events.
    // Events this build cannot show (a newer vigild's kinds) are left out.
    if (!job.page || !*job.page) {
        fail(State::BadResponse, job.page ? job.page->error : tr("events: expected an object with \"events\""));
        return;
    }
    FeedJson::Decoded<FeedJson::EventPage> &page = *job.page;
    ServerBatch batch;
    batch.events.reserve(page.value->events.size());
    for (FeedJson::DecodedEvent &decoded : page.value->events) {
        ServerEvent &event = decoded.event;
        if (event.kind == EventKind::Closed && event.conn != 0) {
            if (m_closedIds.size() >= ClosedIdsCap)
                m_closedIds.clear();
            m_closedIds.insert(event.conn);
            batch.closed.append({event.conn, event.reason});
        }
        batch.events.append(std::move(event));
    }
    // Events that left the ring before we asked, and those the server
    // never published, show as "skipped" in the log.
    const FeedJson::EventPageInfo &info = page.value->info;
    batch.eventsDropped = info.missed;
    const quint64 serverDropped = info.serverDropped;
    if (m_haveServerDropped && serverDropped > m_serverDropped)
        batch.eventsDropped += serverDropped - m_serverDropped;
    m_serverDropped = serverDropped;
    m_haveServerDropped = true;
    m_eventsSince = info.last;
    if (!batch.events.isEmpty() || batch.eventsDropped)
        emit batchPublished(batch);
}

void RemoteServerSource::noteRun(const QJsonObject &stats)
{
    // vigild names its run (run_id, started_at); without those, an
    // accepted counter that went back says the same. The instance name
    // stays the same across restarts, so it cannot tell them.
    const QString run = stats.value(FeedJson::Key::RunId).toVariant().toString() + QLatin1Char('/')
        + stats.value(FeedJson::Key::StartedAt).toVariant().toString();
    const quint64 accepted = quint64(stats.value(FeedJson::Key::Accepted).toDouble());
    const bool named = run != QStringLiteral("/");
    const bool restarted =
        m_haveRun && ((named && run != m_run) || (!named && accepted < m_lastAccepted));
    m_run = run;
    m_lastAccepted = accepted;
    m_haveRun = true;
    if (!restarted)
        return;
    forgetRun();
    const QString detail = named ? tr("vigild restarted (started %1): connection ids start again")
                                       .arg(stats.value(FeedJson::Key::StartedAt).toVariant().toString())
                                 : tr("vigild restarted: connection ids start again");
    emit serverRestarted(detail);
    emit notice(detail, 10000);
}

void RemoteServerSource::forgetRun()
{
    // What belonged to the previous run's numbering.
    m_closedIds.clear();
    m_haveServerDropped = false;
    m_eventsSince = 0;
}

void RemoteServerSource::fail(State state, const QString &error, Then then)
{
    // Everything in flight belongs to the failed attempt: drop it and
    // try again after a delay that doubles up to the maximum.
    abortAll();
    m_pollTimer.stop();
    m_error = error;
    if (state == State::Lost) {
        // A restarted vigild numbers connections and events afresh.
        m_closedIds.clear();
        m_haveServerDropped = false;
    }
    if (then == Then::GiveUp) {
        m_gaveUp = true;
        m_retryTimer.stop();
        m_countdownTimer.stop();
        if (m_state == state)
            emit statusChanged();
        else
            setState(state);
        return;
    }
    m_retryDelay = m_retryMs;
    m_retryMs = std::min(m_retryMs * 2, m_maxRetryMs);
    m_retryClock.start();
    m_retryTimer.start(m_retryDelay);
    m_countdownTimer.start();
    if (m_state == state)
        emit statusChanged(); // new detail or delay
    else
        setState(state);
}

void RemoteServerSource::retry()
{
    m_countdownTimer.stop();
    setState(State::Connecting);
    poll();
    m_pollTimer.start();
}

bool RemoteServerSource::drain(qint64 ms)
{
    if (m_state != State::Connected) {
        emit notice(tr("Not connected to %1").arg(m_address), 5000);
        return false;
    }
    QNetworkRequest request(url(QStringLiteral("/api/v1/drain")));
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setTransferTimeout(RequestTimeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = m_network.post(request, "{\"drain_ms\": " + QByteArray::number(ms) + '}');
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        if (status == 202) {
            emit notice(tr("%1 is draining %n connection(s)", nullptr, body.value(QLatin1String("connections")).toInt())
                            .arg(m_address),
                        5000);
            poll(); // the draining flag without waiting for the next poll
        } else if (status == 401) {
            emit notice(tr("Drain refused: token rejected"), 5000);
        } else if (status == 0) {
            emit notice(tr("Drain failed: %1").arg(reply->errorString()), 5000);
        } else {
            const QString error = body.value(QLatin1String("error")).toString();
            emit notice(tr("Drain refused: %1").arg(error.isEmpty() ? tr("HTTP %1").arg(status) : error), 5000);
        }
    });
    return true;
}

void RemoteServerSource::kick(quint64 id)
{
    QNetworkRequest request(url(QStringLiteral("/api/v1/connections/%1/kick").arg(id)));
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setTransferTimeout(RequestTimeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = m_network.post(request, QByteArray());
    connect(reply, &QNetworkReply::finished, this, [this, reply, id] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 202 || status == 200)
            emit kickFinished(id, true, QString());
        else if (status == 401)
            emit kickFinished(id, false, tr("token rejected"));
        else if (status == 404)
            emit kickFinished(id, false, tr("connection %1 is not open").arg(id));
        else if (status == 0)
            emit kickFinished(id, false, reply->errorString());
        else
            emit kickFinished(id, false, tr("HTTP %1").arg(status));
    });
}

} // namespace Vigil
