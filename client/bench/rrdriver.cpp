#include "rrdriver.h"

#include "monotonicclock.h"

#include <algorithm>

namespace Vigil {

namespace {
// After the window: how long in-flight replies may take before we stop.
constexpr qint64 DrainNs = 2LL * 1000 * 1000 * 1000;
constexpr int StartBurst = 128;

DialerSettings rrSettings(const BenchOptions &options, int firstIndex, int count)
{
    DialerSettings s;
    s.slotCount = count;
    s.firstIndex = firstIndex;
    s.ring = options.inflight;
    return s;
}
} // namespace

RrDriver::RrDriver(const BenchOptions &options, const BenchShared &shared, int firstIndex, int count, double rate,
                   BenchWorkerResult &result)
    : BenchDriver(options, shared, rrSettings(options, firstIndex, count), result)
    , m_rate(rate)
    , m_ring(options.inflight)
    , m_busyPollNs(options.busyPollUs * 1000)
{
    m_request = frame(options.framing, FrameType::Data, size_t(options.payload));
    m_requests.reserve(m_request.size() * size_t(m_ring));
    for (int i = 0; i < m_ring; ++i)
        m_requests += m_request;
    if (m_rate > 0)
        m_credits.resize(size_t(count));
    m_dialer.queueAll();
}

void RrDriver::start(qint64 now)
{
    m_trafficStarted = true;
    m_lastCreditNs = now;
    m_windowStartNs = now + m_options.warmupMs * MonotonicClock::NsPerMs;
    m_windowEndNs = m_windowStartNs + m_options.durationMs * MonotonicClock::NsPerMs;
    m_kickCursor = 0;
}

void RrDriver::connected(int local, qint64 now)
{
    if (m_trafficStarted && !m_dialer.stopping())
        sendRequests(local, m_ring, now);
}

void RrDriver::replies(int local, int got, qint64 now)
{
    m_dialer.settle(local, got, now, m_trafficStarted && now >= m_windowStartNs && now < m_windowEndNs);
    if (!m_dialer.stopping())
        sendRequests(local, got, now);
}

// Puts count requests in flight on one connection (count <= ring). With
// --rate, only what the credit allows; the rest waits in m_starved.
void RrDriver::sendRequests(int local, int count, qint64 now)
{
    if (m_rate > 0) {
        Credit &c = m_credits[size_t(local)];
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
    m_dialer.send(local, count, m_requests.data(), m_request.size() * size_t(count), now);
}

// The first requests go out StartBurst connections per loop turn, with
// replies handled in between. Thousands of sends in one go overflow the
// loopback backlog (netdev_max_backlog) once softirqs are deferred, and each
// dropped segment costs a 200 ms retransmission timeout.
void RrDriver::kickConnections(qint64 now)
{
    const int end = std::min(m_dialer.slotCount(), m_kickCursor + StartBurst);
    for (; m_kickCursor < end; ++m_kickCursor) {
        if (m_dialer.isOpen(m_kickCursor))
            sendRequests(m_kickCursor, m_ring, now);
    }
}

void RrDriver::refillCredit(qint64 now)
{
    if (m_rate <= 0)
        return;
    const double burst = std::max(1.0, m_rate / 100.0); // at most 10 ms worth saved up
    m_credit = std::min(burst, m_credit + m_rate * double(now - m_lastCreditNs) / 1e9);
    m_lastCreditNs = now;
}

void RrDriver::serveStarved(qint64 now)
{
    while (!m_starved.empty() && m_credit >= 1) {
        const int local = m_starved.front();
        m_starved.pop_front();
        Credit &c = m_credits[size_t(local)];
        c.starved = false;
        const int owed = c.owed;
        c.owed = 0;
        if (m_dialer.isOpen(local) && !m_dialer.stopping())
            sendRequests(local, owed, now);
    }
}

bool RrDriver::step(qint64 now)
{
    if (m_kickCursor < m_dialer.slotCount())
        kickConnections(now);
    refillCredit(now);
    serveStarved(now);
    if (!m_dialer.stopping() && now >= m_windowEndNs)
        m_dialer.setStopping();
    if (m_dialer.stopping() && (m_dialer.inflightTotal() <= 0 || now >= m_windowEndNs + DrainNs))
        return false;
    return true;
}

// Short waits only where something is paced; otherwise the sockets wake us.
int RrDriver::waitTimeoutMs() const
{
    if (m_trafficStarted && m_kickCursor < m_dialer.slotCount())
        return 0;
    return m_starved.empty() ? 10 : 1;
}

} // namespace Vigil
