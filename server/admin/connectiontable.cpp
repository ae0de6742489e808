// Connection table: applies batches in the order the core sends them.
#include "connectiontable.h"

#include <algorithm>

namespace Vigil {

void ConnectionTable::apply(const ServerBatch &batch)
{
    if (batch.full) {
        for (auto it = m_rows.begin(); it != m_rows.end();) {
            if (it->thread == batch.thread)
                it = m_rows.erase(it);
            else
                ++it;
        }
    }
    for (const ConnectionSnapshot &s : batch.updated)
        m_rows.insert(s.id, Row{s, batch.thread});
    // A connection opened and closed within one tick is in both lists.
    for (const ClosedConnection &c : batch.closed)
        m_rows.remove(c.id);
}

std::optional<ConnectionSnapshot> ConnectionTable::find(quint64 id) const
{
    const auto it = m_rows.constFind(id);
    if (it == m_rows.constEnd())
        return std::nullopt;
    return it->snapshot;
}

QVector<ConnectionSnapshot> ConnectionTable::all() const
{
    QVector<ConnectionSnapshot> rows;
    rows.reserve(m_rows.size());
    for (const Row &row : m_rows)
        rows.append(row.snapshot);
    std::sort(rows.begin(), rows.end(),
              [](const ConnectionSnapshot &a, const ConnectionSnapshot &b) { return a.id < b.id; });
    return rows;
}

} // namespace Vigil
