// Event ring: sequence numbers start at 1, so since=0 means "from the start".
#include "eventring.h"

#include <algorithm>

namespace Vigil {

EventRing::EventRing(int capacity)
    : m_capacity(std::max(1, capacity))
{
}

void EventRing::append(const ServerEvent &event)
{
    if (int(m_entries.size()) >= m_capacity)
        m_entries.pop_front();
    m_entries.push_back(Entry{++m_lastSeq, event});
}

EventRing::Slice EventRing::read(quint64 since, int limit) const
{
    Slice slice;
    if (since > m_lastSeq)
        since = 0;
    const quint64 oldest = oldestSeq();
    if (since + 1 < oldest)
        slice.missed = oldest - since - 1;
    // Entries are consecutive, so the first wanted one is found by arithmetic.
    const quint64 from = std::max(since + 1, oldest);
    slice.last = std::max(since, from - 1);
    if (m_entries.empty() || from > m_lastSeq)
        return slice;
    auto it = m_entries.begin() + qsizetype(from - oldest);
    for (; it != m_entries.end() && slice.entries.size() < limit; ++it) {
        slice.entries.append(*it);
        slice.last = it->seq;
    }
    return slice;
}

} // namespace Vigil
