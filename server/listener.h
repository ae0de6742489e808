// One listening address. A QTcpServer that hands every accepted
// descriptor straight to the dispatcher (no QTcpSocket is ever made), with
// a 4096 backlog and a back-off instead of a spin when out of descriptors.
#pragma once

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

signals:
    // accept() failed for want of resources; accepting resumes by itself.
    void acceptPaused(const QString &error);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void handleAcceptError(QAbstractSocket::SocketError error);

    Handler m_handler;
    QTimer m_resumeTimer;
};

} // namespace Vigil
