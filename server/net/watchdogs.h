// The per-connection timers of PROTOCOL.md §3 (and §10's frame deadline)
// as timestamp arithmetic. Nothing is re-armed per message: a message only stores its
// arrival time, and the network thread asks next() when a timer fires.
#pragma once

#include "serverconfig.h"

#include <algorithm>
#include <limits>

namespace Vigil {

struct Watchdogs
{
    static constexpr qint64 Never = std::numeric_limits<qint64>::max();
    // AnnouncedClose: the close a GOAWAY announced is due.
    enum class Due : quint8 { None, Idle, Lifetime, Write, Probe, Frame, AnnouncedClose };

    ConnectionTimers timers;
    qint64 acceptedAtNs = 0;
    qint64 lastActivityNs = 0;     // last complete inbound message (or accept)
    qint64 lastProbeSentNs = 0;    // 0: no probe sent since the last activity
    qint64 writeBlockedSinceNs = 0; // 0: the outbound queue is empty
    // --frame-timeout (PROTOCOL.md §10): when the first byte of the
    // unfinished inbound message was read (0: none), and since when vigild
    // has stopped reading the connection (0: it reads), which pauses it.
    qint64 frameStartedNs = 0;
    qint64 framePausedSinceNs = 0;
    // PROTOCOL.md §10: when the close a GOAWAY announced is due (0: no
    // GOAWAY sent). It replaces the lifetime: a client is never closed
    // earlier than it was told.
    qint64 announcedCloseNs = 0;

    void start(qint64 nowNs, const ConnectionTimers &t)
    {
        timers = t;
        acceptedAtNs = lastActivityNs = nowNs;
    }
    void activity(qint64 nowNs) { lastActivityNs = nowNs; }

    qint64 idleDeadline() const { return at(lastActivityNs, timers.idleTimeoutMs); }
    qint64 lifetimeDeadline() const
    {
        return announcedCloseNs ? announcedCloseNs : at(acceptedAtNs, timers.maxLifetimeMs);
    }
    qint64 writeDeadline() const
    {
        return writeBlockedSinceNs ? at(writeBlockedSinceNs, timers.writeTimeoutMs) : Never;
    }
    // A probe goes out after probe-interval without inbound messages, and
    // again every interval while the peer stays silent.
    qint64 probeDeadline() const
    {
        return at(std::max(lastActivityNs, lastProbeSentNs), timers.probeIntervalMs);
    }
    // A started message must be complete within the frame timeout of
    // reading time: the time vigild was not reading is added on resume.
    qint64 frameDeadline() const
    {
        return frameStartedNs && !framePausedSinceNs ? at(frameStartedNs, timers.frameTimeoutMs) : Never;
    }
    void pauseFrame(qint64 nowNs)
    {
        if (!framePausedSinceNs)
            framePausedSinceNs = nowNs;
    }
    void resumeFrame(qint64 nowNs)
    {
        if (!framePausedSinceNs)
            return;
        if (frameStartedNs)
            frameStartedNs += nowNs - framePausedSinceNs;
        framePausedSinceNs = 0;
    }
    qint64 next() const
    {
        return std::min({idleDeadline(), lifetimeDeadline(), writeDeadline(), probeDeadline(), frameDeadline()});
    }

    // The earliest timer whose deadline has passed at nowNs (never before
    // it: a watchdog must not fire early), with that deadline.
    Due due(qint64 nowNs, qint64 *deadline = nullptr) const
    {
        Due which = Due::None;
        qint64 best = Never;
        auto consider = [&](qint64 d, Due kind) {
            if (d <= nowNs && d < best) {
                best = d;
                which = kind;
            }
        };
        consider(lifetimeDeadline(), announcedCloseNs ? Due::AnnouncedClose : Due::Lifetime);
        consider(idleDeadline(), Due::Idle);
        consider(writeDeadline(), Due::Write);
        consider(probeDeadline(), Due::Probe);
        consider(frameDeadline(), Due::Frame);
        if (deadline)
            *deadline = best;
        return which;
    }

private:
    static qint64 at(qint64 fromNs, qint64 ms) { return ms > 0 ? fromNs + ms * 1000000 : Never; }
};

} // namespace Vigil
