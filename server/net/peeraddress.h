// A peer's address as the kernel gave it, kept raw (20 bytes) and turned
// into text only when a log line or snapshot needs it.
#pragma once

#include <QString>
#include <array>
#include <string>

struct sockaddr;

namespace Vigil {

struct PeerAddress
{
    std::array<quint8, 16> address{}; // IPv4 as IPv4-mapped IPv6
    quint16 port = 0;
    bool v4 = true;

    static PeerAddress fromSockaddr(const sockaddr *sa);
    static PeerAddress ofSocket(int fd); // getpeername()
    std::string hostString() const;     // "127.0.0.1", "::1"
    std::string toStdString() const;    // "127.0.0.1:5555", "[::1]:5555"
    QString toString() const { return QString::fromStdString(toStdString()); }
    bool sameHost(const PeerAddress &other) const { return address == other.address; }
};

} // namespace Vigil
