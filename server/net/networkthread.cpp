// The epoll loop of a network thread.
#include "networkthread.h"

#include "connection.h"
#include "forwardhandler.h"
#include "frameencoder.h"
#include "monotonicclock.h"
#include "tlscontext.h"
#include "upstream.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Vigil {

namespace {
constexpr size_t ReadScratchBytes = 64 * 1024;
constexpr int MaxEventsPerWait = 512;
// Per publish tick and thread: beyond this, events are only counted.
constexpr int MaxEventsPerBatch = 2000;
// PROTOCOL.md §5: exit within 2 s of SIGTERM, even with 10,000 connections:
// this flush budget, then at most 300 ms for the log's tail (EventLog::stopped).
constexpr qint64 StopBudgetNs = 1200 * MonotonicClock::NsPerMs;
// A drain's announced closes are run by the watchdog schedule, a little
// after their time; what is still open this long after the last of them
// is stopped like a v1 shutdown (StopBudgetNs), so the exit stays within
// PROTOCOL.md's D + 2 s.
constexpr qint64 DrainSlackNs = 200 * MonotonicClock::NsPerMs;
} // namespace

NetworkThread::NetworkThread(int index, std::shared_ptr<const ServerConfig> config, AdmissionControl &admission,
                             Publisher publisher, std::shared_ptr<MessageHandler> handler)
    : m_index(index)
    , m_config(std::move(config))
    , m_admission(admission)
    , m_publisher(std::move(publisher))
    , m_handler(std::move(handler))
    , m_log(m_config->logFormat, m_config->logToStdout)
    , m_readScratch(ReadScratchBytes)
{
    setObjectName(QStringLiteral("vigil-net-%1").arg(index));
    chooseHandler();
    if (!m_poller.errorString().isEmpty())
        m_error = QStringLiteral("network thread %1: %2").arg(m_index).arg(m_poller.errorString());
}

NetworkThread::~NetworkThread()
{
    if (isRunning()) {
        requestStop();
        wait();
    }
    // Pairs with the hand-over at the end of run(): everything the loop
    // wrote is ordered before this thread frees it.
    m_commands.handOver();
    for (auto &entry : m_connections)
        delete entry.second;
    buryRetired();
    // Unrun commands' descriptors: closed by ~CommandQueue.
}

void NetworkThread::post(Command &&command)
{
    if (m_commands.post(std::move(command)))
        m_poller.wake();
}

void NetworkThread::adopt(int fd, quint64 id, const PeerAddress &peer, bool proxy, bool tls)
{
    Command c(Command::Type::Adopt);
    c.fd = fd;
    c.id = id;
    c.peer = peer;
    c.flag = proxy;
    c.tls = tls;
    post(std::move(c));
}

void NetworkThread::reject(int fd, const PeerAddress &peer, CloseReason reason, bool inClear)
{
    Command c(Command::Type::Reject);
    c.fd = fd;
    c.peer = peer;
    c.reason = reason;
    c.flag = !inClear;
    post(std::move(c));
}

void NetworkThread::kick(quint64 id, CloseReason reason)
{
    Command c(Command::Type::Kick);
    c.id = id;
    c.reason = reason;
    post(std::move(c));
}

void NetworkThread::send(quint64 id, const QByteArray &payload)
{
    Command c(Command::Type::Send);
    c.id = id;
    c.payload = payload;
    post(std::move(c));
}

void NetworkThread::broadcast(const QByteArray &payload, quint64 except)
{
    Command c(Command::Type::Broadcast);
    c.id = except;
    c.payload = payload;
    post(std::move(c));
}

// The mode can change with a new config; an application's handler stays.
void NetworkThread::chooseHandler()
{
    static EchoHandler echo;
    static SinkHandler sink;
    static ForwardHandler forward;
    if (m_handler)
        m_activeHandler = m_handler.get();
    else if (m_config->mode == Mode::Forward)
        m_activeHandler = &forward;
    else
        m_activeHandler = m_config->mode == Mode::Echo ? static_cast<MessageHandler *>(&echo) : &sink;
}

