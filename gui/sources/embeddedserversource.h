// The Server running inside vigil-monitor as a ServerSource: it owns the
// Server, samples its stats, and holds the monitor's FeedSubscription (paused
// while nobody watches). The Server already delivers one time-ordered event
// stream, so batches pass straight through.
#pragma once

#include "server.h"
#include "serversource.h"

#include <QTimer>
#include <QVector>

namespace Vigil {

class EmbeddedServerSource final : public ServerSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmbeddedServerSource)
public:
    // Statistics, rates and the status line are sampled this often.
    static constexpr int StatsSampleMs = 500;
    static constexpr int DefaultPublishIntervalMs = 100;

    explicit EmbeddedServerSource(QObject *parent = nullptr);
    ~EmbeddedServerSource() override;

    Server &server() { return m_server; }
    const Server &server() const { return m_server; }

    Capabilities capabilities() const override
    {
        return Capability::StartStop | Capability::ApplyConfig | Capability::Drain;
    }
    QString title() const override;
    State state() const override;
    QString statusText() const override;
    QString errorString() const override { return m_server.errorString(); }
    ServerStats lastStats() const override { return m_lastStats; }
    bool hasPreviews() const override { return true; }

    bool start() override;
    void stop() override;
    // Like stop(), then waits for the connections' BYEs (closing the window).
    void stopAndWait();
    void applyConfig(const ServerConfig &config, bool applyToOpen) override;
    ServerConfig config() const { return m_config; }
    bool drain(qint64 ms) override;
    void kick(quint64 id) override;
    void setWatched(bool watched) override;
    void setPublishInterval(int intervalMs) override;
    int publishInterval() const { return m_publishIntervalMs; }

private:
    void handleBatch(const ServerBatch &batch);
    void handleStarted();
    void handleStopped();
    void sampleStats();
    void applyPublishInterval();

    Server m_server;
    FeedSubscription m_feed{&m_server};
    ServerConfig m_config;
    ServerStats m_lastStats;
    QTimer m_statsTimer;
    int m_publishIntervalMs = DefaultPublishIntervalMs;
    bool m_watched = false;
};

} // namespace Vigil
