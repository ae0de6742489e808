// HOST:PORT as every Vigil program spells it: vigild's --listen and
// --admin, vigil-client's --connect and the monitor's attach address.
// One parser, so the same text means the same thing everywhere and every
// mistake gets the same one-line explanation.
#pragma once

#include <QHostAddress>
#include <QString>
#include <optional>

namespace Vigil {

// What a caller accepts beyond "HOST:PORT" with a port from 1 to 65535.
struct HostPortRules
{
    bool anyHost = false;   // ":PORT" and "*:PORT" (host left empty): every address
    bool portZero = false;  // port 0: the system picks one
    bool hostNames = true;  // names besides IP addresses ("localhost" always passes)

    // --listen, --admin: addresses to bind, any host, port 0, no names.
    static HostPortRules listen()
    {
        HostPortRules r;
        r.anyHost = true;
        r.portZero = true;
        r.hostNames = false;
        return r;
    }
    // --connect, the monitor's attach address: names welcome, a real port.
    static HostPortRules connect() { return HostPortRules(); }
};

struct HostPort
{
    QString host; // without brackets; empty: every address (HostPortRules::anyHost)
    quint16 port = 0;

    // "127.0.0.1:7600", "example.org:7600", "[::1]:7600", ":7600".
    QString toString() const;
    // The host as an IP address; null for names and for "every address".
    QHostAddress address() const;

    // Accepts IPv4 "127.0.0.1:7600", bracketed IPv6 "[::1]:7600" and host
    // names "example.org:7600" (surrounding spaces are ignored). On failure
    // *error is one lower-case phrase naming the problem, e.g. "missing
    // port (expected HOST:PORT)"; the caller says which flag it was.
    static std::optional<HostPort> parse(const QString &text, const HostPortRules &rules, QString *error = nullptr);
};

} // namespace Vigil
