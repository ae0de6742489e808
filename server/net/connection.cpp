// Per-connection protocol logic: decode, answer, watch, close.
#include "connection.h"

#include "frameencoder.h"
#include "handshake.h"
#include "hello.h"
#include "monotonicclock.h"
#include "networkthread.h"
#include "tlssession.h"
#include "upstream.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <linux/sockios.h>
#include <sys/ioctl.h>
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
// Largest framing overhead of one message (legacy header), for budget checks.
constexpr size_t MaxFrameOverhead = 19;
// A half-closed peer whose last replies are still in the kernel: how often
// to look whether it has taken them.
constexpr qint64 DeliveryCheckNs = 20 * MonotonicClock::NsPerMs;

// --lifetime-jitter draws, one per accept: a generator per network thread,
// seeded once, so an accept costs no lock and no syscall.
quint16 drawLifetimePoint()
{
    thread_local QRandomGenerator generator(QRandomGenerator::global()->generate());
    return quint16(generator.generate() >> 16);
}
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
        m_connection.settleMemory();
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
    , m_lifetimeDraw(drawLifetimePoint())
{
    m_watchdogs.start(nowNs, timersFor());
}

// PROTOCOL.md §10: with --lifetime-jitter J the lifetime L becomes
// L - span x draw / 65536 with span = L x J / 100, uniform in
// [L x (1 - J/100), L]. The draw is the connection's own, so a HELLO or
// new settings recompute the same point of the new range, and WELCOME
// announces exactly the lifetime the watchdog runs with.
ConnectionTimers Connection::timersFor(std::optional<Policy> requested, std::optional<qint64> keepaliveMs) const
{
    ConnectionTimers t = m_thread.config().timersFor(requested, keepaliveMs);
    const int jitter = m_thread.config().lifetimeJitterPct;
    if (jitter > 0 && t.maxLifetimeMs > 0) {
        const qint64 span = t.maxLifetimeMs * jitter / 100;
        t.maxLifetimeMs -= span * m_lifetimeDraw / 65536;
    }
    return t;
}

Connection::~Connection()
{
    delete m_upstream;
    if (m_fd >= 0)
        ::close(m_fd);
    m_thread.memory().adjust(-m_charged);
}

// PROTOCOL.md §12: memory is charged before it is allocated, so a peer
// whose next buffer would pass --max-memory is refused (BYE server-full)
// without the server ever holding the bytes.
bool Connection::admitBuffer(size_t bytes)
{
    if (!m_thread.memory().tryCharge(qint64(bytes)))
        return false;
    m_charged += qint64(bytes);
    return true;
}

bool Connection::admitOutput(size_t bytes)
{
    const size_t need = m_out.size() + bytes;
    if (need <= m_out.capacity())
        return true;
    return admitBuffer(ByteBuffer::grownCapacity(m_out.capacity(), need) - m_out.capacity());
}

// After each call from the loop: the charge follows what is really held
// (buffers given back, growth by less than was charged).
void Connection::settleMemory()
{
    const qint64 held = isRetired() ? qint64(m_decoder.bufferCapacity())
                                    : qint64(m_decoder.bufferCapacity() + m_out.capacity());
    m_thread.memory().adjust(held - m_charged);
    m_charged = held;
}

ConnectionSnapshot Connection::snapshot() const
{
    constexpr qint64 ns = MonotonicClock::NsPerMs;
    auto ms = [](qint64 t) { return t == Watchdogs::Never ? 0 : t / ns; };
    ConnectionSnapshot s;
    s.id = m_id;
    s.peer = m_peer.toString();
    s.proxy = m_proxy;
    if (m_tls && m_tls->isEstablished()) {
        s.tlsVersion = m_tls->version();
        s.tlsCipher = m_tls->cipher();
    }
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
    if (m_watchdogs.announcedCloseNs) {
        s.closingAtMs = m_watchdogs.announcedCloseNs / ns;
        s.closingReason = m_goAwayReason;
    }
    if (m_upstream)
        s.upstream = m_upstream->snapshot();
    s.snapshotAtMs = MonotonicClock::nowMs();
    return s;
}