void NetworkThread::applyConfig(std::shared_ptr<const ServerConfig> config, bool applyToOpen)
{
    Command c(Command::Type::ApplyConfig);
    c.config = std::move(config);
    c.flag = applyToOpen;
    post(std::move(c));
}

void NetworkThread::setPublishInterval(int ms, bool fullSnapshot)
{
    Command c(Command::Type::Publish);
    c.value = ms;
    c.flag = fullSnapshot;
    post(std::move(c));
}

void NetworkThread::drain(qint64 ms)
{
    Command c(Command::Type::Drain);
    c.durationMs = ms;
    post(std::move(c));
}

void NetworkThread::requestStop()
{
    post(Command(Command::Type::Stop));
}

void NetworkThread::setInterest(Connection *connection, bool read, bool write)
{
    // Fails only for want of kernel memory; a connection that cannot be
    // watched is aborted once this round of events is done.
    if (!m_poller.modify(connection->fd(), connection, read, write) && !connection->isRetired())
        m_unpollable.emplace_back(connection, errno);
}

void NetworkThread::setUpstreamInterest(int fd, void *tag, bool read, bool write)
{
    // Fails only for want of kernel memory: the upstream then stays as it
    // was watched, and its write timeout still ends a stall.
    m_poller.modify(fd, tag, read, write);
}

void NetworkThread::unwatch(Connection *connection)
{
    m_poller.remove(connection->fd());
}

void NetworkThread::abortUnpollable()
{
    for (const auto &[c, error] : m_unpollable) {
        if (c->isRetired())
            continue;
        m_log.notice(QStringLiteral("conn %1 peer=%2 closed: the network thread cannot watch it (epoll_ctl: %3)")
                         .arg(c->id())
                         .arg(c->peer().toString(), QString::fromLocal8Bit(strerror(error))));
        m_counters.pollFailures.add();
        c->abort();
    }
    m_unpollable.clear();
}

void NetworkThread::reschedule(Connection *connection)
{
    m_schedule.reschedule(connection);
}

void NetworkThread::markDirty(Connection *connection)
{
    if (m_publishIntervalMs > 0 && !connection->dirty) {
        connection->dirty = true;
        m_dirty.push_back(connection->id());
    }
}

void NetworkThread::recordEvent(ServerEvent &&event)
{
    if (m_publishIntervalMs <= 0)
        return;
    if (m_batch.events.size() >= MaxEventsPerBatch) {
        ++m_batch.eventsDropped;
        return;
    }
    event.atMs = MonotonicClock::nowMs();
    event.wallMs = QDateTime::currentMSecsSinceEpoch();
    if (event.peer.isEmpty() && event.conn) {
        auto it = m_connections.find(event.conn);
        if (it != m_connections.end())
            event.peer = it->second->peer().toString();
    }
    m_batch.events.push_back(std::move(event));
}

void NetworkThread::connectionClosing(Connection *connection, CloseReason reason)
{
    m_counters.closes[size_t(closeReasonIndex(reason))].add();
    if (!m_log.isEnabled() && m_publishIntervalMs <= 0)
        return;
    ConnectionSnapshot s = connection->snapshot();
    if (m_log.isEnabled()) {
        ConnectionTotals totals{s.messagesIn, s.messagesOut, s.bytesIn, s.bytesOut,
                                s.snapshotAtMs - s.acceptedAtMs};
        m_log.closed(connection->id(), connection->peer(), reason, totals);
    }
    if (m_publishIntervalMs > 0) {
        // The final totals travel with the close (the message that closed
        // it counts): by the next tick the connection is gone, and a view
        // would otherwise keep whatever it last saw.
        m_batch.updated.push_back(std::move(s));
        ServerEvent e;
        e.kind = EventKind::Closed;
        e.conn = connection->id();
        e.reason = reason;
        recordEvent(std::move(e));
        m_batch.closed.push_back({connection->id(), reason});
    }
}

