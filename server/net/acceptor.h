// Lives on the server's accept thread: binds the listeners, then turns
// each accepted descriptor into a connection on a network thread, or a
// server-full refusal. Connection ids are handed out here, and id % N
// picks the network thread, so a kick finds its connection without a table.
#pragma once

#include "admissioncontrol.h"
#include "eventlog.h"
#include "serverconfig.h"

#include <QHash>
#include <QObject>
#include <memory>
#include <vector>

namespace Vigil {

class Listener;
class NetworkThread;

class Acceptor final : public QObject
{
    Q_OBJECT
public:
    Acceptor(std::vector<NetworkThread *> threads, AdmissionControl &admission, std::shared_ptr<const ServerConfig> config);

    // Binds every listen address or none; prints the "listening on" lines
    // before any connection can be accepted. Returns an error or empty.
    Q_INVOKABLE QString bindAll();
    Q_INVOKABLE void closeAll();
    QList<ListenAddress> boundAddresses() const { return m_bound; }
    // On the accept thread, while running (PROTOCOL.md §11): listen on
    // exactly the entries of listen, compared as written with those in use.
    // An entry in both keeps its socket (port 0 too), a new one is bound
    // and logged `listening`, a dropped one stops accepting; connections
    // are untouched. Every new entry binds or none does, and then nothing
    // changes: returns the error. *bound: the real addresses, in order.
    QString updateListeners(const QList<ListenAddress> &listen, QList<ListenAddress> *bound);

signals:
    // See Listener: once per episode of failing accepts, then every 10 s.
    void acceptPaused(const QString &error, qint64 pausedMs, int retries);
    void acceptResumed(qint64 pausedMs, int retries);

private:
    // A listener on address, or nullptr with *error set.
    Listener *bindListener(const ListenAddress &address, QString *error);
    void dispatch(int fd, bool proxy, bool tls);
    void reportPaused(const QString &error, qint64 pausedMs, int retries);
    void reportResumed(qint64 pausedMs, int retries);

    std::vector<NetworkThread *> m_threads;
    AdmissionControl &m_admission;
    std::shared_ptr<const ServerConfig> m_config;
    EventLog m_log;
    // One entry per listener, in config order: its address as written
    // (port 0 stays 0) and as bound.
    QList<Listener *> m_listeners;
    QList<ListenAddress> m_written;
    QList<ListenAddress> m_bound;
    // A listener's options as its accept handler reads them: a reload that
    // only changes them (127.0.0.1:7600 to 127.0.0.1:7600,proxy) keeps the
    // socket. Accept thread only.
    struct Options
    {
        bool proxy = false;
        bool tls = false;
    };
    QHash<Listener *, std::shared_ptr<Options>> m_options;
    quint64 m_nextId = 1;
};

} // namespace Vigil
