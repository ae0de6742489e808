// One bench thread: runs the driver of the chosen mode (rr, hold, churn)
// over its Dialer's epoll loop, steps it through dial -> start -> done in
// step with the coordinator, and publishes progress for it to read.
#pragma once

#include "benchdriver.h"

#include <atomic>
#include <memory>

namespace Vigil {

class BenchWorker final
{
public:
    // Connections firstIndex .. firstIndex+count-1 of the run belong to
    // this worker (the index picks the source address).
    BenchWorker(const BenchOptions &options, BenchShared &shared, int firstIndex, int count, double rate);
    BenchWorker(const BenchWorker &) = delete;
    BenchWorker &operator=(const BenchWorker &) = delete;

    void run();

    // Live progress, safe to read from any thread.
    int connectedNow() const { return m_progressConnected.load(std::memory_order_relaxed); }
    quint64 responsesNow() const { return m_progressResponses.load(std::memory_order_relaxed); }
    quint64 errorsNow() const { return m_progressErrors.load(std::memory_order_relaxed); }
    bool dialDone() const { return m_dialDone.load(std::memory_order_acquire); }
    bool finished() const { return m_finished.load(std::memory_order_acquire); }

    BenchWorkerResult &result() { return m_result; }

private:
    bool phaseStep(qint64 now);
    void publish();

    const BenchOptions m_options;
    BenchShared &m_shared;
    BenchWorkerResult m_result;
    const std::unique_ptr<BenchDriver> m_driver; // uses m_options and m_result
    Dialer &m_dialer;
    bool m_trafficStarted = false;

    std::atomic<int> m_progressConnected{0};
    std::atomic<quint64> m_progressResponses{0};
    std::atomic<quint64> m_progressErrors{0};
    std::atomic<bool> m_dialDone{false};
    std::atomic<bool> m_finished{false};
};

} // namespace Vigil
