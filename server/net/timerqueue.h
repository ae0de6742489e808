// One network thread's watchdog schedule: a min-heap of (deadline,
// connection id). Entries are pushed only when a connection's next
// deadline moves earlier or a timer fired; a later deadline (the usual
// effect of a message) costs nothing until the old entry comes up.
#pragma once

#include <QtGlobal>
#include <queue>
#include <vector>

namespace Vigil {

class TimerQueue final
{
public:
    struct Entry
    {
        qint64 deadlineNs;
        quint64 id;
        bool operator>(const Entry &other) const { return deadlineNs > other.deadlineNs; }
    };

    void push(qint64 deadlineNs, quint64 id) { m_heap.push({deadlineNs, id}); }
    bool isEmpty() const { return m_heap.empty(); }
    size_t size() const { return m_heap.size(); }
    qint64 nextDeadline() const { return m_heap.empty() ? -1 : m_heap.top().deadlineNs; }
    // The earliest entry, whether due or not (nullptr when empty), and
    // dropping it: for re-filing a stale entry before it comes due.
    const Entry *top() const { return m_heap.empty() ? nullptr : &m_heap.top(); }
    void pop() { m_heap.pop(); }
    // Pops the earliest entry if it is due at nowNs.
    bool popDue(qint64 nowNs, Entry *entry)
    {
        if (m_heap.empty() || m_heap.top().deadlineNs > nowNs)
            return false;
        *entry = m_heap.top();
        m_heap.pop();
        return true;
    }
    // Milliseconds to sleep until the earliest deadline, rounded up so
    // the loop never wakes before it; -1 when nothing is scheduled.
    int waitMs(qint64 nowNs, int capMs = -1) const
    {
        if (m_heap.empty())
            return capMs;
        const qint64 delta = m_heap.top().deadlineNs - nowNs;
        if (delta <= 0)
            return 0;
        const qint64 ms = (delta + 999999) / 1000000;
        if (capMs >= 0 && ms > capMs)
            return capMs;
        return int(std::min<qint64>(ms, 24 * 3600 * 1000));
    }

private:
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> m_heap;
};

} // namespace Vigil
