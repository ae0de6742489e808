// Binding and dispatching accepted sockets.
#include "acceptor.h"

#include "listener.h"
#include "networkthread.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Vigil {

Acceptor::Acceptor(std::vector<NetworkThread *> threads, AdmissionControl &admission,
                   std::shared_ptr<const ServerConfig> config)
    : m_threads(std::move(threads))
    , m_admission(admission)
    , m_config(std::move(config))
    , m_log(m_config->logFormat, m_config->logToStdout)
{
}

QString Acceptor::bindAll()
{
    for (const ListenAddress &address : m_config->listen) {
        auto *listener = new Listener([this](int fd) { dispatch(fd); }, this);
        if (!listener->listen(address.host, address.port)) {
            const QString error = QStringLiteral("cannot listen on %1: %2")
                                      .arg(address.toString(), listener->errorString().toLower());
            delete listener;
            closeAll();
            return error;
        }
        connect(listener, &Listener::acceptPaused, this, [this](const QString &why) {
            m_log.notice(QStringLiteral("accept paused for 100 ms: %1").arg(why));
            emit acceptPaused(why);
        });
        m_listeners.append(listener);
        ListenAddress bound = address;
        bound.port = listener->serverPort();
        m_bound.append(bound);
    }
    for (const ListenAddress &bound : std::as_const(m_bound))
        m_log.listening(bound.toString(), m_config->framing);
    return QString();
}

void Acceptor::closeAll()
{
    for (Listener *listener : std::as_const(m_listeners)) {
        listener->close();
        delete listener;
    }
    m_listeners.clear();
}

void Acceptor::dispatch(int fd)
{
    // Sockets arrive non-blocking (Listener::acceptPending uses SOCK_NONBLOCK).
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    const PeerAddress peer = PeerAddress::ofSocket(fd);
    const quint64 id = m_nextId++;
    NetworkThread *thread = m_threads[id % m_threads.size()];
    if (!m_admission.tryAdmit(peer)) {
        thread->reject(fd, peer, CloseReason::ServerFull);
        return;
    }
    thread->adopt(fd, id, peer);
}

} // namespace Vigil
