// What a bench mode does with the connections its Dialer keeps: when to
// start, what to send on a connect and a reply, and when the run is over.
// RrDriver, HoldDriver and ChurnDriver each implement one mode; BenchWorker
// runs whichever the options name on its thread.
#pragma once

#include "dialer.h"

#include <memory>
#include <string>

namespace Vigil {

class BenchDriver : public DialerEvents
{
public:
    ~BenchDriver() override = default;
    BenchDriver(const BenchDriver &) = delete;
    BenchDriver &operator=(const BenchDriver &) = delete;

    // The driver for options.mode, driving connections firstIndex ..
    // firstIndex+count-1 of the run at rate (this worker's share of --rate).
    static std::unique_ptr<BenchDriver> create(const BenchOptions &options, const BenchShared &shared, int firstIndex,
                                               int count, double rate, BenchWorkerResult &result);

    Dialer &dialer() { return m_dialer; }

    // rr and hold dial every connection first and start together with the
    // other workers (BenchShared::startNs); churn dials as it goes.
    virtual bool dialsFirst() const = 0;
    // Traffic starts (the window opens after the warmup, if any).
    virtual void start(qint64 now) = 0;
    // Called every loop turn once started; false once this worker is done.
    virtual bool step(qint64 now) = 0;
    // How long the next epoll_wait may sleep, and busy-poll before it.
    virtual int waitTimeoutMs() const = 0;
    virtual qint64 busyPollNs() const { return 0; }

protected:
    BenchDriver(const BenchOptions &options, const BenchShared &shared, const DialerSettings &settings,
                BenchWorkerResult &result);

    // One framed message of size payload bytes.
    static std::string frame(Framing framing, FrameType type, size_t size);

    const BenchOptions &m_options;
    Dialer m_dialer;
};

} // namespace Vigil
