// `vigil-client bench`: starts the BenchWorker threads, steps them through
// dial -> warmup -> window -> drain, shows live progress on a terminal and
// reports a table or one JSON object (PROTOCOL.md §6, §7).
#pragma once

#include "clientcommandline.h"
#include "latencyhistogram.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <cstdio>

namespace Vigil {

// The outcome of one run, merged over the workers.
struct BenchReport
{
    BenchMode mode = BenchMode::RequestResponse;
    Framing framing = Framing::Vigil;
    QString target;
    int connectionsRequested = 0;
    int connections = 0; // established (churn: all that came up during the run)
    int inflight = 1;
    qint64 payload = 0;
    int sources = 1;
    int threads = 1;
    double durationS = 0;
    double warmupS = 0;
    double dialS = 0;
    quint64 messages = 0;
    quint64 sent = 0;
    double msgsPerSec = 0;
    LatencyHistogram rtt;
    LatencyHistogram connect;
    quint64 errors = 0;
    int dialErrors = 0;
    QMap<QString, int> dialErrorReasons; // refused, timed-out, ... -> connections; sums to dialErrors
    int closedByServer = 0;
    int goAways = 0; // GOAWAY frames received (PROTOCOL.md §10)
    int reconnects = 0; // --reconnect: dialled again after a GOAWAY'd close
    QMap<QString, int> byeReasons; // vigil framing: BYE reason name -> connections
    int stayedOpen = 0;
    double heartbeatS = 0;
    double clientCpuPct = 0;
    QString firstError;

    // One compact JSON object with connections, messages, msgs_per_sec,
    // rtt_p50_us, rtt_p99_us, rtt_max_us, errors and the rest.
    QByteArray toJson() const;
    QString toTable() const;
};

class Bench final
{
public:
    explicit Bench(const BenchOptions &options);

    // Runs to completion (bounded: dial deadline + warmup + duration +
    // drain); prints the report on out and progress/errors on err.
    ClientExit run(FILE *out, FILE *err);
    const BenchReport &report() const { return m_report; }

private:
    BenchOptions m_options;
    BenchReport m_report;
};

} // namespace Vigil
