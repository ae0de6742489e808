// Dialer: edge-triggered epoll, one read per readiness into a per-thread
// scratch buffer (a short read means the socket is drained, so there is no
// extra read to see EAGAIN and no level-triggered re-poll), responses
// parsed in place by FrameDecoder, one clock read per read, and send times
// kept in a per-connection ring (replies come back in order, PROTOCOL.md §7).
#include "dialer.h"

#include "closereason.h"
#include "frameencoder.h"
#include "monotonicclock.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace Vigil {

namespace {
constexpr size_t ScratchSize = 256 * 1024;
constexpr int MaxEvents = 1024;
constexpr qint64 ConnectTimeoutNs = 5LL * 1000 * 1000 * 1000;
// rr and hold: dialling that takes longer than this gives up on the rest.
constexpr qint64 DialDeadlineNs = 60LL * 1000 * 1000 * 1000;
constexpr qint64 SweepIntervalNs = 100LL * 1000 * 1000;
constexpr quint32 MaxReplyPayload = 64u * 1024 * 1024 + 64;
} // namespace

// What wrk calls its "socket errors", broken down by cause, so a run that
// lost dials says whether the server refused them, its backlog overflowed
// (timed-out) or the client ran out of ports or descriptors.
QString dialFailureReason(int error)
{
    switch (error) {
    case ECONNREFUSED:
        return QStringLiteral("refused");
    case ETIMEDOUT:
        return QStringLiteral("timed-out");
    case ECONNRESET:
        return QStringLiteral("reset");
    case EADDRNOTAVAIL:
    case EADDRINUSE:
        return QStringLiteral("no-local-port");
    case EMFILE:
    case ENFILE:
        return QStringLiteral("out-of-descriptors");
    case ENETUNREACH:
    case EHOSTUNREACH:
        return QStringLiteral("unreachable");
    default:
        return QStringLiteral("errno-%1").arg(error);
    }
}

Dialer::Dialer(const BenchOptions &options, const BenchShared &shared, const DialerSettings &settings,
               BenchWorkerResult &result, DialerEvents &events)
    : m_options(options)
    , m_shared(shared)
    , m_settings(settings)
    , m_result(result)
    , m_events(events)
    , m_scratch(ScratchSize)
{
    m_conns.resize(size_t(settings.slotCount));
    for (int i = 0; i < settings.slotCount; ++i) {
        m_conns[size_t(i)].index = settings.firstIndex + i;
        m_conns[size_t(i)].decoder = FrameDecoder(options.framing, MaxReplyPayload);
    }
    m_sendTimes.assign(size_t(settings.slotCount) * size_t(settings.ring), 0);
    if (options.tls) {
        // The server's defaults (TLS 1.2 and 1.3, no record buffers while
        // idle); nothing verified: bench measures a loopback server it was
        // pointed at, it does not authenticate one.
        m_tls = SSL_CTX_new(TLS_client_method());
        if (m_tls) {
            SSL_CTX_set_min_proto_version(m_tls, TLS1_2_VERSION);
            SSL_CTX_set_mode(m_tls, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE
                                        | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
            SSL_CTX_set_verify(m_tls, SSL_VERIFY_NONE, nullptr);
        }
    }
}

Dialer::~Dialer()
{
    closeAll();
    if (m_epoll >= 0)
        ::close(m_epoll);
    SSL_CTX_free(m_tls);
}

void Dialer::freeTls(Conn &c)
{
    SSL_free(c.ssl);
    c.ssl = nullptr;
    ERR_clear_error();
}

// recv()'s contract over TLS, filling buffer with as many records as the
// socket has, so that a short count still means "drained" (EPOLLET).
ssize_t Dialer::readSome(Conn &c, char *buffer, size_t capacity)
{
    if (!c.ssl)
        return ::read(c.fd, buffer, capacity);
    size_t got = 0;
    while (got < capacity) {
        size_t n = 0;
        const int r = SSL_read_ex(c.ssl, buffer + got, capacity - got, &n);
        if (r == 1) {
            got += n;
            continue;
        }
        const int e = SSL_get_error(c.ssl, r);
        if (got > 0)
            break;
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            errno = EAGAIN;
            return -1;
        }
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0))
            return 0;
        if (e != SSL_ERROR_SYSCALL)
            errno = EPROTO;
        ERR_clear_error();
        return -1;
    }
    return ssize_t(got);
}

