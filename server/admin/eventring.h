// A bounded ring of server events with sequence numbers, for the admin
// endpoint's GET /api/v1/events. A reader passes the last sequence it
// saw; one that fell behind the ring is told how many it missed.
#pragma once

#include "snapshots.h"

#include <QVector>
#include <deque>

namespace Vigil {

class EventRing final
{
public:
    struct Entry
    {
        quint64 seq = 0;
        ServerEvent event;
    };
    struct Slice
    {
        QVector<Entry> entries;
        quint64 missed = 0; // events after `since` no longer kept
        quint64 last = 0;   // pass as `since` next time
    };

    explicit EventRing(int capacity = 4096);

    void append(const ServerEvent &event);
    // Events the core could not publish (its per-tick budget was spent).
    void addServerDropped(quint64 count) { m_serverDropped += count; }

    // Events with seq > since, at most limit of them. A since past the
    // newest (a restarted server) reads from the start.
    Slice read(quint64 since, int limit) const;
    bool hasAfter(quint64 since) const { return since > m_lastSeq ? m_lastSeq > 0 : m_lastSeq > since; }

    quint64 lastSeq() const { return m_lastSeq; }
    quint64 oldestSeq() const { return m_entries.empty() ? m_lastSeq + 1 : m_entries.front().seq; }
    quint64 serverDropped() const { return m_serverDropped; }
    int capacity() const { return m_capacity; }
    int size() const { return int(m_entries.size()); }

private:
    std::deque<Entry> m_entries;
    int m_capacity;
    quint64 m_lastSeq = 0;
    quint64 m_serverDropped = 0;
};

} // namespace Vigil
