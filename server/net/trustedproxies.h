// The sources allowed to send a PROXY header (--proxy-from, PROTOCOL.md
// §9), matched against a socket's PeerAddress without building a
// QHostAddress: one prefix compare per entry, once per accept on a proxy
// listener.
#pragma once

#include "peeraddress.h"
#include "serverconfig.h"

#include <array>
#include <vector>

namespace Vigil {

class TrustedProxies final
{
public:
    TrustedProxies() = default;
    explicit TrustedProxies(const QList<ProxySource> &sources);

    bool contains(const PeerAddress &peer) const;
    bool isEmpty() const { return m_entries.empty(); }

private:
    struct Entry
    {
        std::array<quint8, 16> network{}; // IPv4 as IPv4-mapped IPv6, as PeerAddress
        int bits = 0;                     // prefix length in that 128-bit space
    };
    std::vector<Entry> m_entries;
};

} // namespace Vigil
