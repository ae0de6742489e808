// Accepting connections.
#include "listener.h"

namespace Vigil {

namespace {
// PROTOCOL.md §7: out of descriptors, keep serving and retry later; never spin.
constexpr int AcceptRetryMs = 100;
} // namespace

Listener::Listener(Handler handler, QObject *parent)
    : QTcpServer(parent)
    , m_handler(std::move(handler))
{
    setListenBacklogSize(Backlog);
    m_resumeTimer.setSingleShot(true);
    m_resumeTimer.setInterval(AcceptRetryMs);
    connect(&m_resumeTimer, &QTimer::timeout, this, &QTcpServer::resumeAccepting);
    connect(this, &QTcpServer::acceptError, this, &Listener::handleAcceptError);
}

void Listener::incomingConnection(qintptr descriptor)
{
    m_handler(int(descriptor));
}

void Listener::handleAcceptError(QAbstractSocket::SocketError)
{
    // QTcpServer has already paused accepting (EMFILE, ENFILE, ENOBUFS).
    pauseAccepting();
    if (!m_resumeTimer.isActive()) {
        emit acceptPaused(errorString());
        m_resumeTimer.start();
    }
}

} // namespace Vigil
