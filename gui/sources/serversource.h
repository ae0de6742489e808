// Where one view's feed comes from: the embedded Server or a vigild
// attached over its admin endpoint. Both hand the views the same batches,
// stats and state changes through the same signals and take the same
// commands, so a view never asks which kind of server it shows.
#pragma once

#include "serverconfig.h"
#include "serverstats.h"
#include "snapshots.h"

#include <QList>
#include <QObject>
#include <QString>

namespace Vigil {

class ServerSource : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerSource)
public:
    enum class State {
        Stopped,      // not serving, or not watching
        Connecting,   // first contact, or a retry under way
        Connected,    // the feed is live (the embedded server: running)
        Lost,         // no answer (refused, reset, timed out): retrying
        Unauthorized, // 401: token missing or wrong; retrying
        BadResponse,  // an answer that is not the admin API: retrying, or
                      // given up (hasGivenUp()) when it is not HTTP at all
    };

    // What the operator may do with this server beyond watching and
    // kicking; actions are enabled by these, never by the source's type.
    enum class Capability {
        StartStop = 0x1,   // start() and stop() serve and end serving
        ApplyConfig = 0x2, // applyConfig() changes its timeouts and limits
        Drain = 0x4,       // drain() spreads the closes (PROTOCOL.md §10), then it stops
        Retry = 0x8,       // retryNow() tries again at once while troubled
        Token = 0x10,      // setToken() replaces the credentials it sends
    };
    Q_DECLARE_FLAGS(Capabilities, Capability)

    explicit ServerSource(QObject *parent = nullptr)
        : QObject(parent)
    {
    }
    ~ServerSource() override = default;

    virtual Capabilities capabilities() const = 0;
    bool can(Capability capability) const { return capabilities().testFlag(capability); }

    // A short name for a tab: "Embedded server", "HOST:PORT".
    virtual QString title() const = 0;
    // The server's --instance-name, once it said (attached vigild only).
    virtual QString instanceName() const { return QString(); }
    // What a tab and the window call it: "edge-1 · 127.0.0.1:9101", or the title.
    QString displayName() const
    {
        const QString name = instanceName();
        return name.isEmpty() ? title() : name + QStringLiteral(" · ") + title();
    }
    virtual State state() const = 0;
    // One line for a banner or status bar, e.g. "Listening on …" or
    // "connection lost — retrying in 3 s".
    virtual QString statusText() const = 0;
    // The last failure's detail (bind error, HTTP status), empty when fine.
    virtual QString errorString() const = 0;
    virtual ServerStats lastStats() const = 0;
    // Whether the feed carries payload previews (the admin API has none).
    virtual bool hasPreviews() const = 0;

    // Out of reach or not yet reached: not stopped and not live.
    bool isTroubled() const { return state() != State::Stopped && state() != State::Connected; }

    // Starts serving or watching; false (see errorString()) when it
    // cannot. A source with StartStop starts with the last applyConfig().
    virtual bool start() = 0;
    virtual void stop() = 0;
    // With ApplyConfig: timeouts and limits for new connections, with
    // applyToOpen for the open ones too; also the next start's config.
    virtual void applyConfig(const ServerConfig &config, bool applyToOpen) = 0;
    // With Drain: stop accepting, GOAWAY server-shutdown to every
    // connection with a close time within ms, then stop. false (and a
    // notice) when it cannot start one: not serving, already draining.
    virtual bool drain(qint64 ms) = 0;
    // With Retry: the next attempt now, not after the delay; also after
    // the source gave up (an address that is not what it expects).
    virtual void retryNow() {}
    // With Token: the token for the next attempts (empty: none); retries now.
    virtual void setToken(const QString &) {}
    virtual QString token() const { return QString(); }
    // Whether the source waits for retryNow() instead of retrying itself.
    virtual bool hasGivenUp() const { return false; }

    // A fleet's instances, in fleet order (FleetSource); empty for one server.
    virtual QList<ServerSource *> members() const { return {}; }
    // The instance a connection id belongs to ("edge-1"), empty for one server.
    virtual QString instanceOf(quint64) const { return QString(); }

    // Closes a connection with BYE kicked; kickFinished reports the outcome.
    virtual void kick(quint64 id) = 0;
    // Whether someone can see the feed: a source may stop producing
    // batches while nobody does (the next batch after is a full one).
    virtual void setWatched(bool watched) = 0;
    // How often batches arrive while watched.
    virtual void setPublishInterval(int intervalMs) = 0;

signals:
    // Connection snapshots and closes, and events in time order.
    void batchPublished(const Vigil::ServerBatch &batch);
    void statsUpdated(const Vigil::ServerStats &stats);
    // State changes, a new statusText() (e.g. a retry countdown).
    void statusChanged();
    void kickFinished(quint64 id, bool ok, const QString &error);
    // A transient note for the status bar (accepting paused, …).
    void notice(const QString &message, int timeoutMs);
    // The server behind the feed restarted (its connection ids and event
    // numbers start again); detail says how that was seen.
    void serverRestarted(const QString &detail);
};

Q_DECLARE_OPERATORS_FOR_FLAGS(ServerSource::Capabilities)

} // namespace Vigil
