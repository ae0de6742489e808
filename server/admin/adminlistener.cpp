// Admin listener: accepted descriptors become QTcpSockets for the HTTP server.
#include "adminlistener.h"

#include <QTcpSocket>

#include <unistd.h>

namespace Vigil {

AdminListener::AdminListener(Admit admit, QObject *parent)
    : Listener([this](int fd) { adopt(fd); }, parent)
    , m_admit(std::move(admit))
{
}

void AdminListener::adopt(int fd)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(fd)) {
        ::close(fd);
        delete socket;
        return;
    }
    if (!m_admit(socket)) {
        socket->abort();
        delete socket;
        return;
    }
    addPendingConnection(socket);
}

// Qt's nextPendingConnection() turns QTcpServer's own accept notifier back
// on, and that loop is the one that spins or stops for good when out of
// descriptors. Listener accepts; keep Qt's loop off.
QTcpSocket *AdminListener::nextPendingConnection()
{
    QTcpSocket *socket = QTcpServer::nextPendingConnection();
    QTcpServer::pauseAccepting();
    return socket;
}

} // namespace Vigil
