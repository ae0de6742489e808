// Prefix matching of peers against --proxy-from.
#include "trustedproxies.h"

#include <cstring>

namespace Vigil {

namespace {
// An IPv4 /n is the IPv4-mapped IPv6 /(96 + n): ::ffff:a.b.c.d.
constexpr int MappedPrefixBits = 96;
} // namespace

TrustedProxies::TrustedProxies(const QList<ProxySource> &sources)
{
    for (const ProxySource &source : sources) {
        Entry e;
        if (source.network.protocol() == QAbstractSocket::IPv4Protocol) {
            const quint32 v4 = source.network.toIPv4Address();
            e.network[10] = 0xff;
            e.network[11] = 0xff;
            e.network[12] = quint8(v4 >> 24);
            e.network[13] = quint8(v4 >> 16);
            e.network[14] = quint8(v4 >> 8);
            e.network[15] = quint8(v4);
            e.bits = MappedPrefixBits + source.prefix;
        } else {
            const Q_IPV6ADDR v6 = source.network.toIPv6Address();
            std::memcpy(e.network.data(), v6.c, 16);
            e.bits = source.prefix;
        }
        m_entries.push_back(e);
    }
}

bool TrustedProxies::contains(const PeerAddress &peer) const
{
    for (const Entry &e : m_entries) {
        const int whole = e.bits / 8;
        if (std::memcmp(e.network.data(), peer.address.data(), size_t(whole)) != 0)
            continue;
        const int rest = e.bits % 8;
        if (rest == 0)
            return true;
        const quint8 mask = quint8(0xff << (8 - rest));
        if ((e.network[size_t(whole)] & mask) == (peer.address[size_t(whole)] & mask))
            return true;
    }
    return false;
}

} // namespace Vigil