qint64 Connection::nextDeadline() const
{
    if (m_state == ConnectionState::Closing) {
        const qint64 check = awaitingDelivery() ? m_phase.closing.deliveryCheckNs : Watchdogs::Never;
        const qint64 write = m_closeReason == CloseReason::ClientClosed ? m_watchdogs.writeDeadline() : Watchdogs::Never;
        return std::min({m_phase.closing.deadlineNs, write, check});
    }
    if (Q_UNLIKELY(m_handshake)) // only the handshake, idle and lifetime run before it is done
        return std::min({m_handshake->deadlineNs(), m_watchdogs.idleDeadline(), m_watchdogs.lifetimeDeadline()});
    if (m_upstream)
        return std::min(m_watchdogs.next(), m_upstream->nextDeadline());
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
    setTimers(timersFor(m_helloPolicy, m_helloKeepaliveMs));
}

void Connection::handleReadable(qint64 nowNs)
{
    const ReplyScope scope(*this);
    if (m_state != ConnectionState::Open) {
        if (m_lingering)
            drainAfterClose();
        return;
    }
    if (Q_UNLIKELY(m_handshake) && !readHandshake(nowNs))
        return;
    char *buffer = m_thread.readScratch();
    const size_t capacity = m_thread.readScratchSize();
    for (int round = 0; round < MaxReadsPerEvent && m_state == ConnectionState::Open && !m_readPaused; ++round) {
        const ssize_t n = Q_UNLIKELY(m_tls) ? m_tls->read(buffer, capacity) : ::recv(m_fd, buffer, capacity, 0);
        if (n > 0) {
            m_bytesIn += quint64(n);
            m_thread.mutableCounters().bytesIn.add(quint64(n));
            // Stamp activity when the bytes were read, not when the loop
            // woke: a busy iteration must not make a watchdog start early.
            m_nowNs = MonotonicClock::nowNs();
            const quint64 messagesBefore = m_messagesIn;
            const CloseReason error = m_decoder.feed(buffer, size_t(n), *this);
            if (error != CloseReason::None)
                close(error, nowNs);
            else if (m_watchdogs.timers.frameTimeoutMs > 0 && m_state == ConnectionState::Open)
                trackUnfinishedMessage(messagesBefore);
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
            // EPROTO: a TLS record that does not decrypt (TlsSession).
            close(errno == EPROTO ? CloseReason::TlsError : CloseReason::Reset, nowNs);
            return;
        }
        break;
    }
    if (Q_UNLIKELY(m_tls) && m_tls->readWantsWrite())
        setWriteInterest(true); // handleWritable reads again
    m_decoder.releaseMemory();
    if (!isRetired())
        flushOutbound(nowNs);
}

// PROTOCOL.md §10, --frame-timeout: after each read, whether the decoder
// holds the start of a message and since when. Bytes it holds are always
// the unfinished message (a header, a line without its newline, a legacy
// header or the start of its magic). If this read completed a message,
// what is held now started in this read; else it started earlier, or now.
// Once per read, never per message.
void Connection::trackUnfinishedMessage(quint64 messagesBefore)
{
    if (m_decoder.buffered() == 0) {
        m_watchdogs.frameStartedNs = 0;
        return;
    }
    if (m_watchdogs.frameStartedNs == 0 || m_messagesIn != messagesBefore) {
        m_watchdogs.frameStartedNs = m_nowNs;
        m_thread.reschedule(this);
    }
}

void Connection::handleWritable(qint64 nowNs)
{
    // TLS: the handshake, or a read, waited for the socket to be writable.
    if (Q_UNLIKELY(m_tls) && (m_handshake || m_tls->readWantsWrite())) {
        handleReadable(nowNs);
        if (m_handshake || isRetired())
            return;
    }
    const ReplyScope scope(*this);
    flushOutbound(nowNs);
}

void Connection::handleHangup(qint64 nowNs)
{
    // EPOLLHUP/EPOLLERR: read what is left (it tells reset from close).
    // After our FIN, a hang-up is the peer closing too: its last replies
    // may still be on their way (awaitDelivery).
    const ReplyScope scope(*this);
    if (m_state == ConnectionState::Open)
        handleReadable(nowNs);
    else if (m_lingering)
        drainAfterClose();
    if (isRetired() || awaitingDelivery())
        return;
    if (m_state == ConnectionState::Open)
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
    const qint64 tat = std::max(m_phase.open.rateTatNs, nowNs);
    if (tat - nowNs > tolerance)
        return false;
    m_phase.open.rateTatNs = tat + interval;
    return true;
}

