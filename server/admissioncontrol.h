// --max-connections and --max-per-ip, checked at accept (PROTOCOL.md §7).
// The acceptor admits; whichever network thread closes the socket releases.
#pragma once

#include "peeraddress.h"

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
    int open() const { return m_open.load(std::memory_order_relaxed); }

private:
    struct HostHash
    {
        size_t operator()(const std::array<quint8, 16> &a) const;
    };

    std::atomic<int> m_open{0};
    std::atomic<int> m_maxConnections{0};
    std::atomic<int> m_maxPerIp{0};
    std::mutex m_mutex; // guards m_perHost, taken only when --max-per-ip is set
    std::unordered_map<std::array<quint8, 16>, int, HostHash> m_perHost;
};

} // namespace Vigil
