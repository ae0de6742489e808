// A network thread's epoll set and the eventfd that other threads write to
// wake it. Level-triggered: a connection that leaves bytes unread is
// reported again, so no read path has to drain the socket to stay correct.
#pragma once

#include <QString>
#include <sys/epoll.h>

namespace Vigil {

class Poller final
{
public:
    Poller();
    ~Poller();
    Poller(const Poller &) = delete;
    Poller &operator=(const Poller &) = delete;

    // Empty unless a descriptor could not be created (out of descriptors):
    // "epoll_create1: Too many open files".
    QString errorString() const { return m_error; }

    // false with errno set when the kernel refuses (no memory, bad fd).
    bool add(int fd, void *tag, bool read, bool write) { return control(EPOLL_CTL_ADD, fd, tag, read, write); }
    bool modify(int fd, void *tag, bool read, bool write) { return control(EPOLL_CTL_MOD, fd, tag, read, write); }
    void remove(int fd) { epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr); } // fails only for an fd not watched

    int wait(epoll_event *events, int maxEvents, int timeoutMs) { return epoll_wait(m_epoll, events, maxEvents, timeoutMs); }

    // Thread-safe: the next (or current) wait() returns with the wake-up
    // among its events; isWake() tells it from a watched descriptor.
    void wake();
    bool isWake(const epoll_event &event) const { return event.data.ptr == this; }
    // Loop thread, after a wake-up: resets the eventfd.
    void drainWake();

private:
    bool control(int op, int fd, void *tag, bool read, bool write)
    {
        epoll_event ev{};
        ev.events = (read ? EPOLLIN : 0u) | (write ? EPOLLOUT : 0u);
        ev.data.ptr = tag;
        return epoll_ctl(m_epoll, op, fd, &ev) == 0;
    }

    int m_epoll = -1;
    int m_wakeFd = -1;
    QString m_error;
};

} // namespace Vigil