// PROTOCOL.md §10: a PING less than --min-ping-interval after the
// client's previous one, with no DATA between, is a strike; the third
// strike closes. Only called with the interval on. A strike also moves the
// reference: PINGs 0.9 P apart strike every time.
bool Connection::admitPing()
{
    constexpr int MaxPingStrikes = 3;
    const qint64 last = m_phase.open.lastPingNs;
    m_phase.open.lastPingNs = m_nowNs;
    if (last == 0 || m_nowNs - last >= m_thread.config().minPingIntervalMs * MonotonicClock::NsPerMs)
        return true;
    m_thread.mutableCounters().pingStrikes.add();
    return ++m_pingStrikes < MaxPingStrikes;
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
        if (m_thread.config().minPingIntervalMs > 0) { // DATA clears the strikes
            m_pingStrikes = 0;
            m_phase.open.lastPingNs = 0;
        }
        if (m_thread.config().logMessages)
            m_thread.log().message(m_id, m_peer, message.data, message.size);
        if (publishing) {
            m_lastMessage = QByteArray(message.data, qsizetype(std::min<size_t>(message.size, ConnectionSnapshot::PreviewBytes)));
            m_inPayload = QByteArray(message.data, qsizetype(std::min<size_t>(message.size, ServerEvent::PayloadBytes)));
            publishEvent(EventKind::MessageIn, message.size, m_inPayload);
        }
        {
            Session session(*this);
            m_thread.handler().received(session, QByteArrayView(message.data, qsizetype(message.size)));
        }
        m_inPayload.clear(); // no connection keeps a kilobyte per idle peer
        break;
    case FrameType::Ping:
        if (m_thread.config().minPingIntervalMs > 0 && !admitPing()) {
            close(CloseReason::TooManyPings, m_nowNs);
            return false;
        }
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
    case FrameType::GoAway:
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
    const ConnectionTimers timers = timersFor(m_helloPolicy, m_helloKeepaliveMs);
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
    Session session(*this);
    m_thread.handler().greeted(session);
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

// A DATA message from the handler. Its event previews what was sent; an
// echo reuses the preview the inbound message just made.
bool Connection::sendData(QByteArrayView payload)
{
    if (m_state != ConnectionState::Open)
        return false;
    sendFrame(FrameType::Data, payload.data(), size_t(payload.size()));
    if (m_thread.isPublishing()) {
        const qsizetype n = std::min<qsizetype>(payload.size(), ServerEvent::PayloadBytes);
        const bool echo = m_inPayload.size() == n && QByteArrayView(m_inPayload) == payload.first(n);
        publishEvent(EventKind::MessageOut, size_t(payload.size()), echo ? m_inPayload : QByteArray(payload.data(), n));
    }
    return m_state == ConnectionState::Open;
}

void Connection::open(qint64 nowNs)
{
    const ReplyScope scope(*this);
    m_nowNs = nowNs;
    m_opened = true;
    Session session(*this);
    m_thread.handler().opened(session);
}

// Server::send and broadcast: outside a read, so the call has its own scope.
bool Connection::sendFromLoop(QByteArrayView payload, qint64 nowNs)
{
    if (m_state != ConnectionState::Open)
        return false;
    const ReplyScope scope(*this);
    m_nowNs = nowNs;
    return sendData(payload);
}

void Connection::sendFrame(FrameType type, const char *payload, size_t size)
{
    // Replies to a peer with output already waiting grow its own buffer.
    if (!m_out.isEmpty() && m_state == ConnectionState::Open && !admitOutput(size + MaxFrameOverhead)) {
        close(CloseReason::ServerFull, m_nowNs);
        return;
    }
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
        const ssize_t n = Q_UNLIKELY(m_tls) ? m_tls->write(source.data(), source.size())
                                            : ::send(m_fd, source.data(), source.size(), MSG_NOSIGNAL);
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
    bool overBudget = false;
    if (&source == &scratch && !scratch.isEmpty()) {
        if (m_state == ConnectionState::Open && !admitOutput(scratch.size()))
            overBudget = true; // these replies cannot be held: the peer goes, told why
        else
            m_out.append(scratch.data(), scratch.size());
    }
    scratch.clear();

    if (overBudget && !failed) {
        close(CloseReason::ServerFull, nowNs);
        flushOutbound(nowNs); // the BYE alone: Closing is never over budget
        return;
    }
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
        else if (m_upstream && m_state == ConnectionState::Open)
            m_upstream->clientDrained(nowNs); // partly drained: maybe room to read the upstream again
        return;
    }
    m_watchdogs.writeBlockedSinceNs = 0;
    m_out.releaseIfLarge(KeepOutputCapacity);
    setWriteInterest(false);
    if (m_state == ConnectionState::Closing)
        lingerAfterFlush();
    else if (m_upstream)
        m_upstream->clientDrained(nowNs);
}

