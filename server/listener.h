// One listening address. A QTcpServer for binding, with its own accept
// loop that hands every accepted descriptor straight to the dispatcher (no
// QTcpSocket is ever made), a 4096 backlog, and a back-off instead of a
// spin when out of descriptors.
#pragma once

#include <QSocketNotifier>
#include <QTcpServer>
#include <QTimer>
#include <functional>

namespace Vigil {

class Listener final : public QTcpServer
{
    Q_OBJECT
public:
    using Handler = std::function<void(int fd)>;
    static constexpr int Backlog = 4096;

    explicit Listener(Handler handler, QObject *parent = nullptr);

    // QTcpServer::listen, then accepting with our own loop. QTcpServer's
    // loop cannot be used: once an accept() has returned EAGAIN, its socket
    // engine reports every later error as temporary, so EMFILE made it spin.
    bool listen(const QHostAddress &address, quint16 port);
    void close();

signals:
    // accept() failed for want of resources; accepting resumes by itself.
    void acceptPaused(const QString &error);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void acceptPending();

    Handler m_handler;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_resumeTimer;
};

} // namespace Vigil