ssize_t Dialer::writeSome(Conn &c, const char *data, size_t size)
{
    if (!c.ssl)
        return ::send(c.fd, data, size, MSG_NOSIGNAL);
    size_t n = 0;
    const int r = SSL_write_ex(c.ssl, data, size, &n);
    if (r == 1)
        return ssize_t(n);
    const int e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        errno = EAGAIN;
        return -1;
    }
    if (e != SSL_ERROR_SYSCALL || errno == 0)
        errno = e == SSL_ERROR_SYSCALL ? EPIPE : EPROTO;
    ERR_clear_error();
    return -1;
}

bool Dialer::open()
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        countError(QStringLiteral("epoll_create1: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        return false;
    }
    m_ready.resize(MaxEvents);
    const qint64 now = MonotonicClock::nowNs();
    m_dialStartNs = now;
    m_lastSweepNs = now;
    return true;
}

void Dialer::closeAll()
{
    for (Conn &c : m_conns) {
        freeTls(c);
        if (c.fd >= 0) {
            ::close(c.fd);
            c.fd = -1;
        }
    }
}

void Dialer::countError(const QString &why)
{
    ++m_result.errors;
    if (m_result.firstError.isEmpty())
        m_result.firstError = why;
}

void Dialer::countDialFailure(const QString &reason, const QString &why)
{
    ++m_result.dialFailures;
    ++m_result.dialFailureReasons[reason];
    countError(why);
}

void Dialer::queueAll()
{
    for (int i = 0; i < int(m_conns.size()); ++i)
        m_dialQueue.push_back(i);
}

// Opens one non-blocking socket and starts its connect. With --sources K
// the source address is 127.0.0.(1 + index % K), bound with
// IP_BIND_ADDRESS_NO_PORT so the port is chosen per 4-tuple at connect().
bool Dialer::startConnect(int local)
{
    Conn &c = m_conns[size_t(local)];
    const qint64 now = MonotonicClock::nowNs(); // a dial burst takes a while: stamp each connect
    const int family = m_shared.target.ss_family;
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        failConnect(local, errno);
        return false;
    }
    c.fd = fd;
    c.state = State::Pending; // Connecting once epoll watches it
    c.connectStartNs = now;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (family == AF_INET && m_options.sources > 1) {
        ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in source{};
        source.sin_family = AF_INET;
        source.sin_addr.s_addr = htonl((127u << 24) | quint32(1 + c.index % m_options.sources));
        if (::bind(fd, reinterpret_cast<const sockaddr *>(&source), sizeof source) != 0) {
            failConnect(local, errno);
            return false;
        }
    }
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&m_shared.target), m_shared.targetLength) != 0
        && errno != EINPROGRESS) {
        failConnect(local, errno);
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.u64 = quint64(local);
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
        failConnect(local, errno);
        return false;
    }
    c.state = State::Connecting;
    ++m_connectingCount;
    m_connecting.push_back(local);
    return true;
}

// A failed connect is tried again (rr, hold: up to three times in all)
// unless the run is ending; then it counts as a dial failure by reason.
void Dialer::failConnect(int local, int error)
{
    Conn &c = m_conns[size_t(local)];
    if (c.state == State::Connecting && c.fd >= 0) {
        // Registered with epoll only once connect() was under way.
        --m_connectingCount;
    }
    freeTls(c);
    if (c.fd >= 0)
        ::close(c.fd);
    c.fd = -1;
    c.state = State::Pending;
    ++c.attempts;
    if (c.attempts < m_settings.connectAttempts && !m_stopping) {
        m_dialQueue.push_back(local);
        return;
    }
    c.state = State::Closed;
    countDialFailure(dialFailureReason(error), QStringLiteral("connect: %1").arg(QString::fromLocal8Bit(std::strerror(error))));
    m_events.released(local);
}

