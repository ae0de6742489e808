// Per-connection protocol logic: decode, answer, watch, close.
#include "connection.h"

#include "frameencoder.h"
#include "hello.h"
#include "monotonicclock.h"
#include "networkthread.h"

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace Vigil {

namespace {
// PROTOCOL.md §2: after BYE the server flushes what it can within 1 s.
constexpr qint64 CloseFlushNs = 1000 * MonotonicClock::NsPerMs;
// Reads per readiness event before yielding to other connections.
constexpr int MaxReadsPerEvent = 4;
// Output kept allocated after a drain; larger buffers are given back.
constexpr size_t KeepOutputCapacity = 4096;
} // namespace

// The thread's reply scratch is lent to one connection for one call from
// the loop. Every entry point that can produce output opens a ReplyScope,
// and whatever path the call leaves by (a reset after a full read, a
// hang-up, a protocol error, a kick, shutdown), the scope hands what is
// left to a live connection's own buffer and empties the scratch. So no
// byte in the scratch can outlive the call that produced it, and the next
// connection on the thread starts with an empty one (docs/design.md,
// "Per-thread scratch").
class Connection::ReplyScope final
{
public:
    explicit ReplyScope(Connection &connection)
        : m_connection(connection)
    {
        Q_ASSERT(m_connection.m_thread.replyScratch().isEmpty());
    }
    ~ReplyScope()
    {
        ByteBuffer &scratch = m_connection.m_thread.replyScratch();
        if (!scratch.isEmpty() && !m_connection.isRetired())
            m_connection.flushOutbound(MonotonicClock::nowNs());
        scratch.clear();
    }
    ReplyScope(const ReplyScope &) = delete;
    ReplyScope &operator=(const ReplyScope &) = delete;

private:
    Connection &m_connection;
};

Connection::Connection(NetworkThread &thread, int fd, quint64 id, const PeerAddress &peer, qint64 nowNs)
    : m_thread(thread)
    , m_decoder(thread.config().framing, quint32(thread.config().maxPayload))
    , m_peer(peer)
    , m_id(id)
    , m_fd(fd)
{
    m_watchdogs.start(nowNs, thread.config().timersFor());
}

Connection::~Connection()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

ConnectionSnapshot Connection::snapshot() const
{
    constexpr qint64 ns = MonotonicClock::NsPerMs;
    auto ms = [](qint64 t) { return t == Watchdogs::Never ? 0 : t / ns; };
    ConnectionSnapshot s;
    s.id = m_id;
    s.peer = m_peer.toString();
    s.client = m_client;
    s.framing = m_decoder.framing();
    s.state = m_state;
    s.timers = m_watchdogs.timers;
    s.hello = m_hello;
    s.acceptedAtMs = m_watchdogs.acceptedAtNs / ns;
    s.lastActivityAtMs = m_watchdogs.lastActivityNs / ns;
    s.idleDeadlineMs = ms(m_watchdogs.idleDeadline());
    s.lifetimeDeadlineMs = ms(m_watchdogs.lifetimeDeadline());
    s.writeDeadlineMs = ms(m_watchdogs.writeDeadline());
    s.messagesIn = m_messagesIn;
    s.messagesOut = m_messagesOut;
    s.bytesIn = m_bytesIn;
    s.bytesOut = m_bytesOut;
    s.pendingOut = m_out.size();
    s.lastMessage = m_lastMessage;
    s.snapshotAtMs = MonotonicClock::nowMs();
    return s;
}

qint64 Connection::nextDeadline() const
{
    if (m_state == ConnectionState::Closing)
        return m_closeDeadlineNs;
    return m_watchdogs.next();
}

void Connection::setTimers(const ConnectionTimers &timers)
{
    m_watchdogs.timers = timers;
    m_thread.reschedule(this);
    m_thread.markDirty(this);
}

void Connection::reapplyConfig()
{
    if (m_state != ConnectionState::Open)
        return;
    setTimers(m_thread.config().timersFor(m_helloPolicy, m_helloKeepaliveMs));
}

void Connection::handleReadable(qint64 nowNs)
{
    const ReplyScope scope(*this);
    if (m_state != ConnectionState::Open) {
        if (m_lingering)
            drainAfterClose();
        return;
    }
    char *buffer = m_thread.readScratch();
    const size_t capacity = m_thread.readScratchSize();
    for (int round = 0; round < MaxReadsPerEvent && m_state == ConnectionState::Open; ++round) {
        const ssize_t n = ::recv(m_fd, buffer, capacity, 0);
        if (n > 0) {
            m_bytesIn += quint64(n);
            m_thread.mutableCounters().bytesIn.add(quint64(n));
            // Stamp activity when the bytes were read, not when the loop
            // woke: a busy iteration must not make a watchdog start early.
            m_nowNs = MonotonicClock::nowNs();
            const CloseReason error = m_decoder.feed(buffer, size_t(n), *this);
            if (error != CloseReason::None)
                close(error, nowNs);
            if (size_t(n) < capacity)
                break;
            continue;
        }
        if (n == 0) {
            // The peer shut its side: answer what it sent, then close.
            close(CloseReason::ClientClosed, nowNs);
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            close(CloseReason::Reset, nowNs);
            return;
        }
        break;
    }
    m_decoder.releaseMemory();
    if (!isRetired())
        flushOutbound(nowNs);
}

void Connection::handleWritable(qint64 nowNs)
{
    const ReplyScope scope(*this);
    flushOutbound(nowNs);
}

void Connection::handleHangup(qint64 nowNs)
{
    // EPOLLHUP/EPOLLERR: read what is left (it tells reset from close).
    const ReplyScope scope(*this);
    if (m_state == ConnectionState::Open)
        handleReadable(nowNs);
    if (!isRetired() && m_state == ConnectionState::Open)
        close(CloseReason::Reset, nowNs);
    if (!isRetired())
        retire();
}

bool Connection::admitByRate(qint64 nowNs)
{
    // GCRA: a burst of up to rate messages, then rate per second.
    const int rate = m_thread.config().maxMsgRate;
    if (rate <= 0)
        return true;
    const qint64 interval = 1000000000 / rate;
    const qint64 tolerance = interval * (rate - 1);
    const qint64 tat = std::max(m_rateTatNs, nowNs);
    if (tat - nowNs > tolerance)
        return false;
    m_rateTatNs = tat + interval;
    return true;
}

// PROTOCOL.md §1: every complete inbound message is activity.
bool Connection::onMessage(const DecodedMessage &message)
{
    if (m_state != ConnectionState::Open)
        return false;
    const bool first = !m_sawMessage;
    m_sawMessage = true;
    ++m_messagesIn;
    m_thread.mutableCounters().messagesIn.add();
    m_watchdogs.activity(m_nowNs);
    m_watchdogs.lastProbeSentNs = 0;
    if (!admitByRate(m_nowNs)) {
        close(CloseReason::RateLimited, m_nowNs);
        return false;
    }
    const bool publishing = m_thread.isPublishing();
    if (publishing)
        m_thread.markDirty(this);

    switch (message.type) {
    case FrameType::Data:
        if (m_thread.config().logMessages)
            m_thread.log().message(m_id, m_peer, message.data, message.size);
        if (publishing)
            m_lastMessage = QByteArray(message.data, qsizetype(std::min<size_t>(message.size, ConnectionSnapshot::PreviewBytes)));
        publishEvent(EventKind::MessageIn, message.size, m_lastMessage);
        if (m_thread.config().mode == Mode::Echo) {
            sendFrame(FrameType::Data, message.data, message.size);
            publishEvent(EventKind::MessageOut, message.size, m_lastMessage);
        }
        break;
    case FrameType::Ping:
        publishEvent(EventKind::PingIn, message.size);
        sendFrame(FrameType::Pong, message.data, message.size);
        break;
    case FrameType::Pong:
        publishEvent(EventKind::PongIn, message.size);
        break;
    case FrameType::Hello:
        if (!first) {
            close(CloseReason::ProtocolError, m_nowNs); // HELLO only as the first frame
            return false;
        }
        handleHello(message);
        break;
    case FrameType::Welcome:
        close(CloseReason::ProtocolError, m_nowNs); // server -> client only
        return false;
    case FrameType::Bye:
        // A client's BYE ends its session; no BYE goes back (PROTOCOL.md §7).
        close(CloseReason::Normal, m_nowNs);
        return false;
    }
    return m_state == ConnectionState::Open;
}

void Connection::handleHello(const DecodedMessage &message)
{
    const std::optional<Hello> hello = Hello::parse(message.data, message.size);
    if (!hello) {
        close(CloseReason::ProtocolError, m_nowNs);
        return;
    }
    m_hello = true;
    m_client = hello->client;
    m_helloPolicy = hello->policy;
    m_helloKeepaliveMs = hello->keepaliveMs;
    const ConnectionTimers timers = m_thread.config().timersFor(m_helloPolicy, m_helloKeepaliveMs);
    setTimers(timers);
    m_thread.log().hello(m_id, m_peer, m_client, timers);
    if (m_thread.isPublishing())
        publishEvent(EventKind::Hello, message.size, QByteArray(message.data, qsizetype(std::min<size_t>(message.size, 256))));
    Welcome welcome;
    welcome.conn = m_id;
    welcome.timers = timers;
    welcome.maxPayload = m_thread.config().maxPayload;
    const QByteArray json = welcome.toJson();
    sendFrame(FrameType::Welcome, json.constData(), size_t(json.size()));
}

// For the monitor and the admin API, only while someone subscribes.
void Connection::publishEvent(EventKind kind, size_t size, const QByteArray &preview, TimeoutKind timeout)
{
    if (!m_thread.isPublishing())
        return;
    ServerEvent e;
    e.kind = kind;
    e.conn = m_id;
    e.size = quint32(size);
    e.preview = preview;
    e.timeout = timeout;
    m_thread.recordEvent(std::move(e));
}

ByteBuffer &Connection::outbound()
{
    // Replies of one read collect in the thread's scratch buffer and go out
    // in one write; only what the socket does not take is copied here.
    return m_out.isEmpty() ? m_thread.replyScratch() : m_out;
}

void Connection::sendFrame(FrameType type, const char *payload, size_t size)
{
    if (FrameEncoder::append(m_decoder.framing(), type, payload, size, outbound())) {
        ++m_messagesOut;
        m_thread.mutableCounters().messagesOut.add();
    }
}

void Connection::flushOutbound(qint64 nowNs)
{
    ByteBuffer &scratch = m_thread.replyScratch();
    ByteBuffer &source = m_out.isEmpty() ? scratch : m_out;
    bool failed = false;
    while (!source.isEmpty()) {
        const ssize_t n = ::send(m_fd, source.data(), source.size(), MSG_NOSIGNAL);
        if (n > 0) {
            source.consume(size_t(n));
            m_bytesOut += quint64(n);
            m_thread.mutableCounters().bytesOut.add(quint64(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            failed = true;
        break;
    }
    if (&source == &scratch && !scratch.isEmpty())
        m_out.append(scratch.data(), scratch.size());
    scratch.clear();

    if (failed) {
        m_out.clear();
        close(CloseReason::Reset, nowNs);
        retire();
        return;
    }
    if (!m_out.isEmpty()) {
        // PROTOCOL.md §3: the write timeout runs while output waits.
        if (!m_watchdogs.writeBlockedSinceNs) {
            m_watchdogs.writeBlockedSinceNs = MonotonicClock::nowNs(); // now, not the loop's wake-up: never early
            m_thread.reschedule(this);
        }
        setWriteInterest(true);
        if (m_state == ConnectionState::Open && qint64(m_out.size()) > m_thread.config().effectiveMaxSendBuffer())
            close(CloseReason::SlowConsumer, nowNs);
        return;
    }
    m_watchdogs.writeBlockedSinceNs = 0;
    m_out.releaseIfLarge(KeepOutputCapacity);
    setWriteInterest(false);
    if (m_state == ConnectionState::Closing)
        lingerAfterFlush();
}

// Everything is sent: FIN after the BYE, then discard input until the peer
// closes too or the close deadline passes. Closing at once while the peer
// still sends (say, the payload of a frame-too-large) would answer with an
// RST, and the peer would lose the BYE unread.
void Connection::lingerAfterFlush()
{
    if (!m_lingering) {
        m_lingering = true;
        recordClose();
        ::shutdown(m_fd, SHUT_WR);
        m_thread.setInterest(this, true, false);
    }
    drainAfterClose();
}

void Connection::drainAfterClose()
{
    char *buffer = m_thread.readScratch();
    for (int round = 0; round < MaxReadsPerEvent; ++round) {
        const ssize_t n = ::recv(m_fd, buffer, m_thread.readScratchSize(), MSG_DONTWAIT);
        if (n > 0 || (n < 0 && errno == EINTR))
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        retire(); // EOF or error: the peer is done too
        return;
    }
}

void Connection::setWriteInterest(bool on)
{
    if (on == m_writeInterest || isRetired())
        return;
    m_writeInterest = on;
    m_thread.setInterest(this, m_state == ConnectionState::Open, on);
}

void Connection::handleDeadline(qint64 nowNs)
{
    const ReplyScope scope(*this);
    if (m_state == ConnectionState::Closing) {
        if (nowNs >= m_closeDeadlineNs)
            retire();
        return;
    }
    qint64 deadline = 0;
    const Watchdogs::Due due = m_watchdogs.due(nowNs, &deadline);
    if (due == Watchdogs::Due::None)
        return;
    ThreadCounters &counters = m_thread.mutableCounters();
    counters.recordLateness(nowNs - deadline);
    TimeoutKind kind = TimeoutKind::Idle;
    CloseReason reason = CloseReason::IdleTimeout;
    qint64 afterMs = m_watchdogs.timers.idleTimeoutMs;
    switch (due) {
    case Watchdogs::Due::Probe: {
        // The PING carries a sequence number; its PONG is activity.
        ++m_probesSent;
        char payload[8];
        for (int i = 0; i < 8; ++i)
            payload[i] = char(m_probesSent >> (56 - 8 * i));
        m_watchdogs.lastProbeSentNs = MonotonicClock::nowNs();
        sendFrame(FrameType::Ping, payload, sizeof(payload));
        publishEvent(EventKind::PingOut, sizeof(payload));
        flushOutbound(nowNs);
        return;
    }
    case Watchdogs::Due::Lifetime:
        kind = TimeoutKind::Lifetime;
        reason = CloseReason::LifetimeExpired;
        afterMs = m_watchdogs.timers.maxLifetimeMs;
        break;
    case Watchdogs::Due::Write:
        kind = TimeoutKind::Write;
        reason = CloseReason::SlowConsumer;
        afterMs = m_watchdogs.timers.writeTimeoutMs;
        break;
    case Watchdogs::Due::Idle:
    case Watchdogs::Due::None:
        break;
    }
    counters.timeouts[size_t(kind)].add();
    // (the Probe case returned above)
    m_thread.log().timeout(m_id, m_peer, kind, afterMs);
    publishEvent(EventKind::Timeout, 0, QByteArray(), kind);
    closeAndFlush(reason, nowNs);
}

void Connection::closeAndFlush(CloseReason reason, qint64 nowNs)
{
    const ReplyScope scope(*this);
    close(reason, nowNs);
    if (!isRetired())
        flushOutbound(nowNs);
}

void Connection::close(CloseReason reason, qint64 nowNs)
{
    if (m_state != ConnectionState::Open)
        return;
    m_state = ConnectionState::Closing;
    m_closeReason = reason;
    m_closeDeadlineNs = nowNs + CloseFlushNs;
    if (reason == CloseReason::Reset) {
        retire();
        return;
    }
    // BYE for everything the server decides; none back for a client's own
    // BYE or close, and none where the framing has no BYE.
    const bool serverSide = reason != CloseReason::Normal && reason != CloseReason::ClientClosed;
    if (serverSide && hasTypedFrames(m_decoder.framing())) {
        const QByteArray bye = FrameEncoder::bye(reason);
        outbound().append(bye.constData(), size_t(bye.size()));
        ++m_messagesOut;
        m_thread.mutableCounters().messagesOut.add();
    }
    // Stop reading: only the flush is left.
    m_thread.setInterest(this, false, m_writeInterest);
    m_thread.reschedule(this);
}

// Logged and counted once the output is flushed (or given up on), not at
// close(): the `closed` totals then include the replies and the BYE sent
// after the decision, yet the line does not wait for the peer's FIN.
void Connection::recordClose()
{
    if (m_closeRecorded)
        return;
    m_closeRecorded = true;
    m_thread.connectionClosing(this, m_closeReason);
}

void Connection::retire()
{
    if (isRetired())
        return;
    recordClose();
    // Discard what the peer sent meanwhile so close() sends FIN, not RST,
    // and the peer gets to read our BYE.
    char *buffer = m_thread.readScratch();
    for (int i = 0; i < 16; ++i) {
        const ssize_t n = ::recv(m_fd, buffer, m_thread.readScratchSize(), MSG_DONTWAIT);
        if (n <= 0)
            break;
    }
    ::shutdown(m_fd, SHUT_WR);
    ::close(m_fd);
    m_fd = -1;
    m_out.release();
    m_thread.connectionRetired(this);
}

} // namespace Vigil
