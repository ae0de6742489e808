#include "poller.h"

#include <cerrno>
#include <cstring>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Vigil {

Poller::Poller()
{
    const auto failed = [this](const char *call) {
        m_error = QStringLiteral("%1: %2").arg(QLatin1String(call), QString::fromLocal8Bit(strerror(errno)));
    };
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        failed("epoll_create1");
        return;
    }
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_wakeFd < 0) {
        failed("eventfd");
        return;
    }
    // The wake-up's tag is the poller itself: no connection can have that address.
    if (!add(m_wakeFd, this, true, false))
        failed("epoll_ctl");
}

Poller::~Poller()
{
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void Poller::wake()
{
    const quint64 one = 1;
    [[maybe_unused]] ssize_t n = ::write(m_wakeFd, &one, sizeof(one));
}

void Poller::drainWake()
{
    quint64 drained;
    [[maybe_unused]] ssize_t n = ::read(m_wakeFd, &drained, sizeof(drained));
}

} // namespace Vigil
