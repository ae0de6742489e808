// One time-ordered event stream out of several network threads' batches.
//
// Each thread publishes a batch every tick, and every event in it happened
// at or before the batch's `atMs`. So once every thread has published up to
// time T, no event before T can still arrive: events up to the smallest
// such T (the watermark) are released, sorted by time, each with the next
// sequence number. A thread that has not reported holds the stream back for
// at most MaxHoldMs (a stuck thread must not freeze every view), and at most
// MaxHeldEvents wait; past either bound the oldest go out anyway.
#pragma once

#include "snapshots.h"

#include <utility>
#include <vector>

namespace Vigil {

class EventMerger final
{
public:
    static constexpr qint64 MaxHoldMs = 1000;
    static constexpr int MaxHeldEvents = 50000;

    // threads: how many publish (Server's network threads); resets the
    // watermarks (a new run, or a new publish interval) but keeps the sequence.
    void reset(int threads);
    // Takes the batch's events (the batch keeps its snapshots) and notes
    // that its thread has reported everything up to batch.atMs.
    void add(ServerBatch &batch);
    // Events that can no longer be overtaken, oldest first, numbered.
    // nowMs: monotonic, for the MaxHoldMs bound.
    QVector<ServerEvent> release(qint64 nowMs);
    // Everything held (the threads have stopped).
    QVector<ServerEvent> releaseAll();
    // Events the threads could not send (their budget) since the last release.
    quint64 takeDropped() { return std::exchange(m_dropped, 0); }
    size_t held() const { return m_held.size(); }
    quint64 lastSequence() const { return m_nextSeq - 1; }

private:
    QVector<ServerEvent> releaseUpTo(qint64 watermarkMs, size_t atLeast);

    std::vector<qint64> m_reportedUpTo; // per thread; -1: not yet
    std::vector<ServerEvent> m_held;
    quint64 m_nextSeq = 1;
    quint64 m_dropped = 0;
};

} // namespace Vigil
