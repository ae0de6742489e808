// The admin endpoint's listening socket: the data listener's accept loop
// (pause and retry when out of descriptors, never spin: PROTOCOL.md §7)
// feeding QAbstractHttpServer, which takes sockets from QTcpServer's
// pending queue.
#pragma once

#include "listener.h"

#include <functional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace Vigil {

class AdminListener final : public Listener
{
    Q_OBJECT
public:
    // admit() sees each accepted socket first; false closes it.
    using Admit = std::function<bool(QTcpSocket *socket)>;

    explicit AdminListener(Admit admit, QObject *parent = nullptr);

    QTcpSocket *nextPendingConnection() override;

private:
    void adopt(int fd);

    Admit m_admit;
};

} // namespace Vigil
