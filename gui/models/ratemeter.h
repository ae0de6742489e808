// A counter's rate over a sliding window: the difference between the
// newest sample and the newest one at least `window` older, over the time
// between them. Counters that move in steps (per publish tick, per poll)
// give a steady figure instead of 0 / 4 / 1000 in turn.
#pragma once

#include <QtGlobal>

#include <deque>

namespace Vigil {

class RateMeter final
{
public:
    static constexpr qint64 DefaultWindowMs = 5000;

    explicit RateMeter(qint64 windowMs = DefaultWindowMs)
        : m_windowMs(windowMs)
    {
    }

    // atMs: monotonic; a sample not after the last one is ignored, a
    // counter that went back (a restarted server) starts over.
    void add(qint64 atMs, quint64 counter);
    // Per second over the window (shorter while it fills); 0 without two samples.
    double perSecond() const;
    void reset() { m_samples.clear(); }
    qint64 windowMs() const { return m_windowMs; }

private:
    struct Sample
    {
        qint64 atMs;
        quint64 counter;
    };
    qint64 m_windowMs;
    std::deque<Sample> m_samples;
};

} // namespace Vigil
