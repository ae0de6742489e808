// BenchWorker: edge-triggered epoll, one read per readiness into a
// per-thread scratch buffer (a short read means the socket is drained, so
// there is no extra read to see EAGAIN and no level-triggered re-poll),
// responses parsed in place by FrameDecoder, one clock read per read, and
// send times kept in a per-connection ring (replies come back in order,
// PROTOCOL.md §7).
#include "benchworker.h"

#include "closereason.h"
#include "frameencoder.h"
#include "monotonicclock.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace Vigil {

namespace {
constexpr size_t ScratchSize = 256 * 1024;
constexpr int MaxEvents = 1024;
constexpr int ConnectAttempts = 3;
constexpr qint64 ConnectTimeoutNs = 5LL * 1000 * 1000 * 1000;
// rr and hold: dialling that takes longer than this gives up on the rest.
constexpr qint64 DialDeadlineNs = 60LL * 1000 * 1000 * 1000;
// After the window: how long in-flight replies may take before we stop.
constexpr qint64 DrainNs = 2LL * 1000 * 1000 * 1000;
constexpr qint64 SweepIntervalNs = 100LL * 1000 * 1000;
// Hold mode keeps a few heartbeats in flight before it skips one.
constexpr int HoldRing = 4;
constexpr int StartBurst = 128;
constexpr quint32 MaxReplyPayload = 64u * 1024 * 1024 + 64;

int ringFor(const BenchOptions &o)
{
    switch (o.mode) {
    case BenchMode::RequestResponse: return o.inflight;
    case BenchMode::Hold: return HoldRing;
    case BenchMode::Churn: return 1;
    }
    return 1;
}

std::string frame(Framing framing, FrameType type, size_t size)
{
    const std::string payload(size, 'x');
    QByteArray out;
    FrameEncoder::append(framing, type, payload.data(), payload.size(), out);
    return std::string(out.constData(), size_t(out.size()));
}

// Why a connection never came up, in words that stay the same across
// libcs: what wrk calls its "socket errors", broken down by cause, so a
// run that lost dials says whether the server refused them, its backlog
// overflowed (timed-out) or the client ran out of ports or descriptors.
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
} // namespace

BenchWorker::BenchWorker(const BenchOptions &options, BenchShared &shared, int firstIndex, int count, double rate)
    : m_options(options)
    , m_shared(shared)
    , m_firstIndex(firstIndex)
    , m_rate(rate)
    , m_ring(ringFor(options))
    , m_scratch(ScratchSize)
{
    m_busyPollNs = options.mode == BenchMode::RequestResponse ? options.busyPollUs * 1000 : 0;
    int slotCount = count;
    if (options.mode == BenchMode::Churn)
        slotCount = std::min(count, std::max(1, options.dialConcurrency / std::max(1, options.threads)));
    m_conns.resize(size_t(slotCount));
    for (int i = 0; i < slotCount; ++i) {
        m_conns[size_t(i)].index = firstIndex + i;
        m_conns[size_t(i)].decoder = FrameDecoder(options.framing, MaxReplyPayload);
    }
    m_churnTotal = count;
    m_sendTimes.assign(size_t(slotCount) * size_t(m_ring), 0);
    m_request = frame(options.framing, FrameType::Data, size_t(options.payload));
    m_requests.reserve(m_request.size() * size_t(m_ring));
    for (int i = 0; i < m_ring; ++i)
        m_requests += m_request;
    m_heartbeat = hasTypedFrames(options.framing)
        ? frame(options.framing, FrameType::Ping, size_t(std::min<qint64>(options.payload, Wire::MaxPingPayload)))
        : m_request;
    if (options.mode != BenchMode::Churn) {
        for (int i = 0; i < slotCount; ++i)
            m_dialQueue.push_back(i);
    }
}

