// The core facade: starts listeners and network threads from a
// ServerConfig, reports through batches and stats, and takes operator
// commands (kick, new timeouts). Lives in the thread that created it
// (the GUI thread in the monitor); does no socket work there.
#pragma once

#include "admissioncontrol.h"
#include "eventmerger.h"
#include "messagehandler.h"
#include "serverconfig.h"
#include "serverstats.h"
#include "snapshots.h"

#include <QObject>
#include <QPointer>
#include <QThread>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace Vigil {

class Acceptor;
class NetworkThread;

// What a reload did (PROTOCOL.md §11): on success the keys whose values
// changed and those that differ but keep their start values until a
// restart; on failure why, and then nothing changed.
struct ReloadResult
{
    QString error; // empty: applied
    QStringList changed;
    QStringList restartRequired;
    bool ok() const { return error.isEmpty(); }
};

class Server final : public QObject
{
    Q_OBJECT
public:
    // PROTOCOL.md-independent, but the GUI contract: at most 30 batches a second.
    static constexpr int MinPublishIntervalMs = 33;

    explicit Server(QObject *parent = nullptr);
    ~Server() override;

    // Binds every listener or none. false: see errorString().
    bool start(const ServerConfig &config);
    // Stops accepting, sends BYE server-shutdown to every connection and
    // closes within 2 s; emits stopped() when done.
    void stop();
    // PROTOCOL.md §10 drain: stops accepting at once, then every open
    // connection gets GOAWAY server-shutdown with a close time drawn
    // uniformly from [0, ms] and BYE at that time; stopped() follows the
    // last close, within ms + 2 s. stop() during a drain ends it at once.
    // ms <= 0 is stop(). false (and nothing done): not running, or already
    // stopping or draining.
    bool drain(qint64 ms);
    bool isDraining() const { return m_draining; }
    // Like stop(), then waits for it (destructor, tests).
    void stopAndWait();
    bool isRunning() const { return m_running; }
    QString errorString() const { return m_error; }
    QList<ListenAddress> boundAddresses() const { return m_bound; }
    ServerConfig config() const { return m_config ? *m_config : ServerConfig(); }
    ServerStats stats() const;

    // Batches go out at the fastest subscriber's interval, never faster
    // than MinPublishIntervalMs, and not at all while nobody subscribes (or
    // every subscriber is paused). Subscribe with a FeedSubscription.
    int publishInterval() const { return m_publishIntervalMs; }
    // The next batch of every thread carries all its connections.
    void requestFullSnapshot();
    // New timeouts, limits, mode for new connections; with applyToOpen
    // also for the open ones (their HELLO choices are kept).
    void applyConfig(const ServerConfig &config, bool applyToOpen);
    // A reload (PROTOCOL.md §11): the listeners become config.listen (see
    // Acceptor::updateListeners: every added entry binds or nothing
    // changes), then applyConfig(config, true). The keys a running server
    // cannot change (reloadFixedKeys()) keep their values and are reported
    // in restartRequired.
    ReloadResult reload(const ServerConfig &config);
    // PROTOCOL.md §9 alone: re-reads --tls-cert/--tls-key for new
    // handshakes (a reload without a config file still rotates them).
    // A pair that fails to load keeps the old one: the error says why.
    ReloadResult reloadTls();
    // Those keys: threads and framing (the network threads and decoders
    // are made at start), log-format (every thread formats its own lines),
    // and the admin endpoint's (vigil_admin binds it once).
    static const QStringList &reloadFixedKeys();
    // Counts a reload's outcome for stats(). The caller counts, as it may
    // fail before reload() (vigild's Reloader: a file that does not parse).
    void countReload(bool ok) { ++(ok ? m_reloads : m_reloadFailures); }

    // The application's logic (MessageHandler, docs/embedding.md); set
    // before start(). Without one the config's mode (echo, sink) answers.
    void setHandler(std::shared_ptr<MessageHandler> handler);