void NetworkThread::connectionRetired(Connection *connection)
{
    m_counters.closed.add();
    if (connection->countsPerHost())
        m_admission.release(connection->peer());
    else
        m_admission.releaseUnnamed();
    m_connections.erase(connection->id());
    m_retired.push_back(connection);
}

void NetworkThread::connectionProxied(Connection *connection, const PeerAddress &proxy)
{
    m_log.proxied(connection->id(), connection->peer(), proxy);
}

void NetworkThread::connectionTls(Connection *connection, const QString &version, const QString &cipher)
{
    m_log.tls(connection->id(), connection->peer(), version, cipher);
}

// Refused after its header (--max-per-ip by the real address): logged and
// counted as a refusal at accept is, `rejected` and no `closed`; views
// that showed it since `connected` still get its close.
void NetworkThread::connectionRejectedLate(Connection *connection, CloseReason reason)
{
    m_counters.rejected.add();
    m_log.rejected(connection->peer(), reason);
    if (m_publishIntervalMs > 0) {
        ServerEvent e;
        e.kind = EventKind::Rejected;
        e.peer = connection->peer().toString();
        e.reason = reason;
        recordEvent(std::move(e));
        m_batch.closed.push_back({connection->id(), reason});
    }
}

void NetworkThread::buryRetired()
{
    for (Connection *c : m_retired)
        delete c;
    m_retired.clear();
}

void NetworkThread::runAdopt(const Command &command, qint64 nowNs)
{
    if (m_stopping || m_draining) {
        Command refusal(Command::Type::Reject);
        refusal.fd = command.fd;
        refusal.peer = command.peer;
        refusal.reason = CloseReason::ServerShutdown;
        refusal.flag = command.flag || command.tls; // proxy, tls: no BYE in clear
        runReject(refusal);
        if (command.flag)
            m_admission.releaseUnnamed();
        else
            m_admission.release(command.peer);
        return;
    }
    auto *connection = new Connection(*this, command.fd, command.id, command.peer, nowNs);
    const bool handshake = command.flag || command.tls;
    ssl_ctx_st *tls = command.tls && m_config->tlsContext ? m_config->tlsContext->handle() : nullptr;
    QString error;
    if (handshake && (!connection->beginHandshake(command.flag, tls, nowNs) || (command.tls && !tls)))
        error = QStringLiteral("no TLS session could be created");
    else if (!m_poller.add(command.fd, connection, true, false))
        error = QStringLiteral("the network thread cannot watch it (epoll_ctl: %1)").arg(QString::fromLocal8Bit(strerror(errno)));
    if (!error.isEmpty()) {
        // Never adopt what is never polled: close it, say so, count it.
        delete connection; // closes the descriptor; nothing was sent
        if (command.flag)
            m_admission.releaseUnnamed();
        else
            m_admission.release(command.peer);
        m_counters.rejected.add();
        m_counters.pollFailures.add();
        m_log.notice(QStringLiteral("conn %1 peer=%2 dropped at accept: %3").arg(command.id).arg(command.peer.toString(), error));
        return;
    }
    m_connections.emplace(command.id, connection);
    m_counters.accepted.add();
    reschedule(connection);
    m_log.connected(command.id, command.peer);
    if (m_publishIntervalMs > 0) {
        markDirty(connection);
        ServerEvent e;
        e.kind = EventKind::Connected;
        e.conn = command.id;
        recordEvent(std::move(e));
    }
    if (!handshake) // a proxied or TLS connection opens once its handshake is done
        connection->open(nowNs);
}

