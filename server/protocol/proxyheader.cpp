// PROXY protocol v1/v2 parsing, written from HAProxy's proxy-protocol.txt
// (sections 2.1 and 2.2). Every check below names the spec's rule it keeps.
#include "proxyheader.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <utility>

namespace Vigil {

namespace {
constexpr char V1Prefix[] = "PROXY ";
constexpr size_t V1PrefixLength = sizeof(V1Prefix) - 1;
constexpr char V2Signature[] = "\r\n\r\n\0\r\nQUIT\n";
constexpr size_t V2SignatureLength = sizeof(V2Signature) - 1; // 12
static_assert(V2SignatureLength == 12, "the v2 signature is 12 bytes");

// v2 address block sizes (proxy-protocol.txt 2.2, "union proxy_addr").
constexpr size_t V2InetLength = 12;
constexpr size_t V2Inet6Length = 36;
constexpr size_t V2UnixLength = 216;

constexpr quint8 V2CommandLocal = 0x0;
constexpr quint8 V2CommandProxy = 0x1;
constexpr quint8 V2FamilyInet = 0x1;
constexpr quint8 V2FamilyInet6 = 0x2;
constexpr quint8 V2FamilyUnix = 0x3;
constexpr quint8 V2TransportStream = 0x1;

void setV4(ProxyAddress &a, const quint8 *bytes)
{
    a.address.fill(0);
    a.address[10] = 0xff;
    a.address[11] = 0xff;
    std::memcpy(a.address.data() + 12, bytes, 4);
    a.v4 = true;
}

void setV6(ProxyAddress &a, const quint8 *bytes)
{
    std::memcpy(a.address.data(), bytes, 16);
    a.v4 = false;
}

// "a decimal integer in the range [0..65535] inclusive. Heading zeroes are
// not permitted".
bool parsePort(const char *s, size_t n, quint16 *port)
{
    if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
        return false;
    quint32 v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + quint32(s[i] - '0');
    }
    if (v > 65535)
        return false;
    *port = quint16(v);
    return true;
}

// inet_pton() rejects leading zeroes in IPv4 (the spec forbids them, to
// rule out octal) and takes IPv6 in any canonical-or-not colon form.
bool parseAddress(const char *s, size_t n, bool v4, ProxyAddress *out)
{
    char text[INET6_ADDRSTRLEN + 1];
    if (n == 0 || n >= sizeof(text))
        return false;
    std::memcpy(text, s, n);
    text[n] = '\0';
    quint8 bytes[16];
    if (inet_pton(v4 ? AF_INET : AF_INET6, text, bytes) != 1)
        return false;
    if (v4)
        setV4(*out, bytes);
    else
        setV6(*out, bytes);
    return true;
}
} // namespace

QString ProxyAddress::toString() const
{
    char text[INET6_ADDRSTRLEN];
    if (v4)
        inet_ntop(AF_INET, address.data() + 12, text, sizeof(text));
    else
        inet_ntop(AF_INET6, address.data(), text, sizeof(text));
    const QString host = QString::fromLatin1(text);
    return (v4 ? host : QLatin1Char('[') + host + QLatin1Char(']')) + QLatin1Char(':') + QString::number(port);
}

ProxyHeaderParser::Result ProxyHeaderParser::fail(const char *why, size_t consumed)
{
    m_status = Status::Error;
    m_error = QString::fromLatin1(why);
    return {m_status, consumed};
}

