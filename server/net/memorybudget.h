// --max-memory (PROTOCOL.md §12): the bytes all connections together may
// hold in unfinished inbound messages and unsent output. Connections
// charge what they allocate before allocating it and give it back when
// they free it; one whose next buffer would pass the limit is closed with
// BYE server-full, and the others are untouched. Shared by the network
// threads: one relaxed atomic, touched only when a buffer grows or shrinks
// (not per message).
#pragma once

#include <QtGlobal>
#include <atomic>
#include <unistd.h>

namespace Vigil {

class MemoryBudget final
{
public:
    // 0: no limit.
    void setLimit(qint64 bytes) { m_limit.store(bytes, std::memory_order_relaxed); }
    qint64 limit() const { return m_limit.load(std::memory_order_relaxed); }
    qint64 used() const { return m_used.load(std::memory_order_relaxed); }

    // Charges bytes if they fit under the limit; false (nothing charged) if not.
    bool tryCharge(qint64 bytes)
    {
        const qint64 cap = limit();
        const qint64 after = m_used.fetch_add(bytes, std::memory_order_relaxed) + bytes;
        if (cap > 0 && bytes > 0 && after > cap) {
            m_used.fetch_sub(bytes, std::memory_order_relaxed);
            return false;
        }
        return true;
    }
    // Settles a difference between what was charged and what is held
    // (negative: memory given back). Never refused.
    void adjust(qint64 delta)
    {
        if (delta)
            m_used.fetch_add(delta, std::memory_order_relaxed);
    }

private:
    std::atomic<qint64> m_used{0};
    std::atomic<qint64> m_limit{0};
};

} // namespace Vigil
