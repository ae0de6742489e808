// The feed as JSON (docs/admin.md): connection snapshots, events and stats,
// encoded by vigild's admin API and decoded by a monitor attached to it.
// The key names below are the API; keep them stable, add, never rename.
//
// Times: the encoder turns monotonic deadlines and stamps into "ms left" /
// "ms ago" against the caller's now, and a timer that is off (0 in the
// snapshot) into null; the decoder turns them back into deadlines on the
// reader's own monotonic clock.
#pragma once

#include "serverstats.h"
#include "snapshots.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1String>
#include <QString>
#include <QVector>

#include <optional>

namespace Vigil::FeedJson {

namespace Key {
// Connection records.
inline constexpr QLatin1String Id{"id"};
inline constexpr QLatin1String Peer{"peer"};
inline constexpr QLatin1String Client{"client"};
inline constexpr QLatin1String Hello{"hello"};
inline constexpr QLatin1String Framing{"framing"};
inline constexpr QLatin1String Policy{"policy"};
inline constexpr QLatin1String State{"state"};
inline constexpr QLatin1String IdleTimeoutMs{"idle_timeout_ms"};
inline constexpr QLatin1String MaxLifetimeMs{"max_lifetime_ms"};
inline constexpr QLatin1String WriteTimeoutMs{"write_timeout_ms"};
inline constexpr QLatin1String ProbeIntervalMs{"probe_interval_ms"};
inline constexpr QLatin1String IdleLeftMs{"idle_left_ms"};
inline constexpr QLatin1String LifetimeLeftMs{"lifetime_left_ms"};
inline constexpr QLatin1String WriteLeftMs{"write_left_ms"};
inline constexpr QLatin1String MessagesIn{"messages_in"};
inline constexpr QLatin1String MessagesOut{"messages_out"};
inline constexpr QLatin1String BytesIn{"bytes_in"};
inline constexpr QLatin1String BytesOut{"bytes_out"};
inline constexpr QLatin1String PendingOut{"pending_out"};
inline constexpr QLatin1String LastMessage{"last_message"}; // previews only
inline constexpr QLatin1String AgeMs{"age_ms"};
inline constexpr QLatin1String LastActivityMsAgo{"last_activity_ms_ago"};
// A GOAWAY announced the close (PROTOCOL.md §10): in how long and why; both null without one.
inline constexpr QLatin1String ClosingInMs{"closing_in_ms"};
inline constexpr QLatin1String ClosingReason{"closing_reason"};
// Forward mode: the connection's upstream, an object of address, state
// and bytes_in / bytes_out / pending_out (absent in the other modes).
inline constexpr QLatin1String Upstream{"upstream"};
inline constexpr QLatin1String Proxy{"proxy"};
inline constexpr QLatin1String Tls{"tls"};
inline constexpr QLatin1String Version{"version"};
inline constexpr QLatin1String Cipher{"cipher"};
inline constexpr QLatin1String Address{"address"};
// Events (conn, peer as above).
inline constexpr QLatin1String Seq{"seq"};
inline constexpr QLatin1String Ts{"ts"};
inline constexpr QLatin1String Event{"event"};
inline constexpr QLatin1String Conn{"conn"};
inline constexpr QLatin1String Reason{"reason"};
inline constexpr QLatin1String Kind{"kind"};
inline constexpr QLatin1String Size{"size"};
inline constexpr QLatin1String Preview{"preview"}; // previews only
// The event page around them.
inline constexpr QLatin1String Events{"events"};
inline constexpr QLatin1String Last{"last"};
inline constexpr QLatin1String Latest{"latest"};
inline constexpr QLatin1String Missed{"missed"};
inline constexpr QLatin1String ServerDropped{"server_dropped"};
// Stats (messages_in ... bytes_out as above).
inline constexpr QLatin1String Accepted{"accepted"};
inline constexpr QLatin1String Rejected{"rejected"};
inline constexpr QLatin1String Open{"open"};
inline constexpr QLatin1String Closes{"closes"};
inline constexpr QLatin1String Timeouts{"timeouts"};
inline constexpr QLatin1String GoAways{"goaways"};
inline constexpr QLatin1String PingStrikes{"ping_strikes"};
inline constexpr QLatin1String Draining{"draining"};         // a drain is under way
inline constexpr QLatin1String DrainLeftMs{"drain_left_ms"}; // until its last close; null when not draining
inline constexpr QLatin1String UpstreamFailures{"upstream_failures"};
inline constexpr QLatin1String WatchdogLateness{"watchdog_lateness"};
inline constexpr QLatin1String Buckets{"buckets"};
inline constexpr QLatin1String LeUs{"le_us"};
inline constexpr QLatin1String Count{"count"};
inline constexpr QLatin1String SumUs{"sum_us"};
// Who answers the stats (vigild adds these).
inline constexpr QLatin1String Server{"server"};
inline constexpr QLatin1String Instance{"instance"}; // --instance-name
inline constexpr QLatin1String RunId{"run_id"};      // random per vigild process
inline constexpr QLatin1String StartedAt{"started_at"};
inline constexpr QLatin1String Listening{"listening"};
} // namespace Key

// Connection states as the API spells them.
QString connectionStateName(ConnectionState state);
std::optional<ConnectionState> parseConnectionState(const QString &name);

// Payload bytes (last_message, preview) can hold secrets: they are encoded
// only when the operator asked for them (--admin-previews).
enum class Previews : bool { Omit = false, Include = true };

QJsonObject encodeConnection(const ConnectionSnapshot &s, qint64 nowMs, Previews previews);
QJsonObject encodeEvent(const ServerEvent &event, quint64 seq, Previews previews);
QJsonObject encodeStats(const ServerStats &stats);

// The answer of GET /api/v1/events around already encoded events.
struct EventPageInfo
{
    quint64 last = 0;
    quint64 latest = 0;
    quint64 missed = 0;
    quint64 serverDropped = 0;
};
QJsonObject encodeEventPage(const QJsonArray &events, const EventPageInfo &info);

// A decoded value, or why there is none (one line naming the key).
template <typename T>
struct Decoded
{
    std::optional<T> value;
    QString error;

    explicit operator bool() const { return value.has_value(); }
    static Decoded failure(QString why) { return Decoded{std::nullopt, std::move(why)}; }
};

struct DecodedEvent
{
    quint64 seq = 0;
    ServerEvent event;
};

struct EventPage
{
    QVector<DecodedEvent> events;
    EventPageInfo info;
    // Events this build cannot represent (a kind from a newer vigild) or
    // that do not parse; left out of `events`, the first one's error kept.
    int undecoded = 0;
    QString firstError;
};

// Keys that are missing take their defaults (0, "", false, off); a key of
// the wrong type or out of range, or an unknown framing, policy, state,
// event kind or timeout kind is an error. An unknown close reason decodes
// as CloseReason::None: PROTOCOL.md lets the list grow.
//
// nowMs: the reader's MonotonicClock::nowMs(); deadlines and stamps are
// placed on it. wallNowMs: its UTC clock, to place an event's `ts`.
Decoded<ConnectionSnapshot> decodeConnection(const QJsonValue &json, qint64 nowMs);
Decoded<DecodedEvent> decodeEvent(const QJsonValue &json, qint64 nowMs, qint64 wallNowMs);
Decoded<EventPage> decodeEventPage(const QJsonValue &json, qint64 nowMs, qint64 wallNowMs);
// sampledAtMs is set to nowMs.
Decoded<ServerStats> decodeStats(const QJsonValue &json, qint64 nowMs);

} // namespace Vigil::FeedJson
