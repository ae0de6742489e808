// What the server admits, shared by the accept thread and the network
// threads: connections (--max-connections and --max-per-ip, checked at
// accept, PROTOCOL.md §7; whichever network thread closes the socket
// releases) and buffered bytes (--max-memory, see MemoryBudget).
#pragma once

#include "memorybudget.h"
#include "peeraddress.h"
#include "trustedproxies.h"

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace Vigil {

class AdmissionControl final
{
public:
    void configure(int maxConnections, int maxPerIp);
    bool tryAdmit(const PeerAddress &peer);
    void release(const PeerAddress &peer);
    // PROTOCOL.md §9: a proxy listener's connection is admitted in two
    // steps. At accept only --max-connections (the socket's address is the
    // proxy's); when its header arrives, --max-per-ip for the address it
    // names. Until then it is released with releaseUnnamed().
    bool tryAdmitUnnamed();
    bool tryAddHost(const PeerAddress &peer);
    void releaseUnnamed();
    // --proxy-from: set at start and on every apply, read at accept.
    void setTrustedProxies(const QList<ProxySource> &sources);
    bool isTrustedProxy(const PeerAddress &peer) const;
    int open() const { return m_open.load(std::memory_order_relaxed); }
    MemoryBudget &memory() { return m_memory; }
    const MemoryBudget &memory() const { return m_memory; }

private:
    struct HostHash
    {
        size_t operator()(const std::array<quint8, 16> &a) const;
    };

    std::atomic<int> m_open{0};
    std::atomic<int> m_maxConnections{0};
    std::atomic<int> m_maxPerIp{0};
    // Guards m_perHost. Taken once per accept and once per close, also while
    // --max-per-ip is 0: the per-host counts are kept all along, so turning
    // the limit on later (apply-to-open) is exact. Never taken per message.
    std::mutex m_mutex;
    std::unordered_map<std::array<quint8, 16>, int, HostHash> m_perHost;
    MemoryBudget m_memory;
    mutable std::mutex m_trustMutex;
    TrustedProxies m_trusted;
};

} // namespace Vigil
