// The one clock watchdogs use: CLOCK_MONOTONIC in nanoseconds. A change of
// the system date must not close or extend anything (PROTOCOL.md §3).
#pragma once

#include <QtGlobal>
#include <ctime>

namespace Vigil {

namespace MonotonicClock {
inline qint64 nowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
inline qint64 nowMs() { return nowNs() / 1000000; }
constexpr qint64 NsPerMs = 1000000;
} // namespace MonotonicClock

} // namespace Vigil
