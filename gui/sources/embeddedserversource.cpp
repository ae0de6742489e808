// EmbeddedServerSource: Server's signals become ServerSource's.
#include "embeddedserversource.h"

#include <algorithm>

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
    if (m_server.isDraining())
        return tr("Draining: %n connection(s) left", nullptr, int(m_lastStats.open));
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

bool EmbeddedServerSource::drain(qint64 ms)
{
    if (!m_server.drain(ms)) {
        emit notice(m_server.isDraining() ? tr("The server is already draining") : tr("The server is not running"), 5000);
        return false;
    }
    sampleStats(); // the draining flag and deadline at once, not in 500 ms
    emit statusChanged();
    return true;
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
    m_feed.setInterval(m_watched ? m_publishIntervalMs : 0);
}

void EmbeddedServerSource::handleStarted()
{
    m_statsTimer.start();
    sampleStats();
    emit statusChanged();
}

void EmbeddedServerSource::handleStopped()
{
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
    emit batchPublished(batch);
}

} // namespace Vigil
