// JSON for the admin API. Times are milliseconds; a timer that is off
// (0 in the snapshot) is null, so clients need not know the sentinel.
#include "adminjson.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>

namespace Vigil::AdminJson {

namespace {
QJsonValue msLeft(qint64 deadlineMs, qint64 nowMs)
{
    if (deadlineMs <= 0)
        return QJsonValue(QJsonValue::Null);
    return double(std::max<qint64>(0, deadlineMs - nowMs));
}

QJsonValue msOrNull(qint64 ms)
{
    return ms > 0 ? QJsonValue(double(ms)) : QJsonValue(QJsonValue::Null);
}
} // namespace

QString eventName(EventKind kind)
{
    switch (kind) {
    case EventKind::Connected: return QStringLiteral("connected");
    case EventKind::Hello: return QStringLiteral("hello");
    case EventKind::MessageIn: return QStringLiteral("message_in");
    case EventKind::MessageOut: return QStringLiteral("message_out");
    case EventKind::PingIn: return QStringLiteral("ping_in");
    case EventKind::PingOut: return QStringLiteral("ping_out");
    case EventKind::PongIn: return QStringLiteral("pong_in");
    case EventKind::Timeout: return QStringLiteral("timeout");
    case EventKind::Closed: return QStringLiteral("closed");
    case EventKind::Rejected: return QStringLiteral("rejected");
    }
    return QString();
}

QJsonObject connection(const ConnectionSnapshot &s, qint64 nowMs, bool previews)
{
    QJsonObject o;
    o.insert(QStringLiteral("id"), double(s.id));
    o.insert(QStringLiteral("peer"), s.peer);
    o.insert(QStringLiteral("client"), s.client);
    o.insert(QStringLiteral("hello"), s.hello);
    o.insert(QStringLiteral("framing"), framingName(s.framing));
    o.insert(QStringLiteral("policy"), policyName(s.timers.policy));
    o.insert(QStringLiteral("state"),
             s.state == ConnectionState::Open ? QStringLiteral("open") : QStringLiteral("closing"));
    o.insert(QStringLiteral("idle_timeout_ms"), double(s.timers.idleTimeoutMs));
    o.insert(QStringLiteral("max_lifetime_ms"), double(s.timers.maxLifetimeMs));
    o.insert(QStringLiteral("write_timeout_ms"), double(s.timers.writeTimeoutMs));
    o.insert(QStringLiteral("probe_interval_ms"), double(s.timers.probeIntervalMs));
    o.insert(QStringLiteral("idle_left_ms"), msLeft(s.idleDeadlineMs, nowMs));
    o.insert(QStringLiteral("lifetime_left_ms"), msLeft(s.lifetimeDeadlineMs, nowMs));
    o.insert(QStringLiteral("messages_in"), double(s.messagesIn));
    o.insert(QStringLiteral("messages_out"), double(s.messagesOut));
    o.insert(QStringLiteral("bytes_in"), double(s.bytesIn));
    o.insert(QStringLiteral("bytes_out"), double(s.bytesOut));
    o.insert(QStringLiteral("pending_out"), double(s.pendingOut));
    // The last inbound DATA's first bytes, as text (invalid UTF-8 replaced).
    if (previews)
        o.insert(QStringLiteral("last_message"), QString::fromUtf8(s.lastMessage));
    o.insert(QStringLiteral("age_ms"), msOrNull(s.acceptedAtMs > 0 ? nowMs - s.acceptedAtMs : 0));
    o.insert(QStringLiteral("last_activity_ms_ago"),
             double(s.lastActivityAtMs > 0 ? std::max<qint64>(0, nowMs - s.lastActivityAtMs) : 0));
    return o;
}

QJsonObject event(const EventRing::Entry &entry, bool previews)
{
    const ServerEvent &e = entry.event;
    QJsonObject o;
    o.insert(QStringLiteral("seq"), double(entry.seq));
    o.insert(QStringLiteral("ts"),
             QDateTime::fromMSecsSinceEpoch(e.wallMs, Qt::UTC).toString(Qt::ISODateWithMs));
    o.insert(QStringLiteral("event"), eventName(e.kind));
    if (e.conn != 0)
        o.insert(QStringLiteral("conn"), double(e.conn));
    if (!e.peer.isEmpty())
        o.insert(QStringLiteral("peer"), e.peer);
    switch (e.kind) {
    case EventKind::Closed:
    case EventKind::Rejected:
        o.insert(QStringLiteral("reason"), closeReasonName(e.reason));
        break;
    case EventKind::Timeout:
        o.insert(QStringLiteral("kind"), timeoutKindName(e.timeout));
        break;
    case EventKind::MessageIn:
    case EventKind::MessageOut:
    case EventKind::PingIn:
    case EventKind::PingOut:
    case EventKind::PongIn:
        o.insert(QStringLiteral("size"), double(e.size));
        if (previews && !e.preview.isEmpty())
            o.insert(QStringLiteral("preview"), QString::fromUtf8(e.preview));
        break;
    case EventKind::Connected:
    case EventKind::Hello:
        break;
    }
    return o;
}

QJsonObject stats(const ServerStats &s)
{
    QJsonObject o;
    o.insert(QStringLiteral("accepted"), double(s.accepted));
    o.insert(QStringLiteral("rejected"), double(s.rejected));
    o.insert(QStringLiteral("open"), double(s.open));
    o.insert(QStringLiteral("messages_in"), double(s.messagesIn));
    o.insert(QStringLiteral("messages_out"), double(s.messagesOut));
    o.insert(QStringLiteral("bytes_in"), double(s.bytesIn));
    o.insert(QStringLiteral("bytes_out"), double(s.bytesOut));
    QJsonObject closes;
    for (int i = 0; i < CloseReasonCount; ++i) {
        const CloseReason reason = closeReasonAt(i);
        if (reason != CloseReason::None)
            closes.insert(closeReasonName(reason), double(s.closes[size_t(i)]));
    }
    o.insert(QStringLiteral("closes"), closes);
    QJsonObject timeouts;
    for (TimeoutKind kind : {TimeoutKind::Idle, TimeoutKind::Lifetime, TimeoutKind::Write})
        timeouts.insert(timeoutKindName(kind), double(s.timeoutsFor(kind)));
    o.insert(QStringLiteral("timeouts"), timeouts);
    // Per-bucket (not cumulative) counts; "le_us" null is the overflow bucket.
    QJsonArray buckets;
    for (size_t i = 0; i < s.lateness.size(); ++i) {
        QJsonObject b;
        b.insert(QStringLiteral("le_us"), i < LatenessBucketsUs.size() ? QJsonValue(double(LatenessBucketsUs[i]))
                                                                       : QJsonValue(QJsonValue::Null));
        b.insert(QStringLiteral("count"), double(s.lateness[i]));
        buckets.append(b);
    }
    QJsonObject lateness;
    lateness.insert(QStringLiteral("buckets"), buckets);
    lateness.insert(QStringLiteral("sum_us"), double(s.latenessSumUs));
    o.insert(QStringLiteral("watchdog_lateness"), lateness);
    return o;
}

QJsonObject error(int status, const QString &message)
{
    QJsonObject o;
    o.insert(QStringLiteral("status"), status);
    o.insert(QStringLiteral("error"), message);
    return o;
}

} // namespace Vigil::AdminJson
