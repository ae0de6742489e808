// The PROXY protocol header (HAProxy's proxy-protocol.txt, v1 text and v2
// binary) that a trusted proxy puts before a client's first byte
// (PROTOCOL.md §9). Incremental: feed it bytes as they arrive; it takes
// only the header's own bytes, so what follows (a TLS ClientHello, the
// first frame) stays with the caller.
#pragma once

#include <QString>
#include <array>
#include <cstddef>

namespace Vigil {

// An address a PROXY header names: IPv4 is kept as IPv4-mapped IPv6, as
// PeerAddress keeps it, so the network layer copies it as is.
struct ProxyAddress
{
    std::array<quint8, 16> address{};
    quint16 port = 0;
    bool v4 = true;

    QString toString() const; // "10.0.0.1:5555", "[2001:db8::1]:5555"
};

class ProxyHeaderParser final
{
public:
    enum class Status : quint8 { NeedMore, Done, Error };
    // Proxy: the header names the client. Local (v2 LOCAL, health checks)
    // and Unknown (v1 UNKNOWN, v2 UNSPEC or AF_UNIX): keep the socket's own
    // addresses.
    enum class Command : quint8 { Proxy, Local, Unknown };

    // v1: "PROXY ... \r\n" is at most 107 bytes including the CRLF.
    static constexpr size_t MaxV1Length = 107;
    // v2: the 16-byte fixed part plus addresses and TLVs. The protocol
    // allows 65,535 bytes after the fixed part; Vigil skips TLVs without
    // keeping them but still bounds the whole header (docs/protocol-notes.md).
    static constexpr size_t MaxV2Length = 4096;
    static constexpr size_t V2FixedLength = 16;

    struct Result
    {
        Status status = Status::NeedMore;
        size_t consumed = 0; // bytes of this feed() that belong to the header
    };

    // Takes bytes that follow those fed before. Consumes at most up to the
    // header's end: on Done, data[consumed..size) is not part of it. After
    // Done or Error, feed() consumes nothing and returns the same status.
    Result feed(const char *data, size_t size);

    Status status() const { return m_status; }
    int version() const { return m_version; }     // 1 or 2 once known, else 0
    size_t headerLength() const { return m_length; } // bytes taken so far (the header's length once Done)
    Command command() const { return m_command; }
    const ProxyAddress &source() const { return m_source; }
    const ProxyAddress &destination() const { return m_destination; }
    const QString &error() const { return m_error; } // one line, set on Error

    void reset() { *this = ProxyHeaderParser(); }

private:
    Result fail(const char *why, size_t consumed);
    Result feedV1(const char *data, size_t size, size_t consumed);
    Result feedV2(const char *data, size_t size, size_t consumed);
    bool parseV1Line();
    bool parseV2Addresses();

    // The header bytes kept for parsing: a whole v1 line, or v2's fixed
    // part and its address block (at most 216 bytes for AF_UNIX). TLV bytes
    // are counted, not kept.
    static constexpr size_t KeptCapacity = 232;
    std::array<char, KeptCapacity> m_kept{};
    size_t m_keptSize = 0;
    size_t m_length = 0;  // header bytes consumed so far
    size_t m_v2Total = 0; // v2: the whole header's length once the fixed part is in
    ProxyAddress m_source;
    ProxyAddress m_destination;
    QString m_error;
    Status m_status = Status::NeedMore;
    Command m_command = Command::Unknown;
    int m_version = 0;
};

} // namespace Vigil
