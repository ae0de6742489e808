// A network thread: one epoll loop that owns a share of the connections,
// their watchdog schedule and their counters. It runs no Qt event loop
// (the glib dispatcher's O(n) notifier bookkeeping was the naive server's
// main cost). Its parts: a Poller (epoll + the wake-up eventfd), a
// CommandQueue (what other threads ask of it), a WatchdogSchedule (when the
// next timer is due); this class runs the loop over them and reports out
// through counters, the log and batches.
#pragma once

#include "admissioncontrol.h"
#include "bytebuffer.h"
#include "commandqueue.h"
#include "eventlog.h"
#include "messagehandler.h"
#include "serverconfig.h"
#include "serverstats.h"
#include "poller.h"
#include "snapshots.h"
#include "watchdogschedule.h"

#include <QThread>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace Vigil {

class Connection;

class NetworkThread final : public QThread
{
    Q_OBJECT
public:
    using Publisher = std::function<void(ServerBatch &&)>;

    // handler: the application's (shared by every thread); null: the
    // config's mode (echo or sink).
    NetworkThread(int index, std::shared_ptr<const ServerConfig> config, AdmissionControl &admission,
                  Publisher publisher, std::shared_ptr<MessageHandler> handler = nullptr);
    ~NetworkThread() override;

    // Thread-safe commands (queued; the loop runs them in order).
    // proxy: the connection came from a proxy listener (PROTOCOL.md §9);
    // it was admitted unnamed (AdmissionControl::tryAdmitUnnamed). tls:
    // from a tls listener; it runs the TLS handshake with the config's
    // tlsContext as it is when the thread takes the socket.
    void adopt(int fd, quint64 id, const PeerAddress &peer, bool proxy = false, bool tls = false);
    // inClear false: a proxy or tls listener's socket, where no BYE may
    // precede the PROXY header or the TLS handshake (PROTOCOL.md §9).
    void reject(int fd, const PeerAddress &peer, CloseReason reason, bool inClear = true);
    void kick(quint64 id, CloseReason reason = CloseReason::Kicked);
    // One DATA message to connection id (dropped if it is not open here).
    void send(quint64 id, const QByteArray &payload);
    // One DATA message to every open connection of this thread but `except`.
    void broadcast(const QByteArray &payload, quint64 except = 0);
    void applyConfig(std::shared_ptr<const ServerConfig> config, bool applyToOpen);
    void setPublishInterval(int ms, bool fullSnapshot);
    // PROTOCOL.md §10 drain: every open connection gets GOAWAY
    // server-shutdown with a close time drawn uniformly from [0, ms] and
    // BYE at that time; the thread ends when the last one has closed, or
    // stops what is left once the drain is over. Sockets handed over after
    // it began are refused (the listeners are closed first). requestStop()
    // during a drain ends it at once.
    void drain(qint64 ms);
    void requestStop();

    // Empty unless the constructor could not set up the epoll loop (out of
    // descriptors): such a thread must not be started.
    QString errorString() const { return m_error; }
    const ThreadCounters &counters() const { return m_counters; }
    int index() const { return m_index; }

    // For Connection (loop thread only)
    const ServerConfig &config() const { return *m_config; }
    MessageHandler &handler() const { return *m_activeHandler; }
    EventLog &log() { return m_log; }
    ThreadCounters &mutableCounters() { return m_counters; }
    ByteBuffer &replyScratch() { return m_replyScratch; }
    char *readScratch() { return m_readScratch.data(); }
    size_t readScratchSize() const { return m_readScratch.size(); }
    bool isPublishing() const { return m_publishIntervalMs > 0; }
    void setInterest(Connection *connection, bool read, bool write);
    void unwatch(Connection *connection); // epoll forgets it; its timers go on
    // Forward mode: a client's upstream socket in this thread's epoll set,
    // under its Upstream::tag(). false (errno set) when the kernel refuses.
    bool watchUpstream(int fd, void *tag) { return m_poller.add(fd, tag, false, true); }
    void setUpstreamInterest(int fd, void *tag, bool read, bool write);
    void unwatchUpstream(int fd) { m_poller.remove(fd); }
    MemoryBudget &memory() { return m_admission.memory(); }
    void reschedule(Connection *connection);
    void markDirty(Connection *connection);
    void recordEvent(ServerEvent &&event);
    void connectionClosing(Connection *connection, CloseReason reason);
    void connectionRetired(Connection *connection);
    // PROTOCOL.md §9, when a PROXY header is in: --max-per-ip for the
    // address it names, the `proxied` event, a refusal over the limit.
    bool admitHost(const PeerAddress &peer) { return m_admission.tryAddHost(peer); }
    void connectionProxied(Connection *connection, const PeerAddress &proxy);
    // The TLS handshake completed: the `tls` event.
    void connectionTls(Connection *connection, const QString &version, const QString &cipher);
    void connectionRejectedLate(Connection *connection, CloseReason reason);

protected:
    void run() override;

private:
    using Command = NetworkCommand;

    void post(Command &&command);
    void runCommands(qint64 nowNs);
    void runAdopt(const Command &command, qint64 nowNs);
    void runReject(const Command &command);
    void chooseHandler();
    void publish(qint64 nowNs);
    void beginDrain(qint64 ms);
    void beginStop(qint64 nowNs);
    void buryRetired();
    void abortUnpollable();
    int waitTimeoutMs(qint64 nowNs) const;

    const int m_index;
    std::shared_ptr<const ServerConfig> m_config;
    AdmissionControl &m_admission;
    Publisher m_publisher;
    std::shared_ptr<MessageHandler> m_handler; // the application's, or null
    MessageHandler *m_activeHandler = nullptr; // m_handler, or the mode's built-in
    EventLog m_log;
    ThreadCounters m_counters;

    Poller m_poller;
    CommandQueue m_commands;
    std::vector<Command> m_running; // loop thread: the commands being run

    std::unordered_map<quint64, Connection *> m_connections;
    std::vector<Connection *> m_retired;
    std::vector<Connection *> m_broadcastTargets; // one Broadcast command's, emptied after it
    std::vector<std::pair<Connection *, int>> m_unpollable; // epoll_ctl MOD failed (errno): aborted after the events
    QString m_error;
    WatchdogSchedule<Connection> m_schedule{m_connections};
    std::vector<char> m_readScratch;
    ByteBuffer m_replyScratch;

    // Publishing (loop thread only)
    int m_publishIntervalMs = 0;
    qint64 m_nextPublishNs = 0;
    std::vector<quint64> m_dirty;
    ServerBatch m_batch;
    bool m_fullSnapshotDue = false;

    bool m_stopping = false;
    qint64 m_stopDeadlineNs = 0;
    bool m_draining = false;
    qint64 m_drainDeadlineNs = 0; // the last announced close, plus a little: then beginStop
};

} // namespace Vigil