// The first bytes choose the version: "PROXY " is v1, the 12-byte
// signature v2; a byte that fits neither is an error at once, so a
// client that speaks no PROXY at all is refused on its first byte.
ProxyHeaderParser::Result ProxyHeaderParser::feed(const char *data, size_t size)
{
    if (m_status != Status::NeedMore)
        return {m_status, 0};
    size_t consumed = 0;
    while (m_version == 0 && consumed < size) {
        const char c = data[consumed];
        const size_t at = m_keptSize;
        const bool v1 = at < V1PrefixLength && c == V1Prefix[at] && (at == 0 || m_kept[0] == 'P');
        const bool v2 = at < V2SignatureLength && c == V2Signature[at] && (at == 0 || m_kept[0] == '\r');
        if (!v1 && !v2)
            return fail("not a PROXY protocol header", consumed);
        m_kept[m_keptSize++] = c;
        ++m_length;
        ++consumed;
        if (v1 && m_keptSize == V1PrefixLength)
            m_version = 1;
        else if (v2 && m_keptSize == V2SignatureLength)
            m_version = 2;
    }
    if (m_version == 1)
        return feedV1(data, size, consumed);
    if (m_version == 2)
        return feedV2(data, size, consumed);
    return {m_status, consumed};
}

// v1: one line up to CRLF, 107 bytes at most; nothing after the LF is ours.
ProxyHeaderParser::Result ProxyHeaderParser::feedV1(const char *data, size_t size, size_t consumed)
{
    while (consumed < size) {
        const char c = data[consumed];
        if (m_keptSize >= MaxV1Length)
            return fail("PROXY v1 header longer than 107 bytes", consumed);
        m_kept[m_keptSize++] = c;
        ++m_length;
        ++consumed;
        if (c == '\n') {
            if (m_keptSize < 2 || m_kept[m_keptSize - 2] != '\r')
                return fail("PROXY v1 header does not end with CRLF", consumed);
            if (!parseV1Line())
                return {m_status, consumed};
            m_status = Status::Done;
            return {m_status, consumed};
        }
        if (c == '\0')
            return fail("PROXY v1 header contains a NUL byte", consumed);
    }
    if (m_keptSize >= MaxV1Length)
        return fail("PROXY v1 header longer than 107 bytes", consumed);
    return {m_status, consumed};
}

// "PROXY" SP ( "UNKNOWN" [anything] | ("TCP4"|"TCP6") SP src SP dst SP
// sport SP dport ) CRLF, with exactly one space between fields.
bool ProxyHeaderParser::parseV1Line()
{
    const char *line = m_kept.data() + V1PrefixLength;
    const size_t n = m_keptSize - V1PrefixLength - 2; // without CRLF
    if (n >= 7 && std::memcmp(line, "UNKNOWN", 7) == 0 && (n == 7 || line[7] == ' ')) {
        // "the receiver must ignore anything presented before the CRLF"
        m_command = Command::Unknown;
        return true;
    }
    std::array<std::pair<const char *, size_t>, 5> fields;
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= n; ++i) {
        if (i == n || line[i] == ' ') {
            if (count == fields.size() || i == start) {
                fail("malformed PROXY v1 header", 0);
                return false;
            }
            fields[count++] = {line + start, i - start};
            start = i + 1;
        }
    }
    if (count != fields.size()) {
        fail("malformed PROXY v1 header", 0);
        return false;
    }
    bool v4;
    if (fields[0].second == 4 && std::memcmp(fields[0].first, "TCP4", 4) == 0)
        v4 = true;
    else if (fields[0].second == 4 && std::memcmp(fields[0].first, "TCP6", 4) == 0)
        v4 = false;
    else {
        fail("PROXY v1 protocol is not TCP4, TCP6 or UNKNOWN", 0);
        return false;
    }
    if (!parseAddress(fields[1].first, fields[1].second, v4, &m_source)
        || !parseAddress(fields[2].first, fields[2].second, v4, &m_destination)) {
        fail(v4 ? "PROXY v1 address is not an IPv4 address" : "PROXY v1 address is not an IPv6 address", 0);
        return false;
    }
    if (!parsePort(fields[3].first, fields[3].second, &m_source.port)
        || !parsePort(fields[4].first, fields[4].second, &m_destination.port)) {
        fail("PROXY v1 port is not a number in 0..65535", 0);
        return false;
    }
    m_command = Command::Proxy;
    return true;
}

