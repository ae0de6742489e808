// What the core tells the outside world (GUI, admin endpoint): value
// records of connections and a bounded stream of events, delivered in
// batches at most every publish interval, never one signal per message.
#pragma once

#include "closereason.h"
#include "framing.h"
#include "serverconfig.h"
#include "serverstats.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <array>
#include <optional>

namespace Vigil {

enum class ConnectionState : quint8 { Open, Closing };

// Forward mode: a connection's upstream (PROTOCOL.md §8).
enum class UpstreamState : quint8 { Connecting, Open, Closed };
inline const char *upstreamStateName(UpstreamState state)
{
    return state == UpstreamState::Connecting ? "connecting" : state == UpstreamState::Open ? "open" : "closed";
}

struct UpstreamSnapshot
{
    QString address; // "127.0.0.1:9000", "unix:/run/app.sock"
    UpstreamState state = UpstreamState::Connecting;
    quint64 bytesIn = 0;    // from the upstream
    quint64 bytesOut = 0;   // to the upstream
    quint64 pendingOut = 0; // client bytes the upstream has not taken yet
    bool operator==(const UpstreamSnapshot &o) const
    {
        return address == o.address && state == o.state && bytesIn == o.bytesIn && bytesOut == o.bytesOut
            && pendingOut == o.pendingOut;
    }
};

struct ConnectionSnapshot
{
    quint64 id = 0;
    QString peer;   // "127.0.0.1:50123"; behind a ,proxy listener the client the header named
    QString proxy;  // PROTOCOL.md §9: the socket address of the proxy that sent the header, empty if none
    QString tlsVersion; // ,tls listeners, once the handshake is done: "TLSv1.3"
    QString tlsCipher;  // "TLS_AES_256_GCM_SHA384"
    QString client; // from HELLO, empty without one
    Framing framing = Framing::Vigil;
    ConnectionState state = ConnectionState::Open;
    ConnectionTimers timers;
    bool hello = false;
    // Monotonic milliseconds (MonotonicClock::nowMs()); 0 = not applicable.
    qint64 acceptedAtMs = 0;
    qint64 lastActivityAtMs = 0; // last complete inbound message, or accept
    qint64 idleDeadlineMs = 0;
    qint64 lifetimeDeadlineMs = 0;
    qint64 writeDeadlineMs = 0;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    quint64 pendingOut = 0;
    QByteArray lastMessage; // preview of the last inbound DATA (at most PreviewBytes)
    // A GOAWAY announced the close (PROTOCOL.md §10): when, and why.
    qint64 closingAtMs = 0;
    CloseReason closingReason = CloseReason::None;
    std::optional<UpstreamSnapshot> upstream; // forward mode only
    qint64 snapshotAtMs = 0;

    static constexpr int PreviewBytes = 64;
};

enum class EventKind : quint8 {
    Connected,
    Hello,
    MessageIn,
    MessageOut,
    PingIn,
    PingOut,
    PongIn,
    Timeout,
    Closed,
    Rejected,
};

struct EventKindInfo
{
    EventKind kind;
    const char *name; // the admin API's "event" (docs/admin.md)
};
// The one table of event kind names; indexed by the enum's value. The
// monitor's display text is gui/models/feedtext.h's business.
inline constexpr std::array<EventKindInfo, 10> EventKinds = {{
    {EventKind::Connected, "connected"},
    {EventKind::Hello, "hello"},
    {EventKind::MessageIn, "message_in"},
    {EventKind::MessageOut, "message_out"},
    {EventKind::PingIn, "ping_in"},
    {EventKind::PingOut, "ping_out"},
    {EventKind::PongIn, "pong_in"},
    {EventKind::Timeout, "timeout"},
    {EventKind::Closed, "closed"},
    {EventKind::Rejected, "rejected"},
}};
constexpr int EventKindCount = int(EventKinds.size());

namespace Detail {
constexpr bool eventKindsAreIndexed()
{
    for (size_t i = 0; i < EventKinds.size(); ++i) {
        if (size_t(EventKinds[i].kind) != i)
            return false;
    }
    return true;
}
} // namespace Detail
static_assert(Detail::eventKindsAreIndexed(), "EventKinds is indexed by the enum's value");

// Machine names: "message_in", never display text.
QString eventKindName(EventKind kind);
std::optional<EventKind> parseEventKind(const QString &name);

struct ServerEvent
{
    quint64 seq = 0;     // position in the server's one ordered stream (EventMerger), from 1
    qint64 atMs = 0;     // monotonic
    qint64 wallMs = 0;   // UTC, for display only
    EventKind kind = EventKind::Connected;
    quint64 conn = 0;
    QString peer;
    CloseReason reason = CloseReason::None; // Closed, Rejected
    TimeoutKind timeout = TimeoutKind::Idle; // Timeout
    quint32 size = 0;                         // Message*, Ping*
    QByteArray preview;                       // Message*: the first PayloadBytes
    // As much of a payload as vigild's own log keeps (the "payload" field):
    // the monitor's payload inspector shows this, an attached one too.
    static constexpr int PayloadBytes = 1024;
};

struct ClosedConnection
{
    quint64 id = 0;
    CloseReason reason = CloseReason::None;
};

// One publish tick of one network thread (every tick, even an empty one, so
// that Server can merge the threads' events in time order). What Server
// emits: each thread's snapshots as published, events stripped, then one
// batch with thread -1 holding the merged, numbered events.
struct ServerBatch
{
    QVector<ConnectionSnapshot> updated; // opened or changed since the last batch; a closed one's final state
    QVector<ClosedConnection> closed;
    QVector<ServerEvent> events;
    quint64 eventsDropped = 0; // events not sent because the tick's budget was spent
    bool full = false;         // updated holds every open connection of its thread
    int thread = 0;            // -1: Server's merged event batch (events only)
    qint64 atMs = 0;           // monotonic: the thread has reported everything up to here
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ConnectionSnapshot)
Q_DECLARE_METATYPE(Vigil::ServerEvent)
Q_DECLARE_METATYPE(Vigil::ServerBatch)