void NetworkThread::runReject(const Command &command)
{
    // PROTOCOL.md §7: BYE server-full where the framing has BYE. A fresh
    // socket's send buffer is empty, so this write does not block. None
    // on a proxy listener: no BYE before a PROXY header (§9).
    if (hasTypedFrames(m_config->framing) && !command.flag) {
        const QByteArray bye = FrameEncoder::bye(command.reason);
        [[maybe_unused]] ssize_t n = ::send(command.fd, bye.constData(), size_t(bye.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    ::shutdown(command.fd, SHUT_WR);
    ::close(command.fd);
    m_counters.rejected.add();
    m_log.rejected(command.peer, command.reason);
    if (m_publishIntervalMs > 0) {
        ServerEvent e;
        e.kind = EventKind::Rejected;
        e.peer = command.peer.toString();
        e.reason = command.reason;
        recordEvent(std::move(e));
    }
}

void NetworkThread::runCommands(qint64 nowNs)
{
    m_poller.drainWake();
    m_commands.takeAll(m_running);
    for (Command &c : m_running) {
        switch (c.type) {
        case Command::Type::Adopt:
            runAdopt(c, nowNs);
            break;
        case Command::Type::Reject:
            runReject(c);
            break;
        case Command::Type::Kick: {
            auto it = m_connections.find(c.id);
            if (it != m_connections.end())
                it->second->closeAndFlush(c.reason, nowNs);
            break;
        }
        case Command::Type::Send: {
            auto it = m_connections.find(c.id);
            if (it != m_connections.end())
                it->second->sendFromLoop(QByteArrayView(c.payload), nowNs);
            break;
        }
        case Command::Type::Broadcast:
            // Collected first: a send can close (and retire) a connection.
            m_broadcastTargets.clear();
            for (const auto &entry : m_connections) {
                if (entry.first != c.id && entry.second->state() == ConnectionState::Open)
                    m_broadcastTargets.push_back(entry.second);
            }
            for (Connection *target : m_broadcastTargets)
                target->sendFromLoop(QByteArrayView(c.payload), nowNs);
            m_broadcastTargets.clear();
            break;
        case Command::Type::ApplyConfig:
            m_config = c.config;
            chooseHandler();
            if (c.flag) {
                for (auto &entry : m_connections)
                    entry.second->reapplyConfig();
            }
            break;
        case Command::Type::Publish:
            m_publishIntervalMs = c.value;
            m_nextPublishNs = nowNs;
            if (c.flag || c.value > 0)
                m_fullSnapshotDue = true;
            break;
        case Command::Type::Drain:
            beginDrain(c.durationMs);
            break;
        case Command::Type::Stop:
            beginStop(nowNs);
            break;
        }
    }
    m_running.clear();
}

void NetworkThread::beginStop(qint64 nowNs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_stopDeadlineNs = nowNs + StopBudgetNs;
    // Collect first: closing may retire and erase from the map.
    std::vector<Connection *> open;
    open.reserve(m_connections.size());
    for (auto &entry : m_connections)
        open.push_back(entry.second);
    for (Connection *c : open)
        c->closeAndFlush(CloseReason::ServerShutdown, nowNs);
}

void NetworkThread::beginDrain(qint64 ms)
{
    if (m_stopping || m_draining)
        return;
    if (ms <= 0) {
        beginStop(MonotonicClock::nowNs());
        return;
    }
    m_draining = true;
    // One generator per drain: uniform draws, no lock, no syscall each.
    QRandomGenerator draws(QRandomGenerator::global()->generate());
    std::vector<Connection *> open;
    open.reserve(m_connections.size());
    for (auto &entry : m_connections)
        open.push_back(entry.second);
    // A GOAWAY can fail to send and close its connection: collected first.
    for (Connection *c : open)
        c->goAway(CloseReason::ServerShutdown, qint64(draws.bounded(quint64(ms) + 1)));
    // Each close time counts from after its own GOAWAY went out.
    m_drainDeadlineNs = MonotonicClock::nowNs() + ms * MonotonicClock::NsPerMs + DrainSlackNs;
}

void NetworkThread::publish(qint64 nowNs)
{
    m_nextPublishNs = nowNs + qint64(m_publishIntervalMs) * MonotonicClock::NsPerMs;
    if (m_fullSnapshotDue) {
        m_fullSnapshotDue = false;
        m_batch.full = true;
        m_batch.updated.reserve(qsizetype(m_connections.size()));
        for (auto &entry : m_connections) {
            entry.second->dirty = false;
            m_batch.updated.push_back(entry.second->snapshot());
        }
    } else {
        for (quint64 id : m_dirty) {
            auto it = m_connections.find(id);
            if (it == m_connections.end())
                continue;
            it->second->dirty = false;
            m_batch.updated.push_back(it->second->snapshot());
        }
    }
    m_dirty.clear();
    m_batch.thread = m_index;
    // Every tick, even an empty one: it tells Server that this thread has
    // nothing older left to report, so the merged stream can move on.
    m_batch.atMs = MonotonicClock::nowMs();
    if (m_publisher)
        m_publisher(std::move(m_batch));
    m_batch = ServerBatch();
}

int NetworkThread::waitTimeoutMs(qint64 nowNs) const
{
    int cap = -1;
    if (m_publishIntervalMs > 0)
        cap = int(std::max<qint64>(0, (m_nextPublishNs - nowNs + 999999) / 1000000));
    if (m_stopping)
        cap = cap < 0 ? 10 : std::min(cap, 10);
    else if (m_draining) {
        const int untilEnd = int(std::max<qint64>(0, (m_drainDeadlineNs - nowNs + 999999) / 1000000));
        cap = cap < 0 ? untilEnd : std::min(cap, untilEnd);
    }
    return m_schedule.waitMs(nowNs, cap);
}

void NetworkThread::run()
{
    epoll_event events[MaxEventsPerWait];
    for (;;) {
        const qint64 before = MonotonicClock::nowNs();
        if (m_stopping && (m_connections.empty() || before >= m_stopDeadlineNs))
            break;
        if (m_draining && !m_stopping) {
            if (m_connections.empty())
                break;
            if (before >= m_drainDeadlineNs)
                beginStop(before);
        }
        m_log.flush();
        m_schedule.settle();
        const int n = m_poller.wait(events, MaxEventsPerWait, waitTimeoutMs(before));
        const qint64 nowNs = MonotonicClock::nowNs();
        for (int i = 0; i < n; ++i) {
            if (m_poller.isWake(events[i])) {
                runCommands(nowNs);
                continue;
            }
            const quint32 what = events[i].events;
            if (Upstream *upstream = Upstream::fromTag(events[i].data.ptr)) {
                if (!upstream->isDone()) // forward mode (PROTOCOL.md §8)
                    upstream->client().handleUpstreamEvents(what, nowNs);
                continue;
            }
            auto *c = static_cast<Connection *>(events[i].data.ptr);
            if (c->isRetired())
                continue;
            if (what & (EPOLLERR | EPOLLHUP))
                c->handleHangup(nowNs);
            else {
                if (what & EPOLLIN)
                    c->handleReadable(nowNs);
                if ((what & EPOLLOUT) && !c->isRetired())
                    c->handleWritable(nowNs);
            }
        }
        m_schedule.runDue(nowNs);
        if (!m_unpollable.empty())
            abortUnpollable();
        if (m_publishIntervalMs > 0 && nowNs >= m_nextPublishNs)
            publish(nowNs);
        buryRetired();
    }
    // Out of time while stopping: whatever has not flushed is closed now.
    std::vector<Connection *> left;
    for (auto &entry : m_connections)
        left.push_back(entry.second);
    const qint64 nowNs = MonotonicClock::nowNs();
    for (Connection *c : left) {
        c->closeAndFlush(CloseReason::ServerShutdown, nowNs);
        c->abort();
    }
    buryRetired();
    // Connections handed over after the stop began are refused.
    runCommands(nowNs);
    if (m_publishIntervalMs > 0)
        publish(nowNs);
    m_log.flush();
    m_commands.handOver();
}

} // namespace Vigil