BenchWorker::~BenchWorker()
{
    for (Conn &c : m_conns) {
        if (c.fd >= 0)
            ::close(c.fd);
    }
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void BenchWorker::countError(const QString &why)
{
    ++m_result.errors;
    if (m_result.firstError.isEmpty())
        m_result.firstError = why;
}

void BenchWorker::countDialFailure(const QString &reason, const QString &why)
{
    ++m_result.dialFailures;
    ++m_result.dialFailureReasons[reason];
    countError(why);
}

// Opens one non-blocking socket and starts its connect. With --sources K
// the source address is 127.0.0.(1 + index % K), bound with
// IP_BIND_ADDRESS_NO_PORT so the port is chosen per 4-tuple at connect().
bool BenchWorker::startConnect(int local, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    now = MonotonicClock::nowNs(); // a dial burst takes a while: stamp each connect
    const int family = m_shared.target.ss_family;
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        failConnect(local, errno, now);
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
            failConnect(local, errno, now);
            return false;
        }
    }
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&m_shared.target), m_shared.targetLength) != 0
        && errno != EINPROGRESS) {
        failConnect(local, errno, now);
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.u64 = quint64(local);
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
        failConnect(local, errno, now);
        return false;
    }
    c.state = State::Connecting;
    ++m_connectingCount;
    m_connecting.push_back(local);
    return true;
}

void BenchWorker::failConnect(int local, int error, qint64 now)
{
    Q_UNUSED(now);
    Conn &c = m_conns[size_t(local)];
    if (c.state == State::Connecting && c.fd >= 0) {
        // Registered with epoll only once connect() was under way.
        --m_connectingCount;
    }
    if (c.fd >= 0)
        ::close(c.fd);
    c.fd = -1;
    c.state = State::Pending;
    ++c.attempts;
    if (m_options.mode != BenchMode::Churn && c.attempts < ConnectAttempts && !m_stopping) {
        m_dialQueue.push_back(local);
        return;
    }
    c.state = State::Closed;
    countDialFailure(dialFailureReason(error), QStringLiteral("connect: %1").arg(QString::fromLocal8Bit(std::strerror(error))));
    if (m_options.mode == BenchMode::Churn)
        m_freeSlots.push_back(local);
}

void BenchWorker::dialMore(qint64 now)
{
    const int limit = std::max(1, m_options.dialConcurrency / std::max(1, m_options.threads));
    while (!m_dialQueue.empty() && m_connectingCount < limit) {
        const int local = m_dialQueue.front();
        m_dialQueue.pop_front();
        startConnect(local, now);
    }
}

void BenchWorker::sweepConnectTimeouts(qint64 now)
{
    std::vector<int> still;
    still.reserve(m_connecting.size());
    for (int local : m_connecting) {
        Conn &c = m_conns[size_t(local)];
        if (c.state != State::Connecting)
            continue;
        if (now - c.connectStartNs > ConnectTimeoutNs)
            failConnect(local, ETIMEDOUT, now);
        else
            still.push_back(local);
    }
    m_connecting.swap(still);
}

void BenchWorker::handleConnectDone(int local, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        error = errno;
    if (error != 0) {
        failConnect(local, error, now);
        return;
    }
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
    switch (m_options.mode) {
    case BenchMode::RequestResponse:
        if (m_trafficStarted && !m_stopping)
            sendRequests(local, m_ring, now);
        break;
    case BenchMode::Hold:
        // One message each, then a heartbeat every H (loadgen's hold).
        sendRequests(local, 1, now);
        m_heartbeats.emplace_back(now + m_options.heartbeatMs * MonotonicClock::NsPerMs, local);
        break;
    case BenchMode::Churn:
        sendRequests(local, 1, now);
        break;
    }
}

