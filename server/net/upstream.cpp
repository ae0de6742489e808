// The upstream connection of one forward-mode client.
#include "upstream.h"

#include "connection.h"
#include "frameencoder.h"
#include "monotonicclock.h"
#include "networkthread.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace Vigil {

namespace {
// Room kept in the client's send buffer for what vigild itself sends it
// (PONG, WELCOME, BYE), so relayed bytes never make it a slow consumer.
constexpr size_t OwnFramesRoom = 512;
// Below this much room a read is not worth its syscall: wait for the
// client to drain.
constexpr size_t MinUsefulRead = 1024;
// Unsent upstream output kept allocated after a drain.
constexpr size_t KeepOutputCapacity = 4096;

UpstreamFailure connectFailure(int error)
{
    return error == ECONNREFUSED || error == ENOENT ? UpstreamFailure::Refused : UpstreamFailure::Unreachable;
}
} // namespace

Upstream::Upstream(Connection &client, NetworkThread &thread)
    : m_client(client)
    , m_thread(thread)
    , m_decoder(thread.config().upstreamFraming, quint32(thread.config().maxPayload))
    , m_framing(thread.config().upstreamFraming)
{
}

Upstream::~Upstream()
{
    closeSocket();
    m_thread.memory().adjust(-m_charged);
}

UpstreamSnapshot Upstream::snapshot() const
{
    UpstreamSnapshot s;
    if (m_thread.config().upstream)
        s.address = m_thread.config().upstream->toString();
    s.state = m_state;
    s.bytesIn = m_bytesIn;
    s.bytesOut = m_bytesOut;
    s.pendingOut = m_out.size();
    return s;
}

// socket() and a non-blocking connect(): a loopback TCP or unix-socket
// connect usually completes (or is refused) at once; otherwise EPOLLOUT
// tells when it has.
void Upstream::start(qint64 nowNs)
{
    m_nowNs = nowNs;
    const std::optional<UpstreamAddress> &address = m_thread.config().upstream;
    if (!address) {
        fail(UpstreamFailure::Unreachable, nowNs);
        return;
    }
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family = AF_UNIX;
    if (address->isUnix()) {
        auto *un = reinterpret_cast<sockaddr_un *>(&storage);
        un->sun_family = AF_UNIX;
        const QByteArray path = address->unixPath.toLocal8Bit();
        std::memcpy(un->sun_path, path.constData(), std::min<size_t>(size_t(path.size()), sizeof(un->sun_path) - 1));
        length = socklen_t(sizeof(sockaddr_un));
    } else if (address->host.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        family = AF_INET6;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(address->port);
        const Q_IPV6ADDR bytes = address->host.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof(in6->sin6_addr));
        length = socklen_t(sizeof(sockaddr_in6));
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&storage);
        family = AF_INET;
        in4->sin_family = AF_INET;
        in4->sin_port = htons(address->port);
        in4->sin_addr.s_addr = htonl(address->host.toIPv4Address());
        length = socklen_t(sizeof(sockaddr_in));
    }
    m_fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        fail(UpstreamFailure::Unreachable, nowNs);
        return;
    }
    if (family != AF_UNIX) {
        const int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    int rc;
    do {
        rc = ::connect(m_fd, reinterpret_cast<const sockaddr *>(&storage), length);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0 && errno != EINPROGRESS) {
        fail(connectFailure(errno), nowNs);
        return;
    }
    if (!m_thread.watchUpstream(m_fd, tag())) {
        fail(UpstreamFailure::Unreachable, nowNs);
        return;
    }
    m_watched = true;
    m_writeInterest = true; // EPOLLOUT: the connect's outcome
    if (rc == 0)
        completeConnect(nowNs);
    else {
        m_connectDeadlineNs = nowNs + ConnectTimeoutMs * MonotonicClock::NsPerMs;
        m_thread.reschedule(&m_client);
    }
    m_thread.markDirty(&m_client);
}