// v2: the fixed 16 bytes say how long the rest is; the address block is
// kept, TLVs after it are counted off without being stored.
ProxyHeaderParser::Result ProxyHeaderParser::feedV2(const char *data, size_t size, size_t consumed)
{
    while (m_keptSize < V2FixedLength && consumed < size) {
        m_kept[m_keptSize++] = data[consumed++];
        ++m_length;
    }
    if (m_keptSize < V2FixedLength)
        return {m_status, consumed};
    const auto verCmd = quint8(m_kept[12]);
    const auto family = quint8(m_kept[13]);
    const size_t length = (size_t(quint8(m_kept[14])) << 8) | quint8(m_kept[15]);
    const quint8 command = verCmd & 0x0f;
    if (m_v2Total == 0) {
        if ((verCmd >> 4) != 0x2)
            return fail("PROXY v2 header has an unsupported version", consumed);
        if (command != V2CommandLocal && command != V2CommandProxy)
            return fail("PROXY v2 header has an unknown command", consumed);
        if (V2FixedLength + length > MaxV2Length)
            return fail("PROXY v2 header longer than 4096 bytes", consumed);
        m_v2Total = V2FixedLength + length;
        if (command == V2CommandProxy) {
            const quint8 af = family >> 4;
            const size_t need = af == V2FamilyInet ? V2InetLength
                                : af == V2FamilyInet6 ? V2Inet6Length
                                : af == V2FamilyUnix ? V2UnixLength
                                                     : 0;
            if (af > V2FamilyUnix)
                return fail("PROXY v2 header has an unknown address family", consumed);
            if ((af == V2FamilyInet || af == V2FamilyInet6) && (family & 0x0f) != V2TransportStream)
                return fail("PROXY v2 header is not for a stream (TCP) connection", consumed);
            if (length < need)
                return fail("PROXY v2 address block is shorter than its family needs", consumed);
        }
    }
    // Keep the address block (what fits in m_kept), count the rest.
    const size_t keepUpTo = std::min(m_v2Total, KeptCapacity);
    while (m_length < m_v2Total && consumed < size) {
        const size_t take = std::min(size - consumed, m_v2Total - m_length);
        if (m_keptSize < keepUpTo) {
            const size_t k = std::min(take, keepUpTo - m_keptSize);
            std::memcpy(m_kept.data() + m_keptSize, data + consumed, k);
            m_keptSize += k;
        }
        m_length += take;
        consumed += take;
    }
    if (m_length < m_v2Total)
        return {m_status, consumed};
    if (!parseV2Addresses())
        return {m_status, consumed};
    m_status = Status::Done;
    return {m_status, consumed};
}

bool ProxyHeaderParser::parseV2Addresses()
{
    const quint8 command = quint8(m_kept[12]) & 0x0f;
    const quint8 af = quint8(m_kept[13]) >> 4;
    // "the receiver must accept this connection as valid and must use the
    // real connection endpoints and discard the protocol block"
    if (command == V2CommandLocal) {
        m_command = Command::Local;
        return true;
    }
    const auto *block = reinterpret_cast<const quint8 *>(m_kept.data() + V2FixedLength);
    if (af == V2FamilyInet) {
        setV4(m_source, block);
        setV4(m_destination, block + 4);
        m_source.port = quint16((block[8] << 8) | block[9]);
        m_destination.port = quint16((block[10] << 8) | block[11]);
        m_command = Command::Proxy;
    } else if (af == V2FamilyInet6) {
        setV6(m_source, block);
        setV6(m_destination, block + 16);
        m_source.port = quint16((block[32] << 8) | block[33]);
        m_destination.port = quint16((block[34] << 8) | block[35]);
        m_command = Command::Proxy;
    } else {
        // AF_UNSPEC ("the receiver is free to accept the connection anyway
        // and use the real endpoint addresses") and AF_UNIX (no IP to
        // admit by) keep the socket's addresses.
        m_command = Command::Unknown;
    }
    return true;
}

} // namespace Vigil
