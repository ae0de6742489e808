// hold: open every connection, send one message on each, then a heartbeat
// (PING in vigil framing, else one request) every --heartbeat, and count
// how many connections the server keeps open for the whole --duration.
#pragma once

#include "benchdriver.h"

#include <deque>
#include <utility>

namespace Vigil {

class HoldDriver final : public BenchDriver
{
public:
    HoldDriver(const BenchOptions &options, const BenchShared &shared, int firstIndex, int count,
               BenchWorkerResult &result);

    bool dialsFirst() const override { return true; }
    void start(qint64 now) override;
    bool step(qint64 now) override;
    int waitTimeoutMs() const override { return 10; }

private:
    void connected(int local, qint64 now) override;
    void replies(int local, int got, qint64 now) override;
    void sendHeartbeat(int local, qint64 now);

    const qint64 m_heartbeatNs;
    std::string m_request;   // the first message
    std::string m_heartbeat; // PING (vigil) or one request
    std::deque<std::pair<qint64, int>> m_heartbeats; // due time, conn (due times only grow)
    qint64 m_windowEndNs = 0;
};

} // namespace Vigil
