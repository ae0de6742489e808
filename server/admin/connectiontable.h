// The admin endpoint's view of the open connections, kept current from
// the core's batches (one per network thread and publish tick). Bounded by
// the open connections themselves.
#pragma once

#include "snapshots.h"

#include <QHash>
#include <QVector>
#include <optional>

namespace Vigil {

class ConnectionTable final
{
public:
    // A full batch replaces every record of its thread; then updated
    // records are stored and closed ones dropped.
    void apply(const ServerBatch &batch);
    void clear() { m_rows.clear(); }

    bool contains(quint64 id) const { return m_rows.contains(id); }
    std::optional<ConnectionSnapshot> find(quint64 id) const;
    // Ordered by id (accept order).
    QVector<ConnectionSnapshot> all() const;
    int size() const { return int(m_rows.size()); }

private:
    struct Row
    {
        ConnectionSnapshot snapshot;
        int thread = 0;
    };
    QHash<quint64, Row> m_rows;
};

} // namespace Vigil
