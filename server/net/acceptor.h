// Lives on the server's accept thread: binds the listeners, then turns
// each accepted descriptor into a connection on a network thread, or a
// server-full refusal. Connection ids are handed out here, and id % N
// picks the network thread, so a kick finds its connection without a table.
#pragma once

#include "admissioncontrol.h"
#include "eventlog.h"
#include "serverconfig.h"

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

signals:
    // See Listener: once per episode of failing accepts, then every 10 s.
    void acceptPaused(const QString &error, qint64 pausedMs, int retries);
    void acceptResumed(qint64 pausedMs, int retries);

private:
    void dispatch(int fd);
    void reportPaused(const QString &error, qint64 pausedMs, int retries);
    void reportResumed(qint64 pausedMs, int retries);

    std::vector<NetworkThread *> m_threads;
    AdmissionControl &m_admission;
    std::shared_ptr<const ServerConfig> m_config;
    EventLog m_log;
    QList<Listener *> m_listeners;
    QList<ListenAddress> m_bound;
    quint64 m_nextId = 1;
};

} // namespace Vigil
