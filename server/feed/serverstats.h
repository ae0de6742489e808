// Server-wide counters. Each network thread owns a ThreadCounters it alone
// writes (no locked instructions on the hot path); readers sum them.
#pragma once

#include "closereason.h"

#include <QMetaType>
#include <array>
#include <atomic>

namespace Vigil {

// Watchdog lateness buckets (how long after its deadline a timer fired):
// upper bounds in microseconds, the last bucket is "more".
constexpr std::array<qint64, 12> LatenessBucketsUs = {100, 250, 500, 1000, 2000, 5000, 10000,
                                                      25000, 50000, 100000, 250000, 1000000};
constexpr int LatenessBucketCount = int(LatenessBucketsUs.size()) + 1;

// Forward mode (PROTOCOL.md §8): why an upstream connection ended the
// client's session, for /metrics and the stats.
enum class UpstreamFailure : quint8 {
    Refused,       // the connect was refused (no listener, no socket file)
    Unreachable,   // any other connect error (no route, permission, no descriptor)
    ConnectTimeout, // not connected within 5 s
    Closed,        // the upstream closed its side
    Reset,         // the established connection failed
    Stalled,       // did not drain what vigild wrote within --write-timeout
    BadFrame,      // sent what --upstream-framing cannot cut (or a message over --max-payload)
};
struct UpstreamFailureInfo
{
    UpstreamFailure cause;
    const char *name;
};
inline constexpr std::array<UpstreamFailureInfo, 7> UpstreamFailures = {{
    {UpstreamFailure::Refused, "refused"},
    {UpstreamFailure::Unreachable, "unreachable"},
    {UpstreamFailure::ConnectTimeout, "connect-timeout"},
    {UpstreamFailure::Closed, "closed"},
    {UpstreamFailure::Reset, "reset"},
    {UpstreamFailure::Stalled, "stalled"},
    {UpstreamFailure::BadFrame, "bad-frame"},
}};
constexpr int UpstreamFailureCount = int(UpstreamFailures.size());
inline const char *upstreamFailureName(UpstreamFailure cause) { return UpstreamFailures[size_t(cause)].name; }

struct ServerStats
{
    quint64 accepted = 0;
    quint64 rejected = 0;
    quint64 open = 0;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    std::array<quint64, CloseReasonCount> closes{};
    std::array<quint64, TimeoutKindCount> timeouts{}; // by TimeoutKind
    std::array<quint64, CloseReasonCount> goAways{};  // GOAWAYs sent, by announced reason (PROTOCOL.md §10)
    quint64 pingStrikes = 0;                          // --min-ping-interval strikes
    std::array<quint64, UpstreamFailureCount> upstreamFailures{}; // forward mode, by UpstreamFailure
    std::array<quint64, LatenessBucketCount> lateness{};
    quint64 latenessSumUs = 0;
    quint64 pollFailures = 0;    // connections dropped because epoll_ctl failed
    quint64 logLinesDropped = 0; // stdout did not keep up (LogSink)
    quint64 reloads = 0;         // PROTOCOL.md §11 reloads applied
    quint64 reloadFailures = 0;  // and refused
    qint64 bufferedBytes = 0;    // held for all connections (PROTOCOL.md §12)
    qint64 memoryLimit = 0;      // --max-memory in force; 0: none
    bool draining = false;       // PROTOCOL.md §10: a drain is under way
    qint64 drainDeadlineMs = 0;  // monotonic: when its last announced close is due
    qint64 sampledAtMs = 0; // monotonic

    quint64 closesFor(CloseReason reason) const { return closes[size_t(closeReasonIndex(reason))]; }
    quint64 timeoutsFor(TimeoutKind kind) const { return timeouts[size_t(kind)]; }
    quint64 goAwaysFor(CloseReason reason) const { return goAways[size_t(closeReasonIndex(reason))]; }
    quint64 upstreamFailuresFor(UpstreamFailure cause) const { return upstreamFailures[size_t(cause)]; }
    ServerStats &operator+=(const ServerStats &other);
};

// A counter with one writer thread and any number of readers.
class SingleWriterCounter
{
public:
    void add(quint64 n = 1) { m_value.store(m_value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    quint64 value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<quint64> m_value{0};
};

struct alignas(64) ThreadCounters
{
    SingleWriterCounter accepted, rejected, closed, messagesIn, messagesOut, bytesIn, bytesOut;
    std::array<SingleWriterCounter, CloseReasonCount> closes;
    std::array<SingleWriterCounter, TimeoutKindCount> timeouts;
    std::array<SingleWriterCounter, CloseReasonCount> goAways;
    SingleWriterCounter pingStrikes;
    std::array<SingleWriterCounter, UpstreamFailureCount> upstreamFailures;
    std::array<SingleWriterCounter, LatenessBucketCount> lateness;
    SingleWriterCounter latenessSumUs;
    SingleWriterCounter pollFailures;

    void recordLateness(qint64 lateNs);
    void addTo(ServerStats &stats) const;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ServerStats)
