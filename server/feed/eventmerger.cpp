#include "eventmerger.h"

#include <algorithm>
#include <iterator>
#include <limits>

namespace Vigil {

void EventMerger::reset(int threads)
{
    m_reportedUpTo.assign(size_t(std::max(threads, 0)), -1);
}

void EventMerger::add(ServerBatch &batch)
{
    if (batch.thread >= 0 && size_t(batch.thread) < m_reportedUpTo.size())
        m_reportedUpTo[size_t(batch.thread)] = std::max(m_reportedUpTo[size_t(batch.thread)], batch.atMs);
    m_dropped += std::exchange(batch.eventsDropped, 0);
    if (batch.events.isEmpty())
        return;
    m_held.insert(m_held.end(), std::make_move_iterator(batch.events.begin()),
                  std::make_move_iterator(batch.events.end()));
    batch.events.clear();
}

QVector<ServerEvent> EventMerger::release(qint64 nowMs)
{
    qint64 watermark = nowMs - MaxHoldMs;
    if (!m_reportedUpTo.empty()) {
        const qint64 slowest = *std::min_element(m_reportedUpTo.begin(), m_reportedUpTo.end());
        watermark = std::max(watermark, slowest);
    }
    const size_t over = m_held.size() > size_t(MaxHeldEvents) ? m_held.size() - size_t(MaxHeldEvents) : 0;
    return releaseUpTo(watermark, over);
}

QVector<ServerEvent> EventMerger::releaseAll()
{
    return releaseUpTo(std::numeric_limits<qint64>::max(), m_held.size());
}

QVector<ServerEvent> EventMerger::releaseUpTo(qint64 watermarkMs, size_t atLeast)
{
    if (m_held.empty())
        return {};
    // Stable: events of one thread keep their order, and so do equal times
    // across threads (in the order their batches arrived).
    std::stable_sort(m_held.begin(), m_held.end(),
                     [](const ServerEvent &a, const ServerEvent &b) { return a.atMs < b.atMs; });
    auto split = std::upper_bound(m_held.begin(), m_held.end(), watermarkMs,
                                  [](qint64 t, const ServerEvent &e) { return t < e.atMs; });
    if (size_t(split - m_held.begin()) < atLeast)
        split = m_held.begin() + qsizetype(atLeast);
    QVector<ServerEvent> out;
    out.reserve(qsizetype(split - m_held.begin()));
    for (auto it = m_held.begin(); it != split; ++it) {
        it->seq = m_nextSeq++;
        out.push_back(std::move(*it));
    }
    m_held.erase(m_held.begin(), split);
    return out;
}

} // namespace Vigil
