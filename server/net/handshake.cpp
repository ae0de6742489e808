// Reading a PROXY header off a non-blocking socket, exactly to its end.
#include "handshake.h"

#include "monotonicclock.h"

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>

namespace Vigil {

Handshake::Handshake(qint64 acceptedNs, qint64 timeoutMs, bool proxy)
    : m_deadlineNs(timeoutMs > 0 ? acceptedNs + timeoutMs * MonotonicClock::NsPerMs : Watchdogs::Never)
    , m_proxy(proxy)
{
}

// HAProxy's proxy-protocol.txt sample receiver does the same: MSG_PEEK
// what is there, then recv() only the header's bytes, so a TLS
// ClientHello or a first frame in the same segment stays queued for
// whoever reads next. A header is at most MaxV2Length bytes, so one peek
// of that much always decides or leaves nothing unread.
Handshake::Step Handshake::read(int fd, char *scratch, size_t capacity)
{
    const size_t window = std::min(capacity, ProxyHeaderParser::MaxV2Length);
    for (;;) {
        const ssize_t n = ::recv(fd, scratch, window, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0)
            return Step::Closed;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? Step::NeedMore : Step::Failed;
        }
        const ProxyHeaderParser::Result r = m_parser.feed(scratch, size_t(n));
        if (r.status == ProxyHeaderParser::Status::Error)
            return Step::Malformed;
        // The peeked bytes the parser took are header: take them off the
        // socket. They are queued already, so this returns them all.
        size_t taken = 0;
        while (taken < r.consumed) {
            const ssize_t got = ::recv(fd, scratch, r.consumed - taken, MSG_DONTWAIT);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                return Step::Failed;
            taken += size_t(got);
        }
        if (r.status == ProxyHeaderParser::Status::Done)
            return Step::Done;
        if (size_t(n) < window)
            return Step::NeedMore;
    }
}

} // namespace Vigil
