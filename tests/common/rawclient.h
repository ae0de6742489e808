// Plain POSIX sockets for fault tests that need what QTcpSocket hides:
// thousands of sockets in one poll set, RST on close, never reading.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QtGlobal>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace VigilTest {

// A connected loopback socket (blocking), or -1.
inline int rawConnect(quint16 port, bool nonBlocking = false)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0)
        return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

inline bool rawSend(int fd, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

// Reads until count bytes arrived, EOF, an error or timeoutMs passed.
inline QByteArray rawRead(int fd, qsizetype count, int timeoutMs)
{
    QByteArray out;
    QElapsedTimer clock; // wall time: a long read is many polls that each return at once
    clock.start();
    while (out.size() < count && clock.elapsed() <= timeoutMs) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0)
            continue;
        char buffer[65536];
        const ssize_t n = ::recv(fd, buffer, size_t(std::min<qsizetype>(sizeof(buffer), count - out.size())), 0);
        if (n <= 0)
            break;
        out.append(buffer, n);
    }
    return out;
}

// True when the peer closed (EOF or reset) within timeoutMs; data is drained.
inline bool rawWaitClosed(int fd, int timeoutMs)
{
    for (int waited = 0; waited <= timeoutMs; waited += 50) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0)
            continue;
        char buffer[4096];
        const ssize_t n = ::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return true;
    }
    return false;
}

// Close with RST instead of FIN.
inline void rawReset(int fd)
{
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    ::close(fd);
}

// A raw socket closed when the test leaves, however it leaves.
struct Fd
{
    int fd;
    explicit Fd(int f)
        : fd(f)
    {
    }
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
};

// The next Vigil frame (PROTOCOL.md §2) from a blocking socket: {type,
// payload}, type 0 on timeout.
inline std::pair<quint8, QByteArray> rawReadFrame(int fd, int timeoutMs)
{
    const QByteArray header = rawRead(fd, 8, timeoutMs);
    if (header.size() < 8)
        return {0, QByteArray()};
    const quint32 length = quint32(quint8(header[4])) << 24 | quint32(quint8(header[5])) << 16
                           | quint32(quint8(header[6])) << 8 | quint32(quint8(header[7]));
    return {quint8(header[3]), rawRead(fd, qsizetype(length), timeoutMs)};
}

} // namespace VigilTest