void Dialer::dialMore()
{
    const int limit = std::max(1, m_options.dialConcurrency / std::max(1, m_options.threads));
    while (!m_dialQueue.empty() && m_connectingCount < limit) {
        const int local = m_dialQueue.front();
        m_dialQueue.pop_front();
        startConnect(local);
    }
}

void Dialer::abandonDials()
{
    while (!m_dialQueue.empty()) {
        m_conns[size_t(m_dialQueue.front())].state = State::Closed;
        m_dialQueue.pop_front();
        countDialFailure(QStringLiteral("dial-deadline"), QStringLiteral("connect: not done within the dial deadline"));
    }
    for (int local : m_connecting) {
        if (m_conns[size_t(local)].state == State::Connecting) {
            m_conns[size_t(local)].attempts = quint8(m_settings.connectAttempts);
            failConnect(local, ETIMEDOUT);
        }
    }
    m_connecting.clear();
}

bool Dialer::dialAll(qint64 now)
{
    dialMore();
    if (now - m_dialStartNs > DialDeadlineNs)
        abandonDials();
    return m_dialQueue.empty() && m_connectingCount == 0;
}

void Dialer::redial(int local, int index)
{
    Conn &c = m_conns[size_t(local)];
    c.decoder = FrameDecoder(m_options.framing, MaxReplyPayload);
    c.rawBytes = 0;
    c.attempts = 0;
    c.goingAway = false;
    c.index = index;
    startConnect(local);
}

void Dialer::sweepConnectTimeouts(qint64 now)
{
    if (now - m_lastSweepNs < SweepIntervalNs)
        return;
    m_lastSweepNs = now;
    std::vector<int> still;
    still.reserve(m_connecting.size());
    for (int local : m_connecting) {
        Conn &c = m_conns[size_t(local)];
        if (c.state != State::Connecting)
            continue;
        if (now - c.connectStartNs > ConnectTimeoutNs)
            failConnect(local, ETIMEDOUT);
        else
            still.push_back(local);
    }
    m_connecting.swap(still);
}

void Dialer::handleConnectDone(int local, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        error = errno;
    if (error != 0) {
        failConnect(local, error);
        return;
    }
    if (m_options.tls) {
        // Still Connecting (the connect timeout bounds the handshake too).
        c.ssl = m_tls ? SSL_new(m_tls) : nullptr;
        if (!c.ssl || SSL_set_fd(c.ssl, c.fd) != 1) {
            failConnect(local, ENOMEM);
            return;
        }
        SSL_set_connect_state(c.ssl);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        ev.data.u64 = quint64(local);
        ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
        stepTlsHandshake(local, now);
        return;
    }
    connectionUp(local, now);
}

// --tls: one non-blocking step; the connect time includes the handshake.
void Dialer::stepTlsHandshake(int local, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    const int r = SSL_do_handshake(c.ssl);
    if (r == 1) {
        connectionUp(local, now);
        return;
    }
    const int e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return; // EPOLLIN and EPOLLOUT are both armed: the next edge steps again
    failConnect(local, e == SSL_ERROR_SYSCALL && errno != 0 ? errno : EPROTO);
}

void Dialer::connectionUp(int local, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    --m_connectingCount;
    c.state = State::Open;
    ++m_open;
    ++m_result.connected;
    m_result.connect.record(now - c.connectStartNs);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = quint64(local);
    ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
    c.writeArmed = false;
    m_events.connected(local, now);
}

