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

Listener *Acceptor::bindListener(const ListenAddress &address, QString *error)
{
    auto options = std::make_shared<Options>();
    options->proxy = address.proxy;
    options->tls = address.tls;
    auto *listener = new Listener([this, options](int fd) { dispatch(fd, options->proxy, options->tls); }, this);
    if (!listener->listen(address.host, address.port)) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(address.toString(), listener->errorString().toLower());
        delete listener;
        return nullptr;
    }
    m_options.insert(listener, options);
    connect(listener, &Listener::acceptPaused, this, &Acceptor::reportPaused);
    connect(listener, &Listener::acceptResumed, this, &Acceptor::reportResumed);
    return listener;
}

QString Acceptor::bindAll()
{
    for (const ListenAddress &address : m_config->listen) {
        QString error;
        Listener *listener = bindListener(address, &error);
        if (!listener) {
            closeAll();
            return error;
        }
        m_listeners.append(listener);
        m_written.append(address);
        ListenAddress bound = address;
        bound.port = listener->serverPort();
        m_bound.append(bound);
    }
    for (const ListenAddress &bound : std::as_const(m_bound))
        m_log.listening(bound.toString(), m_config->framing, bound.tls);
    return QString();
}

QString Acceptor::updateListeners(const QList<ListenAddress> &listen, QList<ListenAddress> *bound)
{
    QList<Listener *> listeners;
    QList<ListenAddress> boundNow;
    QList<Listener *> added;
    std::vector<bool> kept(size_t(m_listeners.size()), false);
    for (const ListenAddress &address : listen) {
        qsizetype match = -1;
        for (qsizetype i = 0; i < m_written.size() && match < 0; ++i) {
            if (!kept[size_t(i)] && m_written[i] == address)
                match = i;
        }
        // The same address with other options keeps its socket; only
        // what its accepts do changes (a fixed port could not be bound twice).
        for (qsizetype i = 0; i < m_written.size() && match < 0 && address.port != 0; ++i) {
            if (!kept[size_t(i)] && m_written[i].host == address.host && m_written[i].port == address.port
                && !listen.contains(m_written[i]))
                match = i;
        }
        if (match >= 0) {
            kept[size_t(match)] = true;
            listeners.append(m_listeners[match]);
            ListenAddress bound = m_bound[match];
            if (!(m_written[match] == address)) {
                m_options.value(m_listeners[match])->proxy = address.proxy;
                m_options.value(m_listeners[match])->tls = address.tls;
                bound.tls = address.tls;
                bound.proxy = address.proxy;
                m_log.notice(QStringLiteral("listener %1 is now %2").arg(m_written[match].spec(), address.spec()));
            }
            boundNow.append(bound);
            continue;
        }
        // Bound before anything is closed: a failure leaves all as it was.
        QString error;
        Listener *listener = bindListener(address, &error);
        if (!listener) {
            for (Listener *fresh : std::as_const(added)) {
                fresh->close();
                m_options.remove(fresh);
                delete fresh;
            }
            return error;
        }
        added.append(listener);
        listeners.append(listener);
        ListenAddress real = address;
        real.port = listener->serverPort();
        boundNow.append(real);
    }
    for (qsizetype i = 0; i < m_listeners.size(); ++i) {
        if (kept[size_t(i)])
            continue;
        m_listeners[i]->close();
        m_options.remove(m_listeners[i]);
        delete m_listeners[i];
        m_log.notice(QStringLiteral("stopped listening on %1; its connections stay open").arg(m_bound[i].toString()));
    }
    for (qsizetype i = 0; i < listeners.size(); ++i) {
        if (added.contains(listeners[i]))
            m_log.listening(boundNow[i].toString(), m_config->framing, boundNow[i].tls);
    }
    m_listeners = listeners;
    m_written = listen;
    m_bound = boundNow;
    *bound = m_bound;
    return QString();
}

void Acceptor::reportPaused(const QString &error, qint64 pausedMs, int retries)
{
    if (pausedMs == 0)
        m_log.notice(QStringLiteral("accept paused: %1; retrying every %2 ms").arg(error).arg(Listener::RetryMs));
    else
        m_log.notice(QStringLiteral("accept still paused after %1 s: %2 (%3 retries)")
                         .arg(pausedMs / 1000)
                         .arg(error)
                         .arg(retries));
    emit acceptPaused(error, pausedMs, retries);
}

void Acceptor::reportResumed(qint64 pausedMs, int retries)
{
    m_log.notice(QStringLiteral("accept resumed after %1 ms (%2 retries)").arg(pausedMs).arg(retries));
    emit acceptResumed(pausedMs, retries);
}

void Acceptor::closeAll()
{
    for (Listener *listener : std::as_const(m_listeners)) {
        listener->close();
        delete listener;
    }
    m_listeners.clear();
    m_options.clear();
    // m_written and m_bound stay: the acceptor is deleted right after, and
    // its owner read them before handing it to the accept thread.
}

void Acceptor::dispatch(int fd, bool proxy, bool tls)
{
    // Sockets arrive non-blocking (Listener::acceptPending uses SOCK_NONBLOCK).
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    const PeerAddress peer = PeerAddress::ofSocket(fd);
    const quint64 id = m_nextId++;
    NetworkThread *thread = m_threads[id % m_threads.size()];
    if (Q_UNLIKELY(proxy)) {
        // PROTOCOL.md §9: only --proxy-from may speak for a client; the
        // per-IP limit waits for the address its header names.
        if (!m_admission.isTrustedProxy(peer))
            thread->reject(fd, peer, CloseReason::UntrustedProxy, false);
        else if (!m_admission.tryAdmitUnnamed())
            thread->reject(fd, peer, CloseReason::ServerFull, false);
        else
            thread->adopt(fd, id, peer, true, tls);
        return;
    }
    // A tls listener's refusal sends nothing: a BYE could only go in clear.
    if (!m_admission.tryAdmit(peer)) {
        thread->reject(fd, peer, CloseReason::ServerFull, !tls);
        return;
    }
    thread->adopt(fd, id, peer, false, tls);
}

} // namespace Vigil
