// The log's single writer thread and its bounded queue.
#include "logsink.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <poll.h>
#include <unistd.h>

namespace Vigil {

LogSink::LogSink(int fd, size_t capacity)
    : m_fd(fd)
    , m_capacity(std::max<size_t>(capacity, 4096))
{
    m_writer = std::thread([this]() { run(); });
}

LogSink::~LogSink()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    if (m_writer.joinable())
        m_writer.join();
}

bool LogSink::isFinished()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_stop;
}

void LogSink::finish(int timeoutMs)
{
    const bool drained = drain(timeoutMs);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    if (!m_writer.joinable())
        return;
    if (drained)
        m_writer.join();
    else
        m_writer.detach(); // blocked in write(): the exit ends it
}

LogSink &LogSink::forFd(int fd)
{
    static std::mutex mutex;
    static auto *sinks = new std::map<int, LogSink *>; // never freed, see header
    std::lock_guard<std::mutex> lock(mutex);
    LogSink *&sink = (*sinks)[fd];
    if (!sink || sink->isFinished())
        sink = new LogSink(fd); // a finished one (its writer gone) is left as it is

    return *sink;
}

void LogSink::setNoticeFormatter(NoticeFormatter formatter)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_formatter = std::move(formatter);
}

void LogSink::submit(const char *data, size_t size)
{
    if (size == 0)
        return;
    bool wasIdle;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        wasIdle = m_pending.empty();
        size_t take = size;
        if (m_pending.size() + size > m_capacity) {
            // Keep the whole lines that fit; the rest is dropped whole.
            const size_t room = m_capacity - std::min(m_capacity, m_pending.size());
            take = 0;
            for (size_t i = std::min(room, size); i > 0; --i) {
                if (data[i - 1] == '\n') {
                    take = i;
                    break;
                }
            }
            const auto lost = quint64(std::count(data + take, data + size, '\n'));
            m_droppedSinceNotice += lost;
            m_droppedTotal.fetch_add(lost, std::memory_order_relaxed);
        }
        m_pending.append(data, take);
    }
    if (wasIdle)
        m_wake.notify_one();
}

bool LogSink::drain(int timeoutMs)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    return m_drained.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                              [this]() { return m_pending.empty() && !m_writing; });
}

void LogSink::run()
{
    std::string batch;
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this]() { return m_stop || !m_pending.empty(); });
        if (m_pending.empty())
            break; // stopping, and everything is written
        batch.clear();
        batch.swap(m_pending); // m_pending keeps the old batch's memory
        m_writing = true;
        lock.unlock();
        writeAll(batch);
        lock.lock();
        // The reader took a whole batch and the queue has room again: say
        // what was lost, once, where the gap is in the stream.
        if (m_droppedSinceNotice > 0 && m_pending.size() < m_capacity / 2) {
            const std::string message = std::to_string(m_droppedSinceNotice) + " log lines dropped while "
                + (m_fd == 1 ? "stdout" : "the log") + " was blocked";
            m_droppedSinceNotice = 0;
            const std::string line = m_formatter ? m_formatter(message) : message + '\n';
            lock.unlock();
            writeAll(line);
            lock.lock();
        }
        m_writing = false;
        if (m_pending.empty())
            m_drained.notify_all();
    }
    m_drained.notify_all();
}

// Blocking writes are this thread's job. A descriptor that was left
// non-blocking (inherited O_NONBLOCK) is waited for with poll.
void LogSink::writeAll(const std::string &text)
{
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(m_fd, text.data() + done, text.size() - done);
        if (n > 0) {
            done += size_t(n);
            m_writtenBytes.fetch_add(quint64(n), std::memory_order_relaxed);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{m_fd, POLLOUT, 0};
            ::poll(&p, 1, -1);
            continue;
        }
        return; // stdout gone (closed pipe): drop this batch, keep serving
    }
}

} // namespace Vigil