int Dialer::poll(int timeoutMs, qint64 busyPollNs, qint64 &now)
{
    // rr: poll without sleeping for a moment before blocking. Replies
    // are usually microseconds away, and a sleeping client makes the
    // server pay a cross-CPU wake-up for each of them.
    int n = ::epoll_wait(m_epoll, m_ready.data(), MaxEvents, 0);
    if (n == 0 && busyPollNs > 0) {
        const qint64 until = MonotonicClock::nowNs() + busyPollNs;
        while (n == 0 && MonotonicClock::nowNs() < until)
            n = ::epoll_wait(m_epoll, m_ready.data(), MaxEvents, 0);
    }
    if (n == 0)
        n = ::epoll_wait(m_epoll, m_ready.data(), MaxEvents, timeoutMs);
    now = MonotonicClock::nowNs();
    for (int i = 0; i < n; ++i)
        handleEvent(int(m_ready[size_t(i)].data.u64), m_ready[size_t(i)].events, now);
    if (n > 0)
        now = MonotonicClock::nowNs();
    return n;
}

void Dialer::handleEvent(int local, quint32 events, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    if (c.state == State::Connecting) {
        if (c.ssl)
            stepTlsHandshake(local, now);
        else
            handleConnectDone(local, now);
        return;
    }
    if (c.state != State::Open)
        return;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
        handleReadable(local, (events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) != 0);
    if (c.state == State::Open && (events & EPOLLOUT))
        flushOut(local);
}

