// What an application puts behind the watchdogs: a MessageHandler gets a
// connection's open, each complete DATA message and its close, on the
// connection's network thread. Framing, HELLO, PING/PONG, BYE, limits and
// every watchdog stay in the core and apply whatever the handler does; the
// handler sees only payloads (docs/embedding.md).
#pragma once

#include "closereason.h"
#include "peeraddress.h"
#include "policy.h"

#include <QByteArrayView>
#include <QString>

namespace Vigil {

class Connection;
class Server;

// A connection as its handler sees it. Handed to each callback and valid
// only during it, on that connection's network thread: keep the id (and
// Server::send) to reach the connection later or from another thread.
class Session final
{
public:
    quint64 id() const;
    const PeerAddress &peer() const;
    QString clientName() const; // from HELLO; empty without one
    Policy policy() const;      // HELLO's choice, else the listener's
    bool isOpen() const;

    // One DATA message in the connection's framing, sent after the
    // current read's replies. false when the connection is closing or the
    // message cannot be held (it is then closed: server-full / slow-consumer).
    bool send(QByteArrayView payload);
    // BYE `reason` where the framing has BYE, a flush, then close.
    void close(CloseReason reason = CloseReason::Kicked);

    // One pointer for the application's per-connection state; the handler
    // owns what it points to (free it in MessageHandler::closed).
    void *userData() const;
    void setUserData(void *data);

private:
    friend class Connection;
    friend class ForwardHandler;
    explicit Session(Connection &connection)
        : m_connection(connection)
    {
    }
    Connection &m_connection;
};

// Called on the network threads, several at once (one per thread): state
// shared across connections needs its own lock; a connection's own state
// belongs in its Session's user data. Callbacks must not block: they run
// between other connections' reads.
class MessageHandler
{
public:
    virtual ~MessageHandler() = default;
    // On the Server's thread in Server::start, before any connection: the
    // server whose thread-safe send/broadcast/kick the handler may call.
    virtual void attached(Server &server) { Q_UNUSED(server) }
    // After accept (and after any PROXY header), before the first message.
    virtual void opened(Session &session) { Q_UNUSED(session) }
    // After an accepted HELLO and its WELCOME: clientName() and policy()
    // hold the client's choices from here on.
    virtual void greeted(Session &session) { Q_UNUSED(session) }
    // One complete DATA message (PING, PONG, HELLO and BYE never come here).
    virtual void received(Session &session, QByteArrayView payload) = 0;
    // Once, when the connection is done: after its BYE (if any) went out,
    // or when the peer left. send() no longer works.
    virtual void closed(Session &session, CloseReason reason)
    {
        Q_UNUSED(session)
        Q_UNUSED(reason)
    }
};

// vigild's modes are two handlers on the same API.
class EchoHandler final : public MessageHandler
{
public:
    void received(Session &session, QByteArrayView payload) override { session.send(payload); }
};

class SinkHandler final : public MessageHandler
{
public:
    void received(Session &, QByteArrayView) override {}
};

} // namespace Vigil
