// rr: every connection keeps --inflight requests in flight, sending the
// next one as each reply comes back (closed loop), or as much as --rate
// allows. Only replies inside the window (after the warmup) are measured.
#pragma once

#include "benchdriver.h"

#include <deque>
#include <vector>

namespace Vigil {

class RrDriver final : public BenchDriver
{
public:
    RrDriver(const BenchOptions &options, const BenchShared &shared, int firstIndex, int count, double rate,
             BenchWorkerResult &result);

    bool dialsFirst() const override { return true; }
    void start(qint64 now) override;
    bool step(qint64 now) override;
    int waitTimeoutMs() const override;
    qint64 busyPollNs() const override { return m_busyPollNs; }

private:
    struct Credit
    {
        int owed = 0;         // requests waiting for credit
        bool starved = false; // in m_starved
    };

    void connected(int local, qint64 now) override;
    void replies(int local, int got, qint64 now) override;
    void sendRequests(int local, int count, qint64 now);
    void kickConnections(qint64 now);
    void refillCredit(qint64 now);
    void serveStarved(qint64 now);

    const double m_rate; // this worker's share of --rate
    const int m_ring;    // --inflight
    const qint64 m_busyPollNs;
    std::string m_request;  // one framed request
    std::string m_requests; // m_ring requests back to back
    std::vector<Credit> m_credits; // per connection, with --rate only
    std::deque<int> m_starved;
    double m_credit = 0;
    qint64 m_lastCreditNs = 0;
    qint64 m_windowStartNs = 0;
    qint64 m_windowEndNs = 0;
    int m_kickCursor = 0; // next connection to get its first requests
    bool m_trafficStarted = false;
};

} // namespace Vigil
