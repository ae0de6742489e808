// One admin connection: its requests answered one at a time in arrival
// order (HTTP/1.1 pipelining), and the deadlines that drop it. Bounds what
// one client can make vigild hold: one unfinished request, at most
// MaxQueued parsed ones waiting for their turn, and answers written only
// while less than OutputHighWater bytes of earlier ones are unsent.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QTimer>
#include <QUrlQuery>

#include <deque>
#include <functional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace Vigil {

// What the endpoint needs of a request, copied out of Qt's: Qt reuses one
// QHttpServerRequest per connection for the next pipelined request.
struct AdminRequest
{
    enum class Method { Get, Head, Post, Other };
    Method method = Method::Other;
    QString path;
    QUrlQuery query;
    QByteArray body; // POST's (bounded by AdminServer::MaxRequestBody)
    bool authorized = false;
};

struct AdminAnswer
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

class AdminClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminClient)
public:
    // A request larger than this (a huge body) stalls in the socket's
    // buffer and its client is dropped by the request deadline.
    static constexpr qint64 MaxRequestBytes = 64 * 1024;
    static constexpr int MaxQueued = 16;
    static constexpr qint64 OutputHighWater = 64 * 1024;
    // A request must be complete this long after accept or after the
    // previous answer left; a stalled answer is dropped after WriteTimeoutMs.
    static constexpr int RequestTimeoutMs = 5000;
    static constexpr int WriteTimeoutMs = 10000;

    // serve() answers the request with answer(), at once or later (a long poll).
    using Serve = std::function<void(AdminClient &client, const AdminRequest &request)>;

    // Lives as a child of socket, so it goes when the socket does.
    AdminClient(QTcpSocket *socket, Serve serve);
    static AdminClient *of(QTcpSocket *socket);

    void enqueue(const AdminRequest &request);
    // Answers the request being served (the oldest one).
    void answer(const AdminAnswer &answer);
    void drop();

    // Owes nothing and is waiting for a request, since waitingSinceMs().
    bool waiting() const { return m_wait == Wait::Request; }
    qint64 waitingSinceMs() const { return m_waitingSinceMs; }
    QHostAddress source() const { return m_source; }
    // Writes what is unsent now (vigild is stopping).
    void flush();

private:
    enum class Wait { None, Request, Write };

    void pump();
    void settle();
    void handleBytesWritten();
    void handleDeadline();

    QTcpSocket *m_socket;
    Serve m_serve;
    QHostAddress m_source;
    std::deque<AdminRequest> m_queue; // front: being served
    bool m_serving = false;
    bool m_pumping = false;
    Wait m_wait = Wait::None;
    qint64 m_waitingSinceMs = 0;
    QTimer m_deadline;
};

} // namespace Vigil
