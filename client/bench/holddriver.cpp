#include "holddriver.h"

#include "monotonicclock.h"

#include <algorithm>

namespace Vigil {

namespace {
// A few heartbeats stay in flight before one is skipped.
constexpr int HoldRing = 4;

DialerSettings holdSettings(int firstIndex, int count)
{
    DialerSettings s;
    s.slotCount = count;
    s.firstIndex = firstIndex;
    s.ring = HoldRing;
    s.pongIsReply = true;
    s.anyDataSize = true;
    return s;
}
} // namespace

HoldDriver::HoldDriver(const BenchOptions &options, const BenchShared &shared, int firstIndex, int count,
                       BenchWorkerResult &result)
    : BenchDriver(options, shared, holdSettings(firstIndex, count), result)
    , m_heartbeatNs(options.heartbeatMs * MonotonicClock::NsPerMs)
{
    m_request = frame(options.framing, FrameType::Data, size_t(options.payload));
    m_heartbeat = hasTypedFrames(options.framing)
        ? frame(options.framing, FrameType::Ping, size_t(std::min<qint64>(options.payload, Wire::MaxPingPayload)))
        : m_request;
    m_dialer.queueAll();
}

void HoldDriver::start(qint64 now)
{
    m_windowEndNs = now + m_options.durationMs * MonotonicClock::NsPerMs;
}

// One message each, then a heartbeat every H (loadgen's hold).
void HoldDriver::connected(int local, qint64 now)
{
    m_dialer.send(local, 1, m_request.data(), m_request.size(), now);
    m_heartbeats.emplace_back(now + m_heartbeatNs, local);
}

void HoldDriver::replies(int local, int got, qint64 now)
{
    m_dialer.settle(local, got, now, true);
}

void HoldDriver::sendHeartbeat(int local, qint64 now)
{
    if (m_dialer.inflight(local) >= HoldRing)
        return; // the server is behind; do not pile up
    m_dialer.send(local, 1, m_heartbeat.data(), m_heartbeat.size(), now);
}

bool HoldDriver::step(qint64 now)
{
    while (!m_heartbeats.empty() && m_heartbeats.front().first <= now) {
        const int local = m_heartbeats.front().second;
        m_heartbeats.pop_front();
        if (!m_dialer.isOpen(local))
            continue;
        sendHeartbeat(local, now);
        m_heartbeats.emplace_back(now + m_heartbeatNs, local);
    }
    if (now >= m_windowEndNs) {
        m_dialer.setStopping();
        return false;
    }
    return true;
}

} // namespace Vigil