// Everything is sent: FIN after the BYE, then discard input until the peer
// closes too or the close deadline passes. Closing at once while the peer
// still sends (say, the payload of a frame-too-large) would answer with an
// RST, and the peer would lose the BYE unread.
void Connection::lingerAfterFlush()
{
    if (!m_lingering) {
        m_lingering = true;
        // After the peer's FIN the line waits for the kernel to deliver (or
        // the write timeout to end it), so that its reason and totals are true.
        if (m_closeReason != CloseReason::ClientClosed)
            recordClose();
        // close_notify before the FIN; not to a peer that has closed: its
        // kernel would answer with a reset, and those bytes would wait
        // unacknowledged until the write timeout (awaitDelivery).
        if (m_tls && m_closeReason != CloseReason::ClientClosed)
            m_tls->shutdown();
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
        if (n == 0) {
            awaitDelivery(MonotonicClock::nowNs()); // the peer is done too
            return;
        }
        retire(); // an error: nothing more can be delivered
        return;
    }
}

// The peer has closed its side and we have written everything, but the
// kernel may still hold replies it has not taken (a half-closed peer
// reading slowly, as `nc -N` does). Closing now would leave an orphaned
// socket holding them; resetting would lose them. So wait, looking every
// DeliveryCheckNs, while the kernel's unsent bytes go down; only the write
// timeout (no progress for that long) ends it, as slow-consumer.
void Connection::awaitDelivery(qint64 nowNs)
{
    const int unsent = unsentInKernel();
    if (unsent <= 0) {
        retire();
        return;
    }
    if (!m_phase.closing.deliveryProgressNs || unsent < m_deliveryUnsent)
        m_phase.closing.deliveryProgressNs = nowNs;
    m_deliveryUnsent = unsent;
    const qint64 writeTimeoutNs = m_watchdogs.timers.writeTimeoutMs * MonotonicClock::NsPerMs;
    if (writeTimeoutNs > 0 && nowNs - m_phase.closing.deliveryProgressNs >= writeTimeoutNs) {
        writeTimedOut();
        return;
    }
    // Both directions are shut, so epoll would report EPOLLHUP on every
    // wait: only the timer is left.
    if (!awaitingDelivery())
        m_thread.unwatch(this);
    m_phase.closing.deliveryCheckNs = nowNs + DeliveryCheckNs;
    m_thread.reschedule(this);
}

// Bytes the kernel has not yet had acknowledged by the peer.
int Connection::unsentInKernel() const
{
    int unsent = 0;
    if (m_fd < 0 || ::ioctl(m_fd, SIOCOUTQ, &unsent) != 0)
        return 0;
    return unsent;
}

void Connection::setWriteInterest(bool on)
{
    if (on == m_writeInterest || isRetired())
        return;
    m_writeInterest = on;
    m_thread.setInterest(this, m_state == ConnectionState::Open && !m_readPaused, on);
}

void Connection::openUpstream()
{
    if (m_upstream)
        return;
    m_upstream = new Upstream(*this, m_thread);
    m_upstream->start(m_nowNs);
}

// Upstream events run in the client's reply scope: what they relay goes
// out in one write at the end.
void Connection::handleUpstreamEvents(quint32 events, qint64 nowNs)
{
    const ReplyScope scope(*this);
    m_upstream->handleEvents(events, nowNs);
}

