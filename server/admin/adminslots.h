// Who gives way when the admin endpoint is full (docs/admin.md, "Limits").
// A source address holds at most its share of the slots, so one address
// cannot take them all. When a newcomer finds no room, the connection that
// has waited longest for its next request gives way: a socket trickling
// its headers is always older than a client that completed one, and a
// connection being answered (a long poll, output on its way) is never
// evicted. Pure data, so the policy is tested without sockets.
#pragma once

#include <QHostAddress>
#include <QVector>

namespace Vigil {

class AdminSlots final
{
public:
    struct Holder
    {
        QHostAddress source;
        bool waiting = false;   // owes nothing: idle, or its request is incomplete
        qint64 waitingSinceMs = 0;
    };
    struct Decision
    {
        bool admit = false;
        int evict = -1; // index into the holders, -1: none
    };

    AdminSlots(int maxClients, int maxPerSource);

    Decision decide(const QVector<Holder> &holders, const QHostAddress &source) const;

private:
    int m_maxClients;
    int m_maxPerSource;
};

} // namespace Vigil
