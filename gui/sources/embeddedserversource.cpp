// EmbeddedServerSource: Server's signals become ServerSource's. Each
// network thread publishes on its own, so events are held briefly and
// released merged: the views' logs never go back in time.
#include "embeddedserversource.h"

#include "monotonicclock.h"

#include <algorithm>
#include <limits>

namespace Vigil {

EmbeddedServerSource::EmbeddedServerSource(QObject *parent)
    : ServerSource(parent)
{
    m_config.logToStdout = false;
    m_statsTimer.setInterval(StatsSampleMs);
    m_statsTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_statsTimer, &QTimer::timeout, this, &EmbeddedServerSource::sampleStats);
    connect(&m_server, &Server::batchPublished, this, &EmbeddedServerSource::handleBatch);
    connect(&m_server, &Server::started, this, &EmbeddedServerSource::handleStarted);
    connect(&m_server, &Server::stopped, this, &EmbeddedServerSource::handleStopped);
    // The pause lasts until acceptResumed, so its notice has no timeout.
    connect(&m_server, &Server::acceptPaused, this, [this](const QString &error) {
        emit notice(tr("Accepting paused: %1 (retrying)").arg(error), 0);
    });
    connect(&m_server, &Server::acceptResumed, this, [this](qint64 pausedMs) {
        emit notice(tr("Accepting resumed after %1 s").arg(double(pausedMs) / 1000.0, 0, 'f', 1), 5000);
    });
    applyPublishInterval();
}

EmbeddedServerSource::~EmbeddedServerSource()
{
    disconnect(&m_server, nullptr, this, nullptr);
    m_server.stopAndWait();
}

QString EmbeddedServerSource::title() const
{
    return tr("Embedded server");
}

ServerSource::State EmbeddedServerSource::state() const
{
    return m_server.isRunning() ? State::Connected : State::Stopped;
}

QString EmbeddedServerSource::statusText() const
{
    if (!m_server.isRunning())
        return tr("Stopped");
    QStringList addresses;
    for (const ListenAddress &a : m_server.boundAddresses())
        addresses << a.toString();
    return tr("Listening on %1 (%2)").arg(addresses.join(QStringLiteral(", ")), framingName(m_server.config().framing));
}

bool EmbeddedServerSource::start()
{
    if (m_server.isRunning())
        return true;
    m_lastStats = ServerStats();
    applyPublishInterval();
    if (!m_server.start(m_config)) {
        emit statusChanged(); // a new errorString()
        return false;
    }
    return true;
}

void EmbeddedServerSource::stop()
{
    // Server::stop sends BYE server-shutdown to every connection.
    m_server.stop();
}

void EmbeddedServerSource::stopAndWait()
{
    m_server.stopAndWait();
}

void EmbeddedServerSource::applyConfig(const ServerConfig &config, bool applyToOpen)
{
    m_config = config;
    m_config.logToStdout = false;
    if (m_server.isRunning())
        m_server.applyConfig(m_config, applyToOpen);
}

void EmbeddedServerSource::kick(quint64 id)
{
    if (!m_server.isRunning()) {
        emit kickFinished(id, false, tr("the server is not running"));
        return;
    }
    // The close itself, with its reason, arrives in a later batch.
    m_server.closeConnection(id);
    emit kickFinished(id, true, QString());
}

void EmbeddedServerSource::setWatched(bool watched)
{
    m_watched = watched;
    applyPublishInterval();
}

void EmbeddedServerSource::setPublishInterval(int intervalMs)
{
    m_publishIntervalMs = std::max(intervalMs, Server::MinPublishIntervalMs);
    applyPublishInterval();
}

void EmbeddedServerSource::applyPublishInterval()
{
    // Batches cost the core work: only while someone can see them. The
    // first batch after a pause is a full snapshot, so views catch up.
    const int interval = m_watched ? m_publishIntervalMs : 0;
    if (m_server.publishInterval() != interval)
        m_server.setPublishInterval(interval);
}

void EmbeddedServerSource::handleStarted()
{
    m_statsTimer.start();
    sampleStats();
    emit statusChanged();
}

void EmbeddedServerSource::handleStopped()
{
    flushEvents(true); // the closes of the shutdown, without waiting
    sampleStats();
    m_statsTimer.stop();
    emit statusChanged();
}

void EmbeddedServerSource::sampleStats()
{
    m_lastStats = m_server.stats();
    emit statsUpdated(m_lastStats);
}

void EmbeddedServerSource::handleBatch(const ServerBatch &batch)
{
    if (batch.events.isEmpty() && !batch.eventsDropped) {
        emit batchPublished(batch);
        return;
    }
    // Connection changes go out at once; events wait for their
    // contemporaries from the other threads.
    ServerBatch connections = batch;
    connections.events.clear();
    connections.eventsDropped = 0;
    if (!connections.updated.isEmpty() || !connections.closed.isEmpty() || connections.full)
        emit batchPublished(connections);
    m_pendingEvents += batch.events;
    m_pendingDropped += batch.eventsDropped;
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        QTimer::singleShot(m_publishIntervalMs, this, [this] { flushEvents(false); });
    }
}

void EmbeddedServerSource::flushEvents(bool all)
{
    m_flushScheduled = false;
    std::stable_sort(m_pendingEvents.begin(), m_pendingEvents.end(),
                     [](const ServerEvent &a, const ServerEvent &b) { return a.atMs < b.atMs; });
    // Every thread publishes at least once per interval, so an event older
    // than one and a half intervals has all its contemporaries here.
    const qint64 cutoff = all ? std::numeric_limits<qint64>::max()
                              : MonotonicClock::nowMs() - m_publishIntervalMs * 3 / 2;
    const auto split = std::upper_bound(m_pendingEvents.begin(), m_pendingEvents.end(), cutoff,
                                        [](qint64 t, const ServerEvent &e) { return t < e.atMs; });
    ServerBatch ready;
    ready.events = QVector<ServerEvent>(m_pendingEvents.begin(), split);
    ready.eventsDropped = m_pendingDropped;
    m_pendingEvents.erase(m_pendingEvents.begin(), split);
    m_pendingDropped = 0;
    if (!ready.events.isEmpty() || ready.eventsDropped)
        emit batchPublished(ready);
    if (!m_pendingEvents.isEmpty()) {
        m_flushScheduled = true;
        QTimer::singleShot(m_publishIntervalMs, this, [this] { flushEvents(false); });
    }
}

} // namespace Vigil