    // Thread-safe, from any thread (a handler's included): queued to the
    // connection's network thread, which runs them in order. An id that is
    // not open there is ignored.
    void send(quint64 id, const QByteArray &payload);
    // Every open connection but `except` (0: none) gets payload as DATA.
    void broadcast(const QByteArray &payload, quint64 except = 0);
    // BYE reason (where the framing has BYE), flush, close.
    void kick(quint64 id, CloseReason reason = CloseReason::Kicked);

public slots:
    void closeConnection(quint64 id); // kick(id, kicked), for signal connections

signals:
    void started();
    // Each thread's snapshots as it published them (events stripped), then
    // one batch with thread -1 and the events of every thread merged in
    // time order, numbered by ServerEvent::seq (see EventMerger).
    void batchPublished(const Vigil::ServerBatch &batch);
    // Accepting failed for want of descriptors: once when it starts, then
    // every 10 s while it lasts; acceptResumed when it works again.
    void acceptPaused(const QString &error, qint64 pausedMs, int retries);
    void acceptResumed(qint64 pausedMs, int retries);
    void stopped();

private:
    friend class FeedSubscription;
    int addSubscriber(int intervalMs);
    void setSubscriberInterval(int id, int intervalMs);
    void removeSubscriber(int id);
    void updatePublishInterval(bool fullSnapshot);
    void emitMergedEvents(QVector<ServerEvent> &&events);

    bool updateListeners(const QList<ListenAddress> &listen, QString *error);
    void handleThreadFinished();
    template<typename Post>
    void postTo(quint64 id, Post &&post) const;
    void deliverBatches();
    void teardown(bool announce);
    void closeAcceptor();

    std::shared_ptr<const ServerConfig> m_config;
    AdmissionControl m_admission;
    std::shared_ptr<MessageHandler> m_handler;
    // m_threads changes only at start and teardown (this thread), but
    // send/broadcast/kick read it from any thread.
    mutable std::mutex m_threadsMutex;
    std::vector<std::unique_ptr<NetworkThread>> m_threads;
    QThread m_acceptThread;
    Acceptor *m_acceptor = nullptr;
    QList<ListenAddress> m_bound;
    QString m_error;
    ServerStats m_lastStats; // kept after stop, for the final figures
    quint64 m_reloads = 0;
    quint64 m_reloadFailures = 0;
    std::mutex m_reloadMutex; // guards the three below (this thread <-> accept thread, reload)
    QList<ListenAddress> m_reloadWanted;
    QList<ListenAddress> m_reloadBound;
    QString m_reloadFailure;
    std::mutex m_batchMutex;  // guards the two below (network threads -> this thread)
    std::vector<ServerBatch> m_pendingBatches;
    bool m_drainPosted = false;
    int m_publishIntervalMs = 0;
    std::map<int, int> m_subscribers; // id -> interval ms (0: paused)
    int m_nextSubscriber = 1;
    EventMerger m_merger;
    int m_threadsRunning = 0;
    bool m_running = false;
    bool m_stopping = false;
    bool m_draining = false;
    qint64 m_drainDeadlineMs = 0; // monotonic
};

// A claim on a Server's batches at some interval, released when destroyed
// (or when the Server goes first). Several owners (the monitor's view, the
// admin endpoint's event stream) each hold one; the server publishes at the
// fastest of them, so none of them slows another down.
class FeedSubscription final
{
public:
    FeedSubscription() = default;
    // intervalMs 0: subscribed but paused (e.g. a hidden window).
    explicit FeedSubscription(Server *server, int intervalMs = 0);
    ~FeedSubscription();
    FeedSubscription(const FeedSubscription &) = delete;
    FeedSubscription &operator=(const FeedSubscription &) = delete;

    // From paused to running, the next batches carry every connection.
    void setInterval(int intervalMs);
    int interval() const { return m_intervalMs; }

private:
    QPointer<Server> m_server;
    int m_id = 0;
    int m_intervalMs = 0;
};

} // namespace Vigil
