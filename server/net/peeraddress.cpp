// Converting socket addresses to text.
#include "peeraddress.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace Vigil {

PeerAddress PeerAddress::fromSockaddr(const sockaddr *sa)
{
    PeerAddress p;
    if (sa->sa_family == AF_INET) {
        const auto *in = reinterpret_cast<const sockaddr_in *>(sa);
        p.address[10] = p.address[11] = 0xff;
        std::memcpy(p.address.data() + 12, &in->sin_addr, 4);
        p.port = ntohs(in->sin_port);
        p.v4 = true;
    } else if (sa->sa_family == AF_INET6) {
        const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(sa);
        std::memcpy(p.address.data(), &in6->sin6_addr, 16);
        p.port = ntohs(in6->sin6_port);
        p.v4 = IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
    }
    return p;
}

PeerAddress PeerAddress::ofSocket(int fd)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return PeerAddress();
    return fromSockaddr(reinterpret_cast<const sockaddr *>(&storage));
}

std::string PeerAddress::hostString() const
{
    char text[INET6_ADDRSTRLEN] = {};
    if (v4)
        inet_ntop(AF_INET, address.data() + 12, text, sizeof(text));
    else
        inet_ntop(AF_INET6, address.data(), text, sizeof(text));
    return text;
}

std::string PeerAddress::toStdString() const
{
    if (v4)
        return hostString() + ':' + std::to_string(port);
    return '[' + hostString() + "]:" + std::to_string(port);
}

} // namespace Vigil
