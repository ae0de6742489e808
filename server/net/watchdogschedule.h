// When a network thread must next wake for a watchdog, and which of its
// connections are due. A TimerQueue of (deadline, id) entries filed lazily:
// an entry is pushed only when a connection's next deadline moves earlier
// than its live entry, so a message (which moves the idle deadline later)
// costs nothing here until the old entry comes up.
//
// A template over the connection type so the policy is tested without
// sockets; Owner provides id(), nextDeadline(), handleDeadline(nowNs),
// isRetired() and a public `qint64 armedAtNs` (the deadline of its live
// entry, Watchdogs::Never when none).
#pragma once

#include "monotonicclock.h"
#include "timerqueue.h"
#include "watchdogs.h"

#include <unordered_map>

namespace Vigil {

template <typename Owner>
class WatchdogSchedule final
{
public:
    using Owners = std::unordered_map<quint64, Owner *>;

    // owners: the thread's open connections by id, consulted to tell a live
    // entry from one of a closed or superseded connection.
    explicit WatchdogSchedule(const Owners &owners)
        : m_owners(owners)
    {
    }

    // After anything that may move the owner's next deadline earlier.
    void reschedule(Owner *owner)
    {
        const qint64 next = owner->nextDeadline();
        if (next < owner->armedAtNs) {
            owner->armedAtNs = next;
            m_queue.push(next, owner->id());
        }
    }

    // Hands every connection whose live entry is due to handleDeadline(),
    // then files its next deadline.
    void runDue(qint64 nowNs)
    {
        TimerQueue::Entry entry;
        while (m_queue.popDue(nowNs, &entry)) {
            Owner *owner = armedOwner(entry);
            if (!owner)
                continue;
            owner->armedAtNs = Watchdogs::Never;
            owner->handleDeadline(nowNs);
            if (!owner->isRetired())
                reschedule(owner);
        }
    }

    // Before sleeping. Entries are lazy, so the top is often stale, and
    // sleeping until a stale top wakes the thread for nothing. A stale top
    // whose real deadline is more than SettleMinShiftNs later is re-filed
    // there (closed or superseded entries are dropped), so a thread holding
    // many live connections sleeps until something is really due. Each stale
    // entry is handled once either way; only the wake-up goes. A near one is
    // left to come up: its real deadline needs a wake-up moments later
    // anyway, often the same one, and re-filing those made idle closes
    // measurably later (see docs/design.md). The cap bounds the work between
    // two polls.
    void settle()
    {
        constexpr int MaxSettledPerSleep = 4096;
        constexpr qint64 SettleMinShiftNs = 10 * MonotonicClock::NsPerMs;
        for (int i = 0; i < MaxSettledPerSleep; ++i) {
            const TimerQueue::Entry *top = m_queue.top();
            if (!top)
                return;
            Owner *owner = armedOwner(*top);
            if (!owner) {
                m_queue.pop();
                continue;
            }
            if (owner->nextDeadline() - top->deadlineNs <= SettleMinShiftNs)
                return; // true, or nearly: sleep until it
            m_queue.pop();
            owner->armedAtNs = Watchdogs::Never;
            reschedule(owner);
        }
    }

    // Milliseconds until the earliest entry (never early), at most capMs
    // (-1: no cap); -1 when nothing is scheduled and there is no cap.
    int waitMs(qint64 nowNs, int capMs) const { return m_queue.waitMs(nowNs, capMs); }
    size_t size() const { return m_queue.size(); }

private:
    // The connection whose live entry this is; nullptr for an entry of a
    // closed connection, or one superseded by an earlier entry.
    Owner *armedOwner(const TimerQueue::Entry &entry) const
    {
        const auto it = m_owners.find(entry.id);
        if (it == m_owners.end() || it->second->armedAtNs != entry.deadlineNs)
            return nullptr;
        return it->second;
    }

    const Owners &m_owners;
    TimerQueue m_queue;
};

} // namespace Vigil
