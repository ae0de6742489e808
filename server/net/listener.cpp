// Accepting connections.
#include "listener.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>

namespace Vigil {

Listener::Listener(Handler handler, QObject *parent)
    : QTcpServer(parent)
    , m_handler(std::move(handler))
    , m_resumeTimer(this) // children move to the accept thread with us
{
    setListenBacklogSize(Backlog);
    m_resumeTimer.setSingleShot(true);
    m_resumeTimer.setInterval(RetryMs);
    connect(&m_resumeTimer, &QTimer::timeout, this, &Listener::retry);
}

bool Listener::listen(const QHostAddress &address, quint16 port)
{
    if (!QTcpServer::listen(address, port))
        return false;
    QTcpServer::pauseAccepting(); // QTcpServer's own accept loop stays off
    m_notifier = new QSocketNotifier(socketDescriptor(), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &Listener::acceptPending);
    return true;
}

void Listener::close()
{
    m_resumeTimer.stop();
    m_pausedSince.invalidate();
    delete m_notifier;
    m_notifier = nullptr;
    QTcpServer::close();
}

// PROTOCOL.md §7: accept until EAGAIN. Out of descriptors (or buffers)
// the connection stays in the backlog: stop watching the socket, which
// would report it readable at once, and look again after a pause.
void Listener::acceptPending()
{
    const int listening = int(socketDescriptor());
    for (;;) {
        const int fd = ::accept4(listening, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            endPause();
            m_handler(fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue; // a peer that left before we accepted: the next one
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            endPause(); // the backlog is empty: nothing is failing any more
            return;
        }
        const QString why = qt_error_string(errno);
        m_notifier->setEnabled(false);
        m_resumeTimer.start();
        if (!m_pausedSince.isValid()) {
            m_pausedSince.start();
            m_lastReportMs = 0;
            m_retries = 0;
            emit acceptPaused(why, 0, 0);
        } else if (m_pausedSince.elapsed() - m_lastReportMs >= StillPausedEveryMs) {
            m_lastReportMs = m_pausedSince.elapsed();
            emit acceptPaused(why, m_lastReportMs, m_retries);
        }
        return;
    }
}

// The retry accepts at once rather than only re-arming the notifier: if
// the waiting peers gave up meanwhile the socket is never readable again,
// and the episode would never be seen to end.
void Listener::retry()
{
    if (!m_notifier)
        return;
    ++m_retries;
    m_notifier->setEnabled(true);
    acceptPending();
}

// A successful accept, or an empty backlog, ends a pause if one was on.
void Listener::endPause()
{
    if (!m_pausedSince.isValid())
        return;
    const qint64 pausedMs = m_pausedSince.elapsed();
    m_pausedSince.invalidate();
    emit acceptResumed(pausedMs, m_retries);
}

// QTcpServer's own loop stays paused, so this runs only if Qt ever hands a
// descriptor over itself; Qt's accept leaves it blocking, the handler
// expects what acceptPending() gives: non-blocking.
void Listener::incomingConnection(qintptr descriptor)
{
    const int fd = int(descriptor);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    m_handler(fd);
}

} // namespace Vigil