// Reads what is there (once, or again while reads fill the buffer: with
// EPOLLET a read shorter than the buffer has emptied the socket of data;
// when the peer has also closed, read on to see the end of the stream),
// decodes in place and settles the replies with one clock read.
void Dialer::handleReadable(int local, bool peerClosed)
{
    Conn &c = m_conns[size_t(local)];
    for (;;) {
        const ssize_t n = readSome(c, m_scratch.data(), m_scratch.size());
        if (n > 0) {
            m_current = &c;
            m_currentLocal = local;
            m_got = 0;
            m_bad = false;
            m_byeCode = -1;
            const CloseReason error = c.decoder.feed(m_scratch.data(), size_t(n), *this);
            m_current = nullptr;
            const qint64 now = MonotonicClock::nowNs();
            if (m_got > 0)
                completeResponses(local, m_got, now);
            if (c.state != State::Open)
                return;
            if (m_bad || error != CloseReason::None) {
                countError(QStringLiteral("unexpected reply from the server"));
                closeConn(local, false, QString());
                return;
            }
            if (m_byeCode >= 0) {
                ++m_result.byeReasons[size_t(m_byeCode)];
                const auto reason = closeReasonFromByeCode(quint8(m_byeCode));
                closeConn(local, true, QStringLiteral("BYE %1").arg(reason ? closeReasonName(*reason) : QString::number(m_byeCode)));
                return;
            }
            if (size_t(n) < m_scratch.size() && !peerClosed)
                return;
            continue;
        }
        if (n == 0) {
            closeConn(local, true, QStringLiteral("closed by server"));
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        closeConn(local, true, QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
}

bool Dialer::onMessage(const DecodedMessage &message)
{
    switch (message.type) {
    case FrameType::Data:
        if (m_options.framing == Framing::Raw) {
            // No boundaries: a reply is complete once payload bytes are back.
            m_current->rawBytes += message.size;
            m_got += int(m_current->rawBytes / quint64(m_options.payload));
            m_current->rawBytes %= quint64(m_options.payload);
        } else if (!m_settings.anyDataSize && qint64(message.size) != m_options.payload) {
            m_bad = true;
            return false;
        } else {
            ++m_got;
        }
        return true;
    case FrameType::Pong:
        if (m_settings.pongIsReply)
            ++m_got;
        return true;
    case FrameType::Ping: {
        // The server's probe (PROTOCOL.md §3): answer so it counts as activity.
        QByteArray pong;
        FrameEncoder::append(m_options.framing, FrameType::Pong, message.data, message.size, pong);
        writeBytes(m_currentLocal, pong.constData(), size_t(pong.size()));
        return true;
    }
    case FrameType::Bye:
        m_byeCode = message.size > 0 ? quint8(message.data[0]) : 0;
        return false;
    case FrameType::GoAway:
        // The server closes later with a BYE (PROTOCOL.md §10); until then
        // it serves, so the run goes on and the BYE is counted as usual.
        ++m_result.goAways;
        m_current->goingAway = true;
        return true;
    case FrameType::Welcome:
    case FrameType::Hello:
        return true;
    }
    return true;
}

void Dialer::completeResponses(int local, int got, qint64 now)
{
    if (got > m_conns[size_t(local)].inflight) {
        countError(QStringLiteral("reply without a request"));
        closeConn(local, false, QString());
        return;
    }
    m_events.replies(local, got, now);
}

void Dialer::settle(int local, int got, qint64 now, bool measured)
{
    Conn &c = m_conns[size_t(local)];
    const int ring = m_settings.ring;
    const qint64 *times = m_sendTimes.data() + size_t(local) * size_t(ring);
    for (int k = 0; k < got; ++k) {
        if (measured) {
            m_result.rtt.record(now - times[c.head]);
            ++m_result.messages;
        }
        c.head = c.head + 1 == ring ? 0 : c.head + 1;
    }
    c.inflight -= got;
    m_inflightTotal -= got;
    m_responses += quint64(got);
}

void Dialer::send(int local, int count, const char *data, size_t size, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    const int ring = m_settings.ring;
    qint64 *times = m_sendTimes.data() + size_t(local) * size_t(ring);
    for (int k = 0; k < count; ++k) {
        int slot = c.head + c.inflight;
        if (slot >= ring)
            slot -= ring;
        times[slot] = now;
        ++c.inflight;
    }
    m_inflightTotal += count;
    m_result.sent += quint64(count);
    writeBytes(local, data, size);
}

// Writes now if nothing is queued; whatever the socket does not take waits
// in the connection's buffer for EPOLLOUT.
bool Dialer::writeBytes(int local, const char *data, size_t size)
{
    Conn &c = m_conns[size_t(local)];
    if (!c.out.isEmpty()) {
        c.out.append(data, size);
        return true;
    }
    size_t done = 0;
    while (done < size) {
        const ssize_t n = writeSome(c, data + done, size - done);
        if (n > 0) {
            done += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        closeConn(local, true, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (done < size) {
        c.out.append(data + done, size - done);
        if (!c.writeArmed) {
            epoll_event ev{};
            ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
            ev.data.u64 = quint64(local);
            ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
            c.writeArmed = true;
        }
    }
    return true;
}

void Dialer::flushOut(int local)
{
    Conn &c = m_conns[size_t(local)];
    while (!c.out.isEmpty()) {
        const ssize_t n = writeSome(c, c.out.data(), c.out.size());
        if (n > 0) {
            c.out.consume(size_t(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        closeConn(local, true, QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
    c.out.releaseIfLarge();
    if (c.writeArmed) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
        ev.data.u64 = quint64(local);
        ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
        c.writeArmed = false;
    }
}

void Dialer::close(int local)
{
    closeConn(local, false, QString());
}

// A close we did not ask for is an error while we still wanted the
// connection (the server's idle timeout, a crash, a BYE).
void Dialer::closeConn(int local, bool byPeer, const QString &why)
{
    Conn &c = m_conns[size_t(local)];
    if (c.state != State::Open)
        return;
    // The close its GOAWAY announced: with --reconnect the slot is dialled
    // again at once (what in flight was lost is not counted), as a client
    // behind a balancer would move to another server.
    const bool again = byPeer && c.goingAway && m_options.reconnect && !m_stopping;
    if (again) {
        ++m_result.reconnects;
    } else if (byPeer) {
        ++m_result.closedByServer;
        if (!m_stopping || c.inflight > 0)
            countError(QStringLiteral("connection lost: %1").arg(why.isEmpty() ? QStringLiteral("closed") : why));
    }
    freeTls(c);
    ::close(c.fd); // also leaves the epoll set
    c.fd = -1;
    c.state = State::Closed;
    m_inflightTotal -= c.inflight;
    c.inflight = 0;
    c.head = 0;
    c.out.release();
    --m_open;
    if (again)
        redial(local, c.index);
    else
        m_events.released(local);
}

} // namespace Vigil