void BenchWorker::handleEvent(int local, quint32 events, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    if (c.state == State::Connecting) {
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
void BenchWorker::handleReadable(int local, bool peerClosed)
{
    Conn &c = m_conns[size_t(local)];
    for (;;) {
        const ssize_t n = ::read(c.fd, m_scratch.data(), m_scratch.size());
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

bool BenchWorker::onMessage(const DecodedMessage &message)
{
    switch (message.type) {
    case FrameType::Data:
        if (m_options.framing == Framing::Raw) {
            // No boundaries: a reply is complete once payload bytes are back.
            m_current->rawBytes += message.size;
            m_got += int(m_current->rawBytes / quint64(m_options.payload));
            m_current->rawBytes %= quint64(m_options.payload);
        } else if (m_options.mode != BenchMode::Hold && qint64(message.size) != m_options.payload) {
            m_bad = true;
            return false;
        } else {
            ++m_got;
        }
        return true;
    case FrameType::Pong:
        if (m_options.mode == BenchMode::Hold)
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
    case FrameType::Welcome:
    case FrameType::Hello:
        return true;
    }
    return true;
}

void BenchWorker::completeResponses(int local, int got, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    if (got > c.inflight) {
        countError(QStringLiteral("reply without a request"));
        closeConn(local, false, QString());
        return;
    }
    const bool window = m_options.mode != BenchMode::RequestResponse
        || (m_trafficStarted && now >= m_windowStartNs && now < m_windowEndNs);
    qint64 *ring = m_sendTimes.data() + size_t(local) * size_t(m_ring);
    for (int k = 0; k < got; ++k) {
        if (window) {
            m_result.rtt.record(now - ring[c.head]);
            ++m_result.messages;
        }
        c.head = c.head + 1 == m_ring ? 0 : c.head + 1;
    }
    c.inflight -= got;
    m_inflightTotal -= got;
    m_responses += quint64(got);
    switch (m_options.mode) {
    case BenchMode::RequestResponse:
        if (!m_stopping)
            sendRequests(local, got, now);
        break;
    case BenchMode::Hold:
        break;
    case BenchMode::Churn:
        closeConn(local, false, QString());
        break;
    }
}

// Puts count requests in flight on one connection (count <= ring). With
// --rate in rr, only what the credit allows; the rest waits in m_starved.
void BenchWorker::sendRequests(int local, int count, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    if (m_rate > 0 && m_options.mode == BenchMode::RequestResponse) {
        const int allowed = std::min(count, int(m_credit));
        m_credit -= allowed;
        c.owed += count - allowed;
        if (c.owed > 0 && !c.starved) {
            c.starved = true;
            m_starved.push_back(local);
        }
        count = allowed;
    }
    if (count <= 0)
        return;
    qint64 *ring = m_sendTimes.data() + size_t(local) * size_t(m_ring);
    for (int k = 0; k < count; ++k) {
        int slot = c.head + c.inflight;
        if (slot >= m_ring)
            slot -= m_ring;
        ring[slot] = now;
        ++c.inflight;
    }
    m_inflightTotal += count;
    m_result.sent += quint64(count);
    c.lastSendNs = now;
    writeBytes(local, m_requests.data(), m_request.size() * size_t(count));
}

void BenchWorker::sendHeartbeat(int local, qint64 now)
{
    Conn &c = m_conns[size_t(local)];
    if (c.inflight >= m_ring)
        return; // the server is behind; do not pile up
    qint64 *ring = m_sendTimes.data() + size_t(local) * size_t(m_ring);
    int slot = c.head + c.inflight;
    if (slot >= m_ring)
        slot -= m_ring;
    ring[slot] = now;
    ++c.inflight;
    ++m_inflightTotal;
    ++m_result.sent;
    writeBytes(local, m_heartbeat.data(), m_heartbeat.size());
}

// Writes now if nothing is queued; whatever the socket does not take waits
// in the connection's buffer for EPOLLOUT.
bool BenchWorker::writeBytes(int local, const char *data, size_t size)
{
    Conn &c = m_conns[size_t(local)];
    if (!c.out.isEmpty()) {
        c.out.append(data, size);
        return true;
    }
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::send(c.fd, data + done, size - done, MSG_NOSIGNAL);
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

void BenchWorker::flushOut(int local)
{
    Conn &c = m_conns[size_t(local)];
    while (!c.out.isEmpty()) {
        const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
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

// A close we did not ask for is an error while we still wanted the
// connection (the server's idle timeout, a crash, a BYE).
void BenchWorker::closeConn(int local, bool byPeer, const QString &why)
{
    Conn &c = m_conns[size_t(local)];
    if (c.state != State::Open)
        return;
    if (byPeer) {
        ++m_result.closedByServer;
        if (!m_stopping || c.inflight > 0)
            countError(QStringLiteral("connection lost: %1").arg(why.isEmpty() ? QStringLiteral("closed") : why));
    }
    ::close(c.fd); // also leaves the epoll set
    c.fd = -1;
    c.state = State::Closed;
    m_inflightTotal -= c.inflight;
    c.inflight = 0;
    c.head = 0;
    c.out.release();
    --m_open;
    if (m_options.mode == BenchMode::Churn)
        m_freeSlots.push_back(local);
}

void BenchWorker::refillCredit(qint64 now)
{
    if (m_rate <= 0)
        return;
    const double burst = std::max(1.0, m_rate / 100.0); // at most 10 ms worth saved up
    m_credit = std::min(burst, m_credit + m_rate * double(now - m_lastCreditNs) / 1e9);
    m_lastCreditNs = now;
}

void BenchWorker::serveStarved(qint64 now)
{
    while (!m_starved.empty() && m_credit >= 1) {
        const int local = m_starved.front();
        m_starved.pop_front();
        Conn &c = m_conns[size_t(local)];
        c.starved = false;
        const int owed = c.owed;
        c.owed = 0;
        if (c.state == State::Open && !m_stopping)
            sendRequests(local, owed, now);
    }
}

void BenchWorker::startTraffic(qint64 now)
{
    m_trafficStarted = true;
    m_lastCreditNs = now;
    const qint64 warmup = m_options.mode == BenchMode::RequestResponse ? m_options.warmupMs : 0;
    m_windowStartNs = now + warmup * MonotonicClock::NsPerMs;
    m_windowEndNs = m_windowStartNs + m_options.durationMs * MonotonicClock::NsPerMs;
    m_kickCursor = 0;
}

// rr: the first requests go out StartBurst connections per loop turn, with
// replies handled in between. Thousands of sends in one go overflow the
// loopback backlog (netdev_max_backlog) once softirqs are deferred, and each
// dropped segment costs a 200 ms retransmission timeout.
void BenchWorker::kickConnections(qint64 now)
{
    const int end = std::min<int>(int(m_conns.size()), m_kickCursor + StartBurst);
    for (; m_kickCursor < end; ++m_kickCursor) {
        if (m_conns[size_t(m_kickCursor)].state == State::Open)
            sendRequests(m_kickCursor, m_ring, now);
    }
}

// Moves the run along; false once this worker is done.
bool BenchWorker::phaseStep(qint64 now)
{
    if (m_shared.abort.load(std::memory_order_relaxed))
        return false;
    if (now - m_lastSweepNs >= SweepIntervalNs) {
        m_lastSweepNs = now;
        sweepConnectTimeouts(now);
    }
    if (m_options.mode == BenchMode::Churn) {
        if (!m_trafficStarted)
            startTraffic(now);
        if (now >= m_windowEndNs || m_churnStarted >= m_churnTotal)
            m_stopping = true;
        if (!m_stopping) {
            // Connects are paced: by --rate, and by the free slots (dial concurrency).
            const double elapsed = double(now - (m_windowStartNs)) / 1e9;
            const qint64 allowed = m_rate > 0 ? qint64(m_rate * elapsed) + 1 : std::numeric_limits<qint64>::max();
            while (!m_freeSlots.empty() && m_churnStarted < m_churnTotal && m_churnStarted < allowed) {
                const int local = m_freeSlots.back();
                m_freeSlots.pop_back();
                Conn &c = m_conns[size_t(local)];
                c.decoder = FrameDecoder(m_options.framing, MaxReplyPayload);
                c.rawBytes = 0;
                c.attempts = 0;
                c.index = m_firstIndex + m_churnStarted;
                ++m_churnStarted;
                startConnect(local, now);
            }
        }
        if (m_stopping && (m_open + m_connectingCount == 0 || now >= m_windowEndNs + DrainNs))
            return false;
        return true;
    }

    if (!m_dialDone.load(std::memory_order_relaxed)) {
        dialMore(now);
        if (now - m_dialStartNs > DialDeadlineNs) {
            while (!m_dialQueue.empty()) {
                m_conns[size_t(m_dialQueue.front())].state = State::Closed;
                m_dialQueue.pop_front();
                countDialFailure(QStringLiteral("dial-deadline"), QStringLiteral("connect: not done within the dial deadline"));
            }
            for (int local : m_connecting) {
                if (m_conns[size_t(local)].state == State::Connecting) {
                    m_conns[size_t(local)].attempts = ConnectAttempts;
                    failConnect(local, ETIMEDOUT, now);
                }
            }
            m_connecting.clear();
        }
        if (m_dialQueue.empty() && m_connectingCount == 0)
            m_dialDone.store(true, std::memory_order_release);
    }
    if (!m_trafficStarted) {
        if (m_dialDone.load(std::memory_order_relaxed) && m_shared.startNs.load(std::memory_order_acquire) != 0)
            startTraffic(now);
        return true;
    }
    // Every connection is gone: nothing is left to measure.
    if (m_open == 0 && m_connectingCount == 0 && m_dialQueue.empty()) {
        m_stopping = true;
        return false;
    }
    if (m_options.mode == BenchMode::Hold) {
        while (!m_heartbeats.empty() && m_heartbeats.front().first <= now) {
            const int local = m_heartbeats.front().second;
            m_heartbeats.pop_front();
            if (m_conns[size_t(local)].state != State::Open)
                continue;
            sendHeartbeat(local, now);
            m_heartbeats.emplace_back(now + m_options.heartbeatMs * MonotonicClock::NsPerMs, local);
        }
        if (now >= m_windowEndNs) {
            m_stopping = true;
            return false;
        }
        return true;
    }
    if (m_kickCursor < int(m_conns.size()))
        kickConnections(now);
    refillCredit(now);
    serveStarved(now);
    if (!m_stopping && now >= m_windowEndNs)
        m_stopping = true;
    if (m_stopping && (m_inflightTotal <= 0 || now >= m_windowEndNs + DrainNs))
        return false;
    return true;
}

void BenchWorker::publish()
{
    m_progressConnected.store(m_open, std::memory_order_relaxed);
    m_progressResponses.store(m_responses, std::memory_order_relaxed);
    m_progressErrors.store(m_result.errors, std::memory_order_relaxed);
}

void BenchWorker::run()
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        countError(QStringLiteral("epoll_create1: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        m_dialDone.store(true, std::memory_order_release);
        m_finished.store(true, std::memory_order_release);
        return;
    }
    if (m_options.mode == BenchMode::Churn) {
        for (int i = int(m_conns.size()) - 1; i >= 0; --i)
            m_freeSlots.push_back(i);
        m_dialDone.store(true, std::memory_order_release);
    }
    std::vector<epoll_event> events(MaxEvents);
    m_dialStartNs = MonotonicClock::nowNs();
    m_lastSweepNs = m_dialStartNs;
    qint64 now = m_dialStartNs;
    while (phaseStep(now)) {
        publish();
        // Short waits only where something is paced; otherwise the sockets wake us.
        const bool paced = !m_starved.empty() || (m_options.mode == BenchMode::Churn && m_rate > 0);
        const bool kicking = m_trafficStarted && m_options.mode == BenchMode::RequestResponse
            && m_kickCursor < int(m_conns.size());
        const int timeout = kicking ? 0 : paced ? 1 : 10;
        // rr: poll without sleeping for a moment before blocking. Replies
        // are usually microseconds away, and a sleeping client makes the
        // server pay a cross-CPU wake-up for each of them.
        int n = ::epoll_wait(m_epoll, events.data(), MaxEvents, 0);
        if (n == 0 && m_busyPollNs > 0) {
            const qint64 until = MonotonicClock::nowNs() + m_busyPollNs;
            while (n == 0 && MonotonicClock::nowNs() < until)
                n = ::epoll_wait(m_epoll, events.data(), MaxEvents, 0);
        }
        if (n == 0)
            n = ::epoll_wait(m_epoll, events.data(), MaxEvents, timeout);
        now = MonotonicClock::nowNs();
        for (int i = 0; i < n; ++i)
            handleEvent(int(events[size_t(i)].data.u64), events[size_t(i)].events, now);
        if (n > 0)
            now = MonotonicClock::nowNs();
    }
    m_stopping = true;
    m_result.stayedOpen = m_open;
    for (Conn &c : m_conns) {
        if (c.fd >= 0) {
            ::close(c.fd);
            c.fd = -1;
        }
    }
    publish();
    m_dialDone.store(true, std::memory_order_release);
    m_finished.store(true, std::memory_order_release);
}

} // namespace Vigil
