// Non-blocking POSIX sockets on 127.0.0.1 for the tests that need what
// QTcpSocket hides: SO_LINGER {1, 0} resets, send-queue depth (SIOCOUTQ),
// buffer sizes, and the server side of a pair handed to NetworkThread.
// Waits go through QTest::qWaitFor, so a vigild child's stdout keeps being
// read while a test waits on a socket.
#pragma once

#include <QByteArray>
#include <QTest>
#include <QtGlobal>

#include <arpa/inet.h>
#include <cerrno>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace VigilTest {

class LoopbackSocket final
{
public:
    LoopbackSocket() = default;
    explicit LoopbackSocket(int fd)
        : m_fd(fd)
    {
    }
    ~LoopbackSocket() { close(); }
    LoopbackSocket(const LoopbackSocket &) = delete;
    LoopbackSocket &operator=(const LoopbackSocket &) = delete;
    LoopbackSocket(LoopbackSocket &&other) noexcept
        : m_fd(other.m_fd)
        , m_eof(other.m_eof)
        , m_error(other.m_error)
    {
        other.m_fd = -1;
    }
    LoopbackSocket &operator=(LoopbackSocket &&other) noexcept
    {
        if (this != &other) {
            close();
            m_fd = other.m_fd;
            m_eof = other.m_eof;
            m_error = other.m_error;
            other.m_fd = -1;
        }
        return *this;
    }

    // A blocking connect to 127.0.0.1:port (loopback completes at once),
    // then non-blocking. sendBuffer > 0 is set before the connect, so the
    // window scale is negotiated for it.
    static LoopbackSocket connectTo(quint16 port, int sendBuffer = 0)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return LoopbackSocket();
        if (sendBuffer > 0)
            ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, sizeof(sendBuffer));
        const sockaddr_in addr = loopback(port);
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof(addr)) != 0) {
            ::close(fd);
            return LoopbackSocket();
        }
        LoopbackSocket s(fd);
        s.setNonBlocking();
        return s;
    }

    static sockaddr_in loopback(quint16 port)
    {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return addr;
    }

    bool isValid() const { return m_fd >= 0; }
    int fd() const { return m_fd; }
    // Gives the descriptor away (to NetworkThread::adopt).
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void setNonBlocking()
    {
        const int on = 1;
        ::ioctl(m_fd, FIONBIO, &on);
    }
    quint16 localPort() const
    {
        sockaddr_in addr{};
        socklen_t len = sizeof(addr);
        if (::getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
            return 0;
        return ntohs(addr.sin_port);
    }

    // Bytes written but not yet acknowledged by the peer's kernel: 0 means
    // everything sits in the peer's receive buffer (or was read).
    int sendQueue() const
    {
        int n = -1;
        return ::ioctl(m_fd, SIOCOUTQ, &n) == 0 ? n : -1;
    }

    // One non-blocking send; bytes taken, 0 when the socket buffer is full, -1 on error.
    qsizetype sendSome(const char *data, qsizetype size)
    {
        const ssize_t n = ::send(m_fd, data, size_t(size), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0)
            return n;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return 0;
        m_error = errno;
        return -1;
    }

    // Writes everything, waiting for room up to timeoutMs.
    bool sendAll(const QByteArray &bytes, int timeoutMs = 5000)
    {
        qsizetype done = 0;
        auto step = [&]() {
            while (done < bytes.size()) {
                const qsizetype n = sendSome(bytes.constData() + done, bytes.size() - done);
                if (n <= 0)
                    return n < 0;
                done += n;
            }
            return true;
        };
        return QTest::qWaitFor(step, timeoutMs) && done == bytes.size();
    }

    // Appends whatever can be read now; false once EOF or an error was seen.
    bool readAvailable(QByteArray *into)
    {
        char buffer[65536];
        while (!m_eof && !m_error) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof(buffer), MSG_DONTWAIT);
            if (n > 0) {
                into->append(buffer, n);
                continue;
            }
            if (n == 0)
                m_eof = true;
            else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                m_error = errno;
            break;
        }
        return !m_eof && !m_error;
    }
    bool atEnd() const { return m_eof || m_error; }
    int error() const { return m_error; }

    void shutdownWrite() { ::shutdown(m_fd, SHUT_WR); }
    // close() sends RST instead of FIN from now on.
    void setResetOnClose()
    {
        const linger hard{1, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
    }
    void reset()
    {
        setResetOnClose();
        close();
    }
    void close()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
    bool m_eof = false;
    int m_error = 0;
};

// A listening socket on 127.0.0.1, port 0, for the server side of a pair.
class LoopbackListener final
{
public:
    // receiveBuffer > 0 is inherited by accepted sockets (and sizes their window).
    explicit LoopbackListener(int receiveBuffer = 0)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return;
        if (receiveBuffer > 0)
            ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof(receiveBuffer));
        sockaddr_in addr = LoopbackSocket::loopback(0);
        socklen_t len = sizeof(addr);
        if (::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0 || ::listen(m_fd, 16) != 0
            || ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
            ::close(m_fd);
            m_fd = -1;
            return;
        }
        m_port = ntohs(addr.sin_port);
    }
    ~LoopbackListener()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    LoopbackListener(const LoopbackListener &) = delete;
    LoopbackListener &operator=(const LoopbackListener &) = delete;

    bool isValid() const { return m_fd >= 0; }
    quint16 port() const { return m_port; }

    // The server side of the next connection (non-blocking, as vigild's are).
    LoopbackSocket accept()
    {
        const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        return LoopbackSocket(fd);
    }

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

// Reads until `into` holds at least `bytes` or the peer ends.
inline bool waitForBytes(LoopbackSocket &s, QByteArray *into, qsizetype bytes, int timeoutMs = 5000)
{
    return QTest::qWaitFor(
        [&]() {
            s.readAvailable(into);
            return into->size() >= bytes || s.atEnd();
        },
        timeoutMs);
}

// How long more bytes get to show up after an expected reply.
constexpr int ReplySettleMs = 300;

// Collects a reply of `expected` bytes and whatever else arrives within
// ReplySettleMs after it: more bytes are a reply that is not only ours.
inline void collectReply(LoopbackSocket &s, QByteArray *got, qsizetype expected)
{
    if (!waitForBytes(s, got, expected))
        return;
    [[maybe_unused]] const bool more = QTest::qWaitFor(
        [&]() {
            s.readAvailable(got);
            return got->size() > expected || s.atEnd();
        },
        ReplySettleMs);
}

// Sends one message; true only if exactly its echo came back.
inline bool echoesExactly(LoopbackSocket &s, const QByteArray &message, QByteArray *got)
{
    got->clear();
    if (!s.sendAll(message))
        return false;
    collectReply(s, got, message.size());
    return *got == message;
}

} // namespace VigilTest

