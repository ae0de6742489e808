// Admin slots: the share per source first, then the total.
#include "adminslots.h"

#include <QHash>

namespace Vigil {

AdminSlots::AdminSlots(int maxClients, int maxPerSource)
    : m_maxClients(maxClients)
    , m_maxPerSource(maxPerSource)
{
}

AdminSlots::Decision AdminSlots::decide(const QVector<Holder> &holders, const QHostAddress &source) const
{
    QHash<QHostAddress, int> perSource;
    for (const Holder &h : holders)
        ++perSource[h.source];
    const bool sourceFull = perSource.value(source) >= m_maxPerSource;
    if (!sourceFull && holders.size() < m_maxClients)
        return Decision{true, -1};
    // A full share: the newcomer's own source gives way. A full endpoint:
    // the source holding most slots does, so the largest pays first.
    int victim = -1;
    for (int i = 0; i < holders.size(); ++i) {
        const Holder &h = holders[i];
        if (!h.waiting || (sourceFull && h.source != source))
            continue;
        if (victim < 0) {
            victim = i;
            continue;
        }
        const Holder &v = holders[victim];
        const int hCount = perSource.value(h.source);
        const int vCount = perSource.value(v.source);
        if (hCount > vCount || (hCount == vCount && h.waitingSinceMs < v.waitingSinceMs))
            victim = i;
    }
    if (victim < 0)
        return Decision{false, -1};
    return Decision{true, victim};
}

} // namespace Vigil
