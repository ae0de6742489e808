// BenchWorker: the thread's loop. The driver decides what to send and when
// the run is over; the dialer owns the sockets; this shell only waits on
// the epoll set, moves the phases along and publishes progress.
#include "benchworker.h"

#include "monotonicclock.h"

namespace Vigil {

BenchWorker::BenchWorker(const BenchOptions &options, BenchShared &shared, int firstIndex, int count, double rate)
    : m_options(options)
    , m_shared(shared)
    , m_driver(BenchDriver::create(m_options, shared, firstIndex, count, rate, m_result))
    , m_dialer(m_driver->dialer())
{
}

// Moves the run along; false once this worker is done.
bool BenchWorker::phaseStep(qint64 now)
{
    if (m_shared.abort.load(std::memory_order_relaxed))
        return false;
    m_dialer.sweepConnectTimeouts(now);
    if (!m_driver->dialsFirst()) {
        if (!m_trafficStarted) {
            m_trafficStarted = true;
            m_driver->start(now);
        }
        return m_driver->step(now);
    }
    if (!m_dialDone.load(std::memory_order_relaxed) && m_dialer.dialAll(now))
        m_dialDone.store(true, std::memory_order_release);
    if (!m_trafficStarted) {
        if (m_dialDone.load(std::memory_order_relaxed) && m_shared.startNs.load(std::memory_order_acquire) != 0) {
            m_trafficStarted = true;
            m_driver->start(now);
        }
        return true;
    }
    // Every connection is gone: nothing is left to measure.
    if (m_dialer.openCount() == 0 && m_dialer.connectingCount() == 0 && m_dialer.dialQueueEmpty()) {
        m_dialer.setStopping();
        return false;
    }
    return m_driver->step(now);
}

void BenchWorker::publish()
{
    m_progressConnected.store(m_dialer.openCount(), std::memory_order_relaxed);
    m_progressResponses.store(m_dialer.responses(), std::memory_order_relaxed);
    m_progressErrors.store(m_result.errors, std::memory_order_relaxed);
}

void BenchWorker::run()
{
    if (!m_dialer.open()) {
        m_dialDone.store(true, std::memory_order_release);
        m_finished.store(true, std::memory_order_release);
        return;
    }
    if (!m_driver->dialsFirst())
        m_dialDone.store(true, std::memory_order_release);
    qint64 now = MonotonicClock::nowNs();
    while (phaseStep(now)) {
        publish();
        m_dialer.poll(m_driver->waitTimeoutMs(), m_driver->busyPollNs(), now);
    }
    m_dialer.setStopping();
    m_result.stayedOpen = m_dialer.openCount();
    m_dialer.closeAll();
    publish();
    m_dialDone.store(true, std::memory_order_release);
    m_finished.store(true, std::memory_order_release);
}

} // namespace Vigil
