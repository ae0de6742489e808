// Admin client: a queue drained in order, throttled by unsent output.
#include "adminclient.h"

#include "monotonicclock.h"

#include <QTcpSocket>

namespace Vigil {

namespace {
QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return QByteArrayLiteral("OK");
    case 202: return QByteArrayLiteral("Accepted");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 503: return QByteArrayLiteral("Service Unavailable");
    }
    return QByteArrayLiteral("Unknown");
}
} // namespace

AdminClient::AdminClient(QTcpSocket *socket, Serve serve)
    : QObject(socket)
    , m_socket(socket)
    , m_serve(std::move(serve))
    , m_source(socket->peerAddress())
{
    // Qt HttpServer keeps an unfinished request in the socket's buffer (a
    // read transaction), so the buffer size bounds one request.
    socket->setReadBufferSize(MaxRequestBytes);
    m_deadline.setSingleShot(true);
    m_deadline.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5 % early

    connect(&m_deadline, &QTimer::timeout, this, &AdminClient::handleDeadline);
    connect(socket, &QTcpSocket::bytesWritten, this, &AdminClient::handleBytesWritten);
    settle();
}

AdminClient *AdminClient::of(QTcpSocket *socket)
{
    return socket->findChild<AdminClient *>(QString(), Qt::FindDirectChildrenOnly);
}

// Qt parses every request already in the socket's buffer, one after the
// other, whatever we still owe: beyond MaxQueued the client goes.
void AdminClient::enqueue(const AdminRequest &request)
{
    if (int(m_queue.size()) >= MaxQueued) {
        drop();
        return;
    }
    m_queue.push_back(request);
    pump();
}

void AdminClient::answer(const AdminAnswer &answer)
{
    if (!m_serving)
        return;
    const bool head = m_queue.front().method == AdminRequest::Method::Head;
    QByteArray out = "HTTP/1.1 " + QByteArray::number(answer.status) + ' ' + reasonPhrase(answer.status) + "\r\n";
    for (const auto &header : answer.headers)
        out += header.first + ": " + header.second + "\r\n";
    out += "Content-Length: " + QByteArray::number(answer.body.size()) + "\r\n\r\n";
    if (!head)
        out += answer.body;
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->write(out);
    m_queue.pop_front();
    m_serving = false;
    if (!m_pumping)
        pump();
}

void AdminClient::drop()
{
    m_queue.clear();
    m_serving = false;
    m_deadline.stop();
    m_socket->abort();
}

void AdminClient::flush()
{
    m_socket->flush();
}

// Serves the oldest request while nothing is being served and little
// output waits. An answer given at once lets the loop go on.
void AdminClient::pump()
{
    m_pumping = true;
    while (!m_serving && !m_queue.empty() && m_socket->state() == QAbstractSocket::ConnectedState
           && m_socket->bytesToWrite() < OutputHighWater) {
        m_serving = true;
        m_serve(*this, m_queue.front());
    }
    m_pumping = false;
    settle();
}

// Picks the deadline for what the client is waited for now. While it is
// owed an answer vigild reads no further requests from it (the socket
// buffer shrinks to one byte, so TCP pushes back on a pipelining client).
void AdminClient::settle()
{
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_socket->setReadBufferSize(m_queue.empty() ? MaxRequestBytes : 1);
    Wait wanted = Wait::None; // a long poll: its own wait_ms bounds it
    if (m_socket->bytesToWrite() > 0)
        wanted = Wait::Write;
    else if (m_queue.empty())
        wanted = Wait::Request;
    if (wanted == m_wait)
        return;
    m_wait = wanted;
    if (wanted == Wait::None) {
        m_deadline.stop();
        return;
    }
    if (wanted == Wait::Request)
        m_waitingSinceMs = MonotonicClock::nowMs();
    m_deadline.start(wanted == Wait::Request ? RequestTimeoutMs : WriteTimeoutMs);
}

// Progress on the output restarts its deadline; new requests do not.
void AdminClient::handleBytesWritten()
{
    if (m_wait == Wait::Write)
        m_deadline.start();
    pump();
}

void AdminClient::handleDeadline()
{
    if (m_wait == Wait::Request) {
        // Nothing is owed: close cleanly, so an idle keep-alive client sees a FIN.
        m_socket->disconnectFromHost();
        return;
    }
    drop();
}

} // namespace Vigil