// PROTOCOL.md §8: a client whose upstream has not taken --max-send-buffer
// bytes is not read until it has; nothing it sent is dropped.
void Connection::setReadPaused(bool paused)
{
    if (paused == m_readPaused)
        return;
    m_readPaused = paused;
    if (m_state == ConnectionState::Open && !isRetired())
        m_thread.setInterest(this, !paused, m_writeInterest);
}

void Connection::handleDeadline(qint64 nowNs)
{
    const ReplyScope scope(*this);
    if (m_upstream && m_state == ConnectionState::Open)
        m_upstream->handleDeadline(nowNs);
    if (m_state == ConnectionState::Closing) {
        handleClosingDeadline(nowNs);
        return;
    }
    if (Q_UNLIKELY(m_handshake)) {
        handleHandshakeDeadline(nowNs);
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
        ++m_phase.open.probesSent;
        char payload[8];
        for (int i = 0; i < 8; ++i)
            payload[i] = char(m_phase.open.probesSent >> (56 - 8 * i));
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
        // PROTOCOL.md §10: with a grace, the lifetime's end is announced
        // and the BYE follows the grace later. The watchdog fired now:
        // logged and counted now, the close when it comes.
        if (m_thread.config().lifetimeGraceMs > 0 && hasTypedFrames(m_decoder.framing())) {
            counters.timeouts[size_t(kind)].add();
            m_thread.log().timeout(m_id, m_peer, kind, afterMs);
            publishEvent(EventKind::Timeout, 0, QByteArray(), kind);
            goAway(reason, m_thread.config().lifetimeGraceMs);
            return;
        }
        break;
    case Watchdogs::Due::AnnouncedClose:
        closeAndFlush(m_goAwayReason, nowNs);
        return;
    case Watchdogs::Due::Write:
        kind = TimeoutKind::Write;
        reason = CloseReason::SlowConsumer;
        afterMs = m_watchdogs.timers.writeTimeoutMs;
        break;
    case Watchdogs::Due::Frame:
        kind = TimeoutKind::Frame;
        reason = CloseReason::FrameTimeout;
        afterMs = m_watchdogs.timers.frameTimeoutMs;
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

void Connection::goAway(CloseReason reason, qint64 inMs)
{
    if (m_state != ConnectionState::Open)
        return;
    const quint32 ms = quint32(std::clamp<qint64>(inMs, 0, std::numeric_limits<quint32>::max()));
    // A client is never closed earlier than it was told; a second GOAWAY
    // only brings the close forward (a drain that ends before a lifetime
    // grace does), as HTTP/2 lets a later GOAWAY narrow an earlier one.
    if (m_watchdogs.announcedCloseNs
        && m_watchdogs.announcedCloseNs <= MonotonicClock::nowNs() + qint64(ms) * MonotonicClock::NsPerMs)
        return;
    if (m_handshake) { // not a session yet: nothing to announce to
        closeAndFlush(reason, MonotonicClock::nowNs());
        return;
    }
    const ReplyScope scope(*this);
    if (hasTypedFrames(m_decoder.framing())) {
        char payload[Wire::GoAwayFixedSize];
        payload[0] = char(byeCode(reason).value_or(quint8(CloseReason::Normal)));
        for (int i = 0; i < 4; ++i)
            payload[1 + i] = char(ms >> (24 - 8 * i));
        sendFrame(FrameType::GoAway, payload, sizeof(payload));
        m_thread.mutableCounters().goAways[size_t(closeReasonIndex(reason))].add();
        flushOutbound(MonotonicClock::nowNs());
        if (m_state != ConnectionState::Open)
            return; // the GOAWAY could not be held or sent
    }
    // Counted from after the GOAWAY went out: never earlier than announced.
    m_goAwayReason = reason;
    m_watchdogs.announcedCloseNs = MonotonicClock::nowNs() + qint64(ms) * MonotonicClock::NsPerMs;
    m_thread.reschedule(this);
    m_thread.markDirty(this);
}

void Connection::handleClosingDeadline(qint64 nowNs)
{
    if (nowNs >= m_phase.closing.deadlineNs) {
        retire(); // the BYE's flush budget ran out (a reset if bytes are left)
        return;
    }
    if (awaitingDelivery() && nowNs >= m_phase.closing.deliveryCheckNs) {
        awaitDelivery(nowNs);
        return;
    }
    if (m_closeReason == CloseReason::ClientClosed && nowNs >= m_watchdogs.writeDeadline()) {
        // A half-closed peer stopped taking its replies: the write timeout
        // ends the flush, and the close says why.
        m_thread.mutableCounters().recordLateness(nowNs - m_watchdogs.writeDeadline());
        writeTimedOut();
    }
}

void Connection::writeTimedOut()
{
    m_thread.mutableCounters().timeouts[size_t(TimeoutKind::Write)].add();
    m_thread.log().timeout(m_id, m_peer, TimeoutKind::Write, m_watchdogs.timers.writeTimeoutMs);
    publishEvent(EventKind::Timeout, 0, QByteArray(), TimeoutKind::Write);
    m_closeReason = CloseReason::SlowConsumer;
    retire(); // abortive: the peer has not taken what is left
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
    m_phase.closing = ClosingState();
    m_closeReason = reason;
    // After a BYE the server flushes within 1 s (PROTOCOL.md §2). After the
    // peer's FIN it writes every reply already produced: only the write
    // timeout may stop that (docs/protocol-notes.md).
    m_phase.closing.deadlineNs = reason == CloseReason::ClientClosed ? Watchdogs::Never : nowNs + CloseFlushNs;
    if (reason == CloseReason::Reset) {
        retire();
        return;
    }
    // BYE for everything the server decides; none back for a client's own
    // BYE or close, and none where the framing has no BYE.
    // PROTOCOL.md §9: no BYE before the PROXY header has been read.
    const bool serverSide = reason != CloseReason::Normal && reason != CloseReason::ClientClosed;
    // On a tls listener, none before the TLS handshake is done either.
    const bool inClear = !m_handshake || (!m_tls && m_handshake->headerRead());
    if (serverSide && inClear && hasTypedFrames(m_decoder.framing())) {
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
    if (!m_opened) // ended in its handshake: the handler never saw it
        return;
    Session session(*this);
    m_thread.handler().closed(session, m_closeReason);
}

quint64 Session::id() const { return m_connection.m_id; }
const PeerAddress &Session::peer() const { return m_connection.m_peer; }
QString Session::clientName() const { return m_connection.m_client; }
Policy Session::policy() const { return m_connection.m_watchdogs.timers.policy; }
bool Session::isOpen() const { return m_connection.m_state == ConnectionState::Open; }
bool Session::send(QByteArrayView payload) { return m_connection.sendData(payload); }
void *Session::userData() const { return m_connection.m_userData; }
void Session::setUserData(void *data) { m_connection.m_userData = data; }

void Session::close(CloseReason reason)
{
    // Inside a read the read's own flush follows; from opened() the
    // open's scope flushes.
    m_connection.close(reason, m_connection.m_nowNs);
}

void Connection::retire()
{
    if (isRetired())
        return;
    const int unsent = unsentInKernel();
    const bool abortive = !m_out.isEmpty() || unsent > 0;
    if (abortive) // bytes_out counts what the peer has taken
        m_bytesOut -= std::min(m_bytesOut, quint64(unsent));
    recordClose();
    // Discard what the peer sent meanwhile so close() sends FIN, not RST,
    // and the peer gets to read our BYE.
    char *buffer = m_thread.readScratch();
    for (int i = 0; i < 16; ++i) {
        const ssize_t n = ::recv(m_fd, buffer, m_thread.readScratchSize(), MSG_DONTWAIT);
        if (n <= 0)
            break;
    }
    if (abortive) {
        // The peer does not take what we sent: reset, so that no orphaned
        // socket keeps the bytes in the kernel after we let go (nginx's
        // reset_timedout_connection), and --max-connections bounds memory.
        const linger reset{1, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    } else {
        if (m_tls && m_closeReason != CloseReason::ClientClosed)
            m_tls->shutdown(); // as lingerAfterFlush
        ::shutdown(m_fd, SHUT_WR);
    }
    ::close(m_fd);
    m_fd = -1;
    m_out.release();
    settleMemory();
    m_thread.connectionRetired(this);
}

} // namespace Vigil
