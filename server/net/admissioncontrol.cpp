// Connection limits at accept.
#include "admissioncontrol.h"

#include <cstring>

namespace Vigil {

size_t AdmissionControl::HostHash::operator()(const std::array<quint8, 16> &a) const
{
    quint64 hi, lo;
    std::memcpy(&hi, a.data(), 8);
    std::memcpy(&lo, a.data() + 8, 8);
    return size_t(hi * 0x9E3779B97F4A7C15ull ^ lo);
}

void AdmissionControl::configure(int maxConnections, int maxPerIp)
{
    m_maxConnections.store(maxConnections);
    m_maxPerIp.store(maxPerIp);
}

bool AdmissionControl::tryAdmit(const PeerAddress &peer)
{
    const int max = m_maxConnections.load(std::memory_order_relaxed);
    if (max > 0 && m_open.load(std::memory_order_relaxed) >= max)
        return false;
    // Every admitted connection is counted per host, even while
    // --max-per-ip is 0, so that turning the limit on later is exact.
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        int &count = m_perHost[peer.address];
        const int perIp = m_maxPerIp.load(std::memory_order_relaxed);
        if (perIp > 0 && count >= perIp) {
            if (count == 0)
                m_perHost.erase(peer.address);
            return false;
        }
        ++count;
    }
    m_open.fetch_add(1, std::memory_order_relaxed);
    return true;
}

bool AdmissionControl::tryAdmitUnnamed()
{
    const int max = m_maxConnections.load(std::memory_order_relaxed);
    if (max > 0 && m_open.load(std::memory_order_relaxed) >= max)
        return false;
    m_open.fetch_add(1, std::memory_order_relaxed);
    return true;
}

bool AdmissionControl::tryAddHost(const PeerAddress &peer)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    int &count = m_perHost[peer.address];
    const int perIp = m_maxPerIp.load(std::memory_order_relaxed);
    if (perIp > 0 && count >= perIp) {
        if (count == 0)
            m_perHost.erase(peer.address);
        return false;
    }
    ++count;
    return true;
}

void AdmissionControl::releaseUnnamed()
{
    m_open.fetch_sub(1, std::memory_order_relaxed);
}

void AdmissionControl::setTrustedProxies(const QList<ProxySource> &sources)
{
    TrustedProxies trusted(sources);
    std::lock_guard<std::mutex> lock(m_trustMutex);
    m_trusted = std::move(trusted);
}

bool AdmissionControl::isTrustedProxy(const PeerAddress &peer) const
{
    std::lock_guard<std::mutex> lock(m_trustMutex);
    return m_trusted.contains(peer);
}

void AdmissionControl::release(const PeerAddress &peer)
{
    m_open.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_perHost.find(peer.address);
    if (it != m_perHost.end() && --it->second <= 0)
        m_perHost.erase(it);
}

} // namespace Vigil