void Upstream::completeConnect(qint64 nowNs)
{
    int error = 0;
    socklen_t size = sizeof(error);
    if (::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
        error = errno;
    if (error != 0) {
        fail(connectFailure(error), nowNs);
        return;
    }
    m_state = UpstreamState::Open;
    m_connectDeadlineNs = Watchdogs::Never;
    m_thread.markDirty(&m_client);
    // What the client sent while we connected goes first, in order.
    flush(nowNs);
    if (m_state == UpstreamState::Open)
        updateInterest();
}

qint64 Upstream::nextDeadline() const
{
    if (m_state == UpstreamState::Connecting)
        return m_connectDeadlineNs;
    if (m_state == UpstreamState::Open && m_writeBlockedSinceNs) {
        const qint64 timeoutMs = m_client.watchdogs().timers.writeTimeoutMs;
        if (timeoutMs > 0)
            return m_writeBlockedSinceNs + timeoutMs * MonotonicClock::NsPerMs;
    }
    return Watchdogs::Never;
}

void Upstream::handleDeadline(qint64 nowNs)
{
    const qint64 due = nextDeadline();
    if (due == Watchdogs::Never || nowNs < due)
        return;
    m_thread.mutableCounters().recordLateness(nowNs - due);
    fail(m_state == UpstreamState::Connecting ? UpstreamFailure::ConnectTimeout : UpstreamFailure::Stalled, nowNs);
}

// PROTOCOL.md §8: each complete client DATA message, in the upstream's
// framing. While the upstream has not taken --max-send-buffer bytes, the
// client is not read any further (it is resumed in flush()).
void Upstream::send(const char *payload, size_t size, qint64 nowNs)
{
    if (m_state == UpstreamState::Closed)
        return;
    m_nowNs = nowNs;
    if (m_framing == Framing::Raw && m_state == UpstreamState::Open && m_out.isEmpty()) {
        // The common case: straight from the read buffer to the socket,
        // no copy; only what the socket does not take is kept.
        ssize_t n;
        do {
            n = ::send(m_fd, payload, size, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            fail(UpstreamFailure::Reset, nowNs);
            return;
        }
        if (n > 0) {
            m_bytesOut += quint64(n);
            payload += n;
            size -= size_t(n);
            m_thread.markDirty(&m_client);
        }
        if (size == 0)
            return;
    }
    const bool wasEmpty = m_out.isEmpty();
    const size_t need = m_out.size() + size + FrameEncoder::overhead(m_framing);
    if (need > m_out.capacity()) {
        const size_t grown = ByteBuffer::grownCapacity(m_out.capacity(), need);
        if (!m_thread.memory().tryCharge(qint64(grown - m_out.capacity()))) {
            m_client.close(CloseReason::ServerFull, nowNs);
            return;
        }
        m_charged += qint64(grown - m_out.capacity());
        m_out.reserve(grown);
    }
    if (m_framing == Framing::Raw)
        m_out.append(payload, size);
    else
        FrameEncoder::append(m_framing, FrameType::Data, payload, size, m_out);
    if (m_state == UpstreamState::Open && wasEmpty)
        flush(nowNs); // nothing was waiting: write at once
    else
        settleMemory();
    if (m_state != UpstreamState::Closed && !m_clientPaused
        && qint64(m_out.size()) >= m_thread.config().effectiveMaxSendBuffer()) {
        m_clientPaused = true;
        m_client.setReadPaused(true);
    }
}

void Upstream::flush(qint64 nowNs)
{
    while (!m_out.isEmpty()) {
        const ssize_t n = ::send(m_fd, m_out.data(), m_out.size(), MSG_NOSIGNAL);
        if (n > 0) {
            m_out.consume(size_t(n));
            m_bytesOut += quint64(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            fail(UpstreamFailure::Reset, nowNs);
            return;
        }
        break;
    }
    m_thread.markDirty(&m_client);
    if (m_out.isEmpty()) {
        m_writeBlockedSinceNs = 0;
        m_out.releaseIfLarge(KeepOutputCapacity);
    } else if (!m_writeBlockedSinceNs) {
        // PROTOCOL.md §8: an upstream that does not drain within the write
        // timeout is given up on, as a client would be.
        m_writeBlockedSinceNs = MonotonicClock::nowNs();
        m_thread.reschedule(&m_client);
    }
    if (m_clientPaused && qint64(m_out.size()) < m_thread.config().effectiveMaxSendBuffer() / 2) {
        m_clientPaused = false;
        m_client.setReadPaused(false);
    }
    settleMemory();
    updateInterest();
}

// How many bytes one read of the upstream may take: what it can produce
// for the client must fit in the client's send buffer (--max-send-buffer,
// less room for vigild's own frames), so the upstream's speed never makes
// the client a slow consumer. With the client's output empty at least one
// byte: whatever one byte completes fits an empty buffer.
size_t Upstream::readBudget() const
{
    const qint64 bound = m_thread.config().effectiveMaxSendBuffer();
    const qint64 room = bound - qint64(m_client.pendingOut()) - std::min<qint64>(OwnFramesRoom, bound / 2);
    const size_t headroom = room > 0 ? size_t(room) : 0;
    const size_t clientOverhead = FrameEncoder::overhead(m_client.framing());
    size_t budget = 0;
    if (m_framing == Framing::Raw) {
        budget = headroom > clientOverhead ? headroom - clientOverhead : 0;
    } else {
        // Each upstream message costs at least its framing's overhead (one
        // byte for a line) and becomes its payload plus the client's
        // overhead; what the decoder holds may complete in this read.
        const size_t upstreamOverhead = std::max<size_t>(1, FrameEncoder::overhead(m_framing));
        const size_t factor = 1 + (clientOverhead + upstreamOverhead - 1) / upstreamOverhead;
        const size_t held = m_decoder.buffered();
        budget = headroom > held ? (headroom - held) / factor : 0;
    }
    budget = std::min(budget, m_thread.readScratchSize());
    if (budget == 0 && m_client.pendingOut() == 0)
        budget = 1;
    return budget;
}

// Read the upstream while a read is worth its syscall, or the client has
// taken everything.
bool Upstream::wantsToRead() const
{
    if (m_state != UpstreamState::Open || m_client.state() != ConnectionState::Open)
        return false;
    return m_client.pendingOut() == 0 || readBudget() >= std::min<size_t>(MinUsefulRead, m_thread.readScratchSize());
}

// One read per readiness event (the loop is level-triggered and fair).
void Upstream::readUpstream(qint64 nowNs)
{
    if (!wantsToRead()) {
        updateInterest(); // resumed by clientDrained()
        return;
    }
    const size_t want = readBudget();
    char *buffer = m_thread.readScratch();
    ssize_t n;
    do {
        n = ::recv(m_fd, buffer, want, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        m_bytesIn += quint64(n);
        m_thread.markDirty(&m_client);
        if (m_framing == Framing::Raw) {
            m_client.sendData(QByteArrayView(buffer, qsizetype(n)));
        } else {
            const CloseReason error = m_decoder.feed(buffer, size_t(n), *this);
            m_decoder.releaseMemory();
            settleMemory();
            if (error != CloseReason::None && m_state != UpstreamState::Closed)
                fail(UpstreamFailure::BadFrame, nowNs);
        }
        return;
    }
    if (n == 0) {
        fail(UpstreamFailure::Closed, nowNs);
        return;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        fail(UpstreamFailure::Reset, nowNs);
}

bool Upstream::onMessage(const DecodedMessage &message)
{
    // Only DATA is relayed; a vigil-framed upstream's other frames are its
    // own business with vigild and go nowhere.
    if (message.type != FrameType::Data)
        return m_client.state() == ConnectionState::Open;
    return m_client.sendData(QByteArrayView(message.data, qsizetype(message.size)));
}

bool Upstream::admitBuffer(size_t bytes)
{
    // The decoder's partial message counts against --max-memory too.
    if (!m_thread.memory().tryCharge(qint64(bytes)))
        return false;
    m_charged += qint64(bytes);
    return true;
}

void Upstream::clientDrained(qint64 nowNs)
{
    if (m_state != UpstreamState::Open)
        return;
    m_nowNs = nowNs;
    if (m_hungUp) {
        // The upstream is gone but left bytes we had no room for.
        if (wantsToRead())
            readUpstream(nowNs);
        return;
    }
    updateInterest();
}

void Upstream::updateInterest()
{
    if (!m_watched || m_fd < 0)
        return;
    bool read = false;
    bool write = true; // while connecting: EPOLLOUT tells the outcome
    if (m_state == UpstreamState::Open) {
        read = wantsToRead();
        write = !m_out.isEmpty();
    }
    if (read == m_readInterest && write == m_writeInterest)
        return;
    m_readInterest = read;
    m_writeInterest = write;
    m_thread.setUpstreamInterest(m_fd, tag(), read, write);
}

void Upstream::handleEvents(quint32 events, qint64 nowNs)
{
    if (m_fd < 0)
        return;
    m_nowNs = nowNs;
    if (m_client.state() != ConnectionState::Open) {
        finish();
        return;
    }
    if (m_state == UpstreamState::Connecting) {
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            completeConnect(nowNs);
        return;
    }
    if (events & EPOLLERR) {
        fail(UpstreamFailure::Reset, nowNs);
        return;
    }
    if (events & EPOLLHUP && !wantsToRead()) {
        // Reported whatever the interest: stop watching (no busy loop) and
        // read what is left as the client drains.
        m_thread.unwatchUpstream(m_fd);
        m_watched = false;
        m_hungUp = true;
        return;
    }
    if (events & (EPOLLIN | EPOLLHUP))
        readUpstream(nowNs);
    if (m_state == UpstreamState::Open && (events & EPOLLOUT))
        flush(nowNs);
}

// The client gets what the upstream sent before its failure (it is already
// in the client's output), then BYE upstream-closed.
void Upstream::fail(UpstreamFailure cause, qint64 nowNs)
{
    if (m_state == UpstreamState::Closed)
        return;
    m_thread.mutableCounters().upstreamFailures[size_t(cause)].add();
    m_thread.log().notice(QStringLiteral("conn %1 peer=%2 upstream %3: %4")
                              .arg(m_client.id())
                              .arg(m_client.peer().toString(),
                                   m_thread.config().upstream ? m_thread.config().upstream->toString() : QString(),
                                   QLatin1String(upstreamFailureName(cause))));
    m_out.clear();
    closeSocket();
    m_client.close(CloseReason::UpstreamClosed, nowNs);
}

void Upstream::finish()
{
    if (m_state == UpstreamState::Closed)
        return;
    if (m_state == UpstreamState::Open && !m_out.isEmpty()) {
        // PROTOCOL.md §8: what the client sent is flushed first, as far
        // as the socket takes it now (nothing here may block).
        while (!m_out.isEmpty()) {
            const ssize_t n = ::send(m_fd, m_out.data(), m_out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                m_out.consume(size_t(n));
                m_bytesOut += quint64(n);
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
    }
    if (m_fd >= 0 && m_state == UpstreamState::Open)
        ::shutdown(m_fd, SHUT_WR);
    closeSocket();
    m_out.release();
    settleMemory();
}

void Upstream::closeSocket()
{
    if (m_fd >= 0) {
        if (m_watched)
            m_thread.unwatchUpstream(m_fd);
        ::close(m_fd);
        m_fd = -1;
    }
    m_watched = false;
    m_state = UpstreamState::Closed;
    m_connectDeadlineNs = Watchdogs::Never;
    m_writeBlockedSinceNs = 0;
    m_thread.markDirty(&m_client);
}

void Upstream::settleMemory()
{
    const qint64 held = qint64(m_out.capacity() + m_decoder.bufferCapacity());
    m_thread.memory().adjust(held - m_charged);
    m_charged = held;
}

} // namespace Vigil
