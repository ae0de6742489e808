// The one writer of a log descriptor (stdout for vigild). Network threads
// and the main thread hand it whole lines; a thread of its own writes them.
// So a reader that stops reading (a stuck log shipper, a paused `less`)
// stalls only that thread, never the network threads, and lines from
// different threads are never spliced, whatever their length: there is
// only one writer, and it writes the lines in the order they were handed
// over.
//
// Lines wait in a buffer of at most capacity() bytes. When the reader
// stalls and the buffer is full, whole lines are dropped and counted
// (never half a line); once the buffer has drained, the writer logs one
// notice "N log lines dropped while stdout was blocked".
#pragma once

#include <QtGlobal>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace Vigil {

class LogSink final
{
public:
    // 1 MiB of lines, several thousand events: enough to ride out a reader's
    // hiccup, small enough to bound the memory a stalled reader costs.
    static constexpr size_t DefaultCapacity = 1024 * 1024;

    // Formats the drop notice as one line (text or JSON, as the log is).
    using NoticeFormatter = std::function<std::string(const std::string &message)>;

    explicit LogSink(int fd, size_t capacity = DefaultCapacity);
    ~LogSink();
    LogSink(const LogSink &) = delete;
    LogSink &operator=(const LogSink &) = delete;

    // The process-wide sink of a descriptor (one writer per descriptor).
    // Never destroyed: a writer still blocked on a stalled reader at exit
    // must not hold up the process.
    static LogSink &forFd(int fd);

    // Queues text, which must be whole lines ('\n'-terminated). Takes a
    // mutex for a copy, never waits for the reader. Lines beyond the
    // capacity are dropped whole and counted.
    void submit(const char *data, size_t size);
    // Waits until everything submitted has been written, at most timeoutMs.
    // false when the reader is still stalled.
    bool drain(int timeoutMs);
    // The log's last line is in: drains (at most timeoutMs), then ends the
    // writer thread, so the process exits with no thread left behind. A
    // writer still blocked on a stalled reader is left to the exit. Lines
    // submitted afterwards are not written.
    void finish(int timeoutMs);
    bool isFinished();

    void setNoticeFormatter(NoticeFormatter formatter);
    size_t capacity() const { return m_capacity; }
    quint64 droppedLines() const { return m_droppedTotal.load(std::memory_order_relaxed); }
    quint64 writtenBytes() const { return m_writtenBytes.load(std::memory_order_relaxed); }

private:
    void run();
    void writeAll(const std::string &text);

    const int m_fd;
    const size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_wake;    // writer: something to write, or stop
    std::condition_variable m_drained; // drain(): the writer caught up
    std::string m_pending;             // guarded by m_mutex
    quint64 m_droppedSinceNotice = 0;  // guarded by m_mutex
    NoticeFormatter m_formatter;       // guarded by m_mutex
    bool m_writing = false;            // guarded by m_mutex
    bool m_stop = false;               // guarded by m_mutex
    std::atomic<quint64> m_droppedTotal{0};
    std::atomic<quint64> m_writtenBytes{0};
    std::thread m_writer;
};

} // namespace Vigil
