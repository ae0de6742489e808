// churn: connect, send one message, wait for its echo, close; again on the
// freed slot, at most --rate connects a second and --dial-concurrency at
// once, until --connections have been made or --duration is over.
#pragma once

#include "benchdriver.h"

#include <vector>

namespace Vigil {

class ChurnDriver final : public BenchDriver
{
public:
    ChurnDriver(const BenchOptions &options, const BenchShared &shared, int firstIndex, int count, double rate,
                BenchWorkerResult &result);

    // The slots a worker holds at once: its share of --dial-concurrency.
    static int slotsFor(const BenchOptions &options, int count);

    bool dialsFirst() const override { return false; }
    void start(qint64 now) override;
    bool step(qint64 now) override;
    int waitTimeoutMs() const override { return m_rate > 0 ? 1 : 10; }

private:
    void connected(int local, qint64 now) override;
    void replies(int local, int got, qint64 now) override;
    void released(int local) override;

    const double m_rate; // this worker's share of --rate (connects/s)
    const int m_firstIndex;
    const int m_total;   // connections this worker makes in all
    std::string m_request;
    std::vector<int> m_freeSlots; // slots ready for the next connection
    qint64 m_windowStartNs = 0;
    qint64 m_windowEndNs = 0;
    int m_started = 0;
};

} // namespace Vigil
