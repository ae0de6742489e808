#include "churndriver.h"

#include "monotonicclock.h"

#include <algorithm>
#include <limits>

namespace Vigil {

namespace {
// After the window: how long open connections may take before we stop.
constexpr qint64 DrainNs = 2LL * 1000 * 1000 * 1000;

DialerSettings churnSettings(const BenchOptions &options, int firstIndex, int count)
{
    DialerSettings s;
    s.slotCount = ChurnDriver::slotsFor(options, count);
    s.firstIndex = firstIndex;
    s.ring = 1;
    s.connectAttempts = 1; // a failed connect is a result, not something to retry
    return s;
}
} // namespace

int ChurnDriver::slotsFor(const BenchOptions &options, int count)
{
    return std::min(count, std::max(1, options.dialConcurrency / std::max(1, options.threads)));
}

ChurnDriver::ChurnDriver(const BenchOptions &options, const BenchShared &shared, int firstIndex, int count, double rate,
                         BenchWorkerResult &result)
    : BenchDriver(options, shared, churnSettings(options, firstIndex, count), result)
    , m_rate(rate)
    , m_firstIndex(firstIndex)
    , m_total(count)
{
    m_request = frame(options.framing, FrameType::Data, size_t(options.payload));
}

void ChurnDriver::start(qint64 now)
{
    m_freeSlots.clear();
    for (int i = m_dialer.slotCount() - 1; i >= 0; --i)
        m_freeSlots.push_back(i);
    m_windowStartNs = now;
    m_windowEndNs = now + m_options.durationMs * MonotonicClock::NsPerMs;
}

void ChurnDriver::connected(int local, qint64 now)
{
    m_dialer.send(local, 1, m_request.data(), m_request.size(), now);
}

void ChurnDriver::replies(int local, int got, qint64 now)
{
    m_dialer.settle(local, got, now, true);
    m_dialer.close(local);
}

void ChurnDriver::released(int local)
{
    m_freeSlots.push_back(local);
}

bool ChurnDriver::step(qint64 now)
{
    if (now >= m_windowEndNs || m_started >= m_total)
        m_dialer.setStopping();
    if (!m_dialer.stopping()) {
        // Connects are paced: by --rate, and by the free slots (dial concurrency).
        const double elapsed = double(now - m_windowStartNs) / 1e9;
        const qint64 allowed = m_rate > 0 ? qint64(m_rate * elapsed) + 1 : std::numeric_limits<qint64>::max();
        while (!m_freeSlots.empty() && m_started < m_total && m_started < allowed) {
            const int local = m_freeSlots.back();
            m_freeSlots.pop_back();
            const int index = m_firstIndex + m_started++;
            m_dialer.redial(local, index);
        }
    }
    return !(m_dialer.stopping()
             && (m_dialer.openCount() + m_dialer.connectingCount() == 0 || now >= m_windowEndNs + DrainNs));
}

} // namespace Vigil
