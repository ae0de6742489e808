// What a connection on an edge listener must get through before it is a
// connection at all (PROTOCOL.md §9): the PROXY header from a trusted
// proxy and/or the TLS handshake, together within --handshake-timeout of
// accept. Allocated only for such connections and freed when both are
// done, so a plain listener's connections pay nothing for it but one null
// pointer. (The TLS session itself is the Connection's: it outlives this.)
#pragma once

#include "proxyheader.h"
#include "watchdogs.h"

namespace Vigil {

class Handshake final
{
public:
    enum class Step : quint8 {
        NeedMore,  // wait for the socket to be readable again
        Done,      // the header is in; the bytes after it are still in the socket
        Malformed, // protocol-error (error() says why)
        Closed,    // the peer closed before the header was complete
        Failed,    // a socket error (reset)
    };

    // proxy: a PROXY header comes first (a proxy listener).
    Handshake(qint64 acceptedNs, qint64 timeoutMs, bool proxy);

    // Reads the header off fd, never a byte past it: peeks, lets the
    // parser say how much is header, and takes exactly that. scratch is
    // the thread's read buffer.
    Step read(int fd, char *scratch, size_t capacity);

    qint64 deadlineNs() const { return m_deadlineNs; }
    const ProxyHeaderParser &header() const { return m_parser; }
    QString error() const { return m_parser.error(); }
    // After Done: the header was read, so a BYE may now be sent in clear.
    bool headerRead() const { return m_parser.status() == ProxyHeaderParser::Status::Done; }
    bool expectsHeader() const { return m_proxy; }
    // Admitted by --max-per-ip: at accept (no header), or once the header
    // named the client and that address was admitted.
    bool countsPerHost() const { return !m_proxy || m_hostAdmitted; }
    void setHostAdmitted() { m_hostAdmitted = true; }

private:
    ProxyHeaderParser m_parser;
    qint64 m_deadlineNs;
    bool m_proxy;
    bool m_hostAdmitted = false;
};

} // namespace Vigil
