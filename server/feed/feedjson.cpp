// Feed JSON codec. Every name comes from the protocol's tables
// (closereason.h, framing.h, policy.h, snapshots.h); every key from
// FeedJson::Key.
#include "feedjson.h"

#include "monotonicclock.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Vigil::FeedJson {

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

bool hasSize(EventKind kind)
{
    switch (kind) {
    case EventKind::MessageIn:
    case EventKind::MessageOut:
    case EventKind::PingIn:
    case EventKind::PingOut:
    case EventKind::PongIn:
        return true;
    case EventKind::Connected:
    case EventKind::Hello:
    case EventKind::Timeout:
    case EventKind::Closed:
    case EventKind::Rejected:
        break;
    }
    return false;
}

// Reads keys of one object; the first problem sticks and names its key.
class Reader
{
public:
    Reader(const QJsonObject &object, const char *what)
        : m_object(object)
        , m_what(what)
    {
    }

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    bool has(QLatin1String key) const
    {
        const QJsonValue v = m_object.value(key);
        return !v.isUndefined() && !v.isNull();
    }

    // A whole number from 0 to 2^53 (what a JSON double holds exactly).
    quint64 u64(QLatin1String key, quint64 fallback = 0)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || !ok())
            return fallback;
        if (!v.isDouble()) {
            fail(key, QStringLiteral("expected a number"));
            return fallback;
        }
        const double d = v.toDouble();
        if (!std::isfinite(d) || d < 0 || d > 9007199254740992.0 || std::floor(d) != d) {
            fail(key, QStringLiteral("expected a whole number from 0 to 2^53, got %1").arg(d));
            return fallback;
        }
        return quint64(d);
    }
    qint64 ms(QLatin1String key) { return qint64(u64(key)); }
    // A number, or null (timer off); missing is off too.
    std::optional<qint64> msOrNull(QLatin1String key)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull() || !ok())
            return std::nullopt;
        const quint64 n = u64(key);
        return ok() ? std::optional<qint64>(qint64(n)) : std::nullopt;
    }

    QString string(QLatin1String key)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || !ok())
            return QString();
        if (!v.isString()) {
            fail(key, QStringLiteral("expected a string"));
            return QString();
        }
        return v.toString();
    }

    bool boolean(QLatin1String key)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || !ok())
            return false;
        if (!v.isBool()) {
            fail(key, QStringLiteral("expected true or false"));
            return false;
        }
        return v.toBool();
    }

    QJsonObject object(QLatin1String key)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || !ok())
            return QJsonObject();
        if (!v.isObject()) {
            fail(key, QStringLiteral("expected an object"));
            return QJsonObject();
        }
        return v.toObject();
    }

    QJsonArray array(QLatin1String key, bool required = false)
    {
        const QJsonValue v = m_object.value(key);
        if (!ok())
            return QJsonArray();
        if (v.isUndefined() && !required)
            return QJsonArray();
        if (!v.isArray()) {
            fail(key, v.isUndefined() ? QStringLiteral("missing") : QStringLiteral("expected an array"));
            return QJsonArray();
        }
        return v.toArray();
    }

    // A name from one of the protocol's tables, or an error naming it.
    template <typename T>
    std::optional<T> name(QLatin1String key, std::optional<T> (*parse)(const QString &), T fallback)
    {
        if (!m_object.contains(key) || !ok())
            return fallback;
        const QString text = string(key);
        if (!ok())
            return std::nullopt;
        const std::optional<T> value = parse(text);
        if (!value)
            fail(key, QStringLiteral("unknown name \"%1\"").arg(text.left(64)));
        return value;
    }

    void fail(QLatin1String key, const QString &why)
    {
        if (ok())
            m_error = QStringLiteral("%1 \"%2\": %3").arg(QLatin1String(m_what), key, why);
    }

private:
    QJsonObject m_object;
    const char *m_what;
    QString m_error;
};

template <typename T>
Decoded<T> notAnObject(const char *what, const QJsonValue &json)
{
    static const char *const types[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
    const int t = int(json.type());
    const char *type = (t >= 0 && t < 6) ? types[t] : "nothing";
    return Decoded<T>::failure(QStringLiteral("%1: expected a JSON object, got %2").arg(QLatin1String(what), QLatin1String(type)));
}
} // namespace

QString connectionStateName(ConnectionState state)
{
    return state == ConnectionState::Closing ? QStringLiteral("closing") : QStringLiteral("open");
}

std::optional<ConnectionState> parseConnectionState(const QString &name)
{
    if (name == QLatin1String("open"))
        return ConnectionState::Open;
    if (name == QLatin1String("closing"))
        return ConnectionState::Closing;
    return std::nullopt;
}

QJsonObject encodeConnection(const ConnectionSnapshot &s, qint64 nowMs, Previews previews)
{
    QJsonObject o;
    o.insert(Key::Id, double(s.id));
    o.insert(Key::Peer, s.peer);
    // Proxied connections only (PROTOCOL.md §9): the peer is then the
    // client the PROXY header named, this is who sent it.
    if (!s.proxy.isEmpty())
        o.insert(Key::Proxy, s.proxy);
    // TLS connections only, once the handshake is done: as the `tls` event.
    if (!s.tlsVersion.isEmpty())
        o.insert(Key::Tls, QJsonObject{{Key::Version, s.tlsVersion}, {Key::Cipher, s.tlsCipher}});
    o.insert(Key::Client, s.client);
    o.insert(Key::Hello, s.hello);
    o.insert(Key::Framing, framingName(s.framing));
    o.insert(Key::Policy, policyName(s.timers.policy));
    o.insert(Key::State, connectionStateName(s.state));
    o.insert(Key::IdleTimeoutMs, double(s.timers.idleTimeoutMs));
    o.insert(Key::MaxLifetimeMs, double(s.timers.maxLifetimeMs));
    o.insert(Key::WriteTimeoutMs, double(s.timers.writeTimeoutMs));
    o.insert(Key::ProbeIntervalMs, double(s.timers.probeIntervalMs));
    o.insert(Key::IdleLeftMs, msLeft(s.idleDeadlineMs, nowMs));
    o.insert(Key::LifetimeLeftMs, msLeft(s.lifetimeDeadlineMs, nowMs));
    // Runs only while output waits for the client (PROTOCOL.md §3).
    o.insert(Key::WriteLeftMs, msLeft(s.writeDeadlineMs, nowMs));
    o.insert(Key::MessagesIn, double(s.messagesIn));
    o.insert(Key::MessagesOut, double(s.messagesOut));
    o.insert(Key::BytesIn, double(s.bytesIn));
    o.insert(Key::BytesOut, double(s.bytesOut));
    o.insert(Key::PendingOut, double(s.pendingOut));
    // The last inbound DATA's first bytes, as text (invalid UTF-8 replaced).
    if (previews == Previews::Include)
        o.insert(Key::LastMessage, QString::fromUtf8(s.lastMessage));
    o.insert(Key::AgeMs, msOrNull(s.acceptedAtMs > 0 ? nowMs - s.acceptedAtMs : 0));
    o.insert(Key::LastActivityMsAgo,
             double(s.lastActivityAtMs > 0 ? std::max<qint64>(0, nowMs - s.lastActivityAtMs) : 0));
    o.insert(Key::ClosingInMs, msLeft(s.closingAtMs, nowMs));
    o.insert(Key::ClosingReason, s.closingReason == CloseReason::None ? QJsonValue(QJsonValue::Null)
                                                                      : QJsonValue(closeReasonName(s.closingReason)));
    if (s.upstream) {
        QJsonObject u;
        u.insert(Key::Address, s.upstream->address);
        u.insert(Key::State, QLatin1String(upstreamStateName(s.upstream->state)));
        u.insert(Key::BytesIn, double(s.upstream->bytesIn));
        u.insert(Key::BytesOut, double(s.upstream->bytesOut));
        u.insert(Key::PendingOut, double(s.upstream->pendingOut));
        o.insert(Key::Upstream, u);
    }
    return o;
}

QJsonObject encodeEvent(const ServerEvent &e, quint64 seq, Previews previews)
{
    QJsonObject o;
    o.insert(Key::Seq, double(seq));
    o.insert(Key::Ts, QDateTime::fromMSecsSinceEpoch(e.wallMs, Qt::UTC).toString(Qt::ISODateWithMs));
    o.insert(Key::Event, eventKindName(e.kind));
    if (e.conn != 0)
        o.insert(Key::Conn, double(e.conn));
    if (!e.peer.isEmpty())
        o.insert(Key::Peer, e.peer);
    switch (e.kind) {
    case EventKind::Closed:
    case EventKind::Rejected:
        o.insert(Key::Reason, closeReasonName(e.reason));
        break;
    case EventKind::Timeout:
        o.insert(Key::Kind, timeoutKindName(e.timeout));
        break;
    case EventKind::MessageIn:
    case EventKind::MessageOut:
    case EventKind::PingIn:
    case EventKind::PingOut:
    case EventKind::PongIn:
        o.insert(Key::Size, double(e.size));
        if (previews == Previews::Include && !e.preview.isEmpty())
            o.insert(Key::Preview, QString::fromUtf8(e.preview));
        break;
    case EventKind::Connected:
    case EventKind::Hello:
        break;
    }
    return o;
}

QJsonObject encodeStats(const ServerStats &s)
{
    QJsonObject o;
    o.insert(Key::Accepted, double(s.accepted));
    o.insert(Key::Rejected, double(s.rejected));
    o.insert(Key::Open, double(s.open));
    o.insert(Key::MessagesIn, double(s.messagesIn));
    o.insert(Key::MessagesOut, double(s.messagesOut));
    o.insert(Key::BytesIn, double(s.bytesIn));
    o.insert(Key::BytesOut, double(s.bytesOut));
    QJsonObject closes;
    for (int i = 0; i < CloseReasonCount; ++i) {
        const CloseReason reason = closeReasonAt(i);
        if (reason != CloseReason::None)
            closes.insert(closeReasonName(reason), double(s.closes[size_t(i)]));
    }
    o.insert(Key::Closes, closes);
    QJsonObject timeouts;
    for (const TimeoutKindInfo &info : TimeoutKinds)
        timeouts.insert(QLatin1String(info.name), double(s.timeoutsFor(info.kind)));
    o.insert(Key::Timeouts, timeouts);
    QJsonObject goAways; // PROTOCOL.md §10: only the reasons GOAWAYs were sent for
    for (int i = 0; i < CloseReasonCount; ++i) {
        if (s.goAways[size_t(i)] != 0)
            goAways.insert(closeReasonName(closeReasonAt(i)), double(s.goAways[size_t(i)]));
    }
    o.insert(Key::GoAways, goAways);
    o.insert(Key::PingStrikes, double(s.pingStrikes));
    o.insert(Key::Draining, s.draining);
    o.insert(Key::DrainLeftMs, s.draining ? msLeft(s.drainDeadlineMs, s.sampledAtMs ? s.sampledAtMs : MonotonicClock::nowMs()) : QJsonValue(QJsonValue::Null));
    QJsonObject upstreamFailures; // PROTOCOL.md §8, by cause
    for (const UpstreamFailureInfo &info : UpstreamFailures)
        upstreamFailures.insert(QLatin1String(info.name), double(s.upstreamFailuresFor(info.cause)));
    o.insert(Key::UpstreamFailures, upstreamFailures);
    // Per-bucket (not cumulative) counts; "le_us" null is the overflow bucket.
    QJsonArray buckets;
    for (size_t i = 0; i < s.lateness.size(); ++i) {
        QJsonObject b;
        b.insert(Key::LeUs, i < LatenessBucketsUs.size() ? QJsonValue(double(LatenessBucketsUs[i]))
                                                          : QJsonValue(QJsonValue::Null));
        b.insert(Key::Count, double(s.lateness[i]));
        buckets.append(b);
    }
    QJsonObject lateness;
    lateness.insert(Key::Buckets, buckets);
    lateness.insert(Key::SumUs, double(s.latenessSumUs));
    o.insert(Key::WatchdogLateness, lateness);
    return o;
}

QJsonObject encodeEventPage(const QJsonArray &events, const EventPageInfo &info)
{
    QJsonObject o;
    o.insert(Key::Events, events);
    o.insert(Key::Last, double(info.last));
    o.insert(Key::Missed, double(info.missed));
    o.insert(Key::Latest, double(info.latest));
    o.insert(Key::ServerDropped, double(info.serverDropped));
    return o;
}

Decoded<ConnectionSnapshot> decodeConnection(const QJsonValue &json, qint64 nowMs)
{
    if (!json.isObject())
        return notAnObject<ConnectionSnapshot>("connection", json);
    Reader r(json.toObject(), "connection");
    ConnectionSnapshot s;
    s.id = r.u64(Key::Id);
    if (r.ok() && s.id == 0)
        r.fail(Key::Id, QStringLiteral("missing or 0"));
    s.peer = r.string(Key::Peer);
    s.client = r.string(Key::Client);
    s.hello = r.boolean(Key::Hello);
    s.framing = r.name(Key::Framing, &parseFraming, Framing::Vigil).value_or(Framing::Vigil);
    s.timers.policy = r.name(Key::Policy, &parsePolicy, Policy::Long).value_or(Policy::Long);
    s.state = r.name(Key::State, &parseConnectionState, ConnectionState::Open).value_or(ConnectionState::Open);
    s.timers.idleTimeoutMs = r.ms(Key::IdleTimeoutMs);
    s.timers.maxLifetimeMs = r.ms(Key::MaxLifetimeMs);
    s.timers.writeTimeoutMs = r.ms(Key::WriteTimeoutMs);
    s.timers.probeIntervalMs = r.ms(Key::ProbeIntervalMs);
    // "ms left" becomes a deadline on this machine's clock; null is off.
    auto deadline = [&](QLatin1String key) {
        const std::optional<qint64> left = r.msOrNull(key);
        return left ? nowMs + *left : 0;
    };
    s.idleDeadlineMs = deadline(Key::IdleLeftMs);
    s.lifetimeDeadlineMs = deadline(Key::LifetimeLeftMs);
    s.writeDeadlineMs = deadline(Key::WriteLeftMs);
    s.messagesIn = r.u64(Key::MessagesIn);
    s.messagesOut = r.u64(Key::MessagesOut);
    s.bytesIn = r.u64(Key::BytesIn);
    s.bytesOut = r.u64(Key::BytesOut);
    s.pendingOut = r.u64(Key::PendingOut);
    s.lastMessage = r.string(Key::LastMessage).toUtf8();
    // age_ms null: accepted this very millisecond.
    s.acceptedAtMs = nowMs - r.msOrNull(Key::AgeMs).value_or(0);
    s.lastActivityAtMs = nowMs - r.ms(Key::LastActivityMsAgo);
    s.closingAtMs = deadline(Key::ClosingInMs);
    // A reason this build does not know (a newer vigild's) still closes.
    if (s.closingAtMs > 0) {
        const QString reason = r.string(Key::ClosingReason);
        s.closingReason = parseCloseReason(reason).value_or(CloseReason::Normal);
    }
    if (r.has(Key::Proxy))
        s.proxy = r.string(Key::Proxy);
    if (r.has(Key::Tls)) {
        Reader t(r.object(Key::Tls), "connection tls");
        s.tlsVersion = t.string(Key::Version);
        s.tlsCipher = t.string(Key::Cipher);
        if (!t.ok())
            return Decoded<ConnectionSnapshot>::failure(t.error());
    }
    if (r.has(Key::Upstream)) {
        Reader u(r.object(Key::Upstream), "connection upstream");
        UpstreamSnapshot up;
        up.address = u.string(Key::Address);
        const QString state = u.string(Key::State);
        up.state = state == QLatin1String("connecting") ? UpstreamState::Connecting
            : state == QLatin1String("open")            ? UpstreamState::Open
                                                        : UpstreamState::Closed;
        up.bytesIn = u.u64(Key::BytesIn);
        up.bytesOut = u.u64(Key::BytesOut);
        up.pendingOut = u.u64(Key::PendingOut);
        if (!u.ok())
            return Decoded<ConnectionSnapshot>::failure(u.error());
        s.upstream = up;
    }
    s.snapshotAtMs = nowMs;
    if (!r.ok())
        return Decoded<ConnectionSnapshot>::failure(r.error());
    return Decoded<ConnectionSnapshot>{s, QString()};
}

Decoded<DecodedEvent> decodeEvent(const QJsonValue &json, qint64 nowMs, qint64 wallNowMs)
{
    if (!json.isObject())
        return notAnObject<DecodedEvent>("event", json);
    const QJsonObject o = json.toObject();
    Reader r(o, "event");
    DecodedEvent d;
    ServerEvent &e = d.event;
    if (!o.contains(Key::Event))
        r.fail(Key::Event, QStringLiteral("missing"));
    e.kind = r.name(Key::Event, &parseEventKind, EventKind::Connected).value_or(EventKind::Connected);
    d.seq = r.u64(Key::Seq);
    e.conn = r.u64(Key::Conn);
    e.peer = r.string(Key::Peer);
    const QString ts = r.string(Key::Ts);
    e.wallMs = wallNowMs;
    if (r.ok() && !ts.isEmpty()) {
        const QDateTime at = QDateTime::fromString(ts, Qt::ISODateWithMs);
        if (at.isValid())
            e.wallMs = at.toMSecsSinceEpoch();
        else
            r.fail(Key::Ts, QStringLiteral("not an ISO 8601 time: \"%1\"").arg(ts.left(64)));
    }
    // The wall-clock stamp becomes this machine's monotonic time, so a log
    // sorts and ages remote events like local ones.
    e.atMs = nowMs - std::max<qint64>(0, wallNowMs - e.wallMs);
    if (e.kind == EventKind::Closed || e.kind == EventKind::Rejected) {
        // A reason from a newer vigild is still a close.
        e.reason = parseCloseReason(r.string(Key::Reason)).value_or(CloseReason::None);
    }
    if (e.kind == EventKind::Timeout) {
        if (!o.contains(Key::Kind))
            r.fail(Key::Kind, QStringLiteral("missing"));
        e.timeout = r.name(Key::Kind, &parseTimeoutKind, TimeoutKind::Idle).value_or(TimeoutKind::Idle);
    }
    if (hasSize(e.kind)) {
        const quint64 size = r.u64(Key::Size);
        if (size > std::numeric_limits<quint32>::max())
            r.fail(Key::Size, QStringLiteral("larger than 4 GiB"));
        e.size = quint32(size);
        e.preview = r.string(Key::Preview).toUtf8();
    }
    if (!r.ok())
        return Decoded<DecodedEvent>::failure(r.error());
    return Decoded<DecodedEvent>{d, QString()};
}

Decoded<EventPage> decodeEventPage(const QJsonValue &json, qint64 nowMs, qint64 wallNowMs)
{
    if (!json.isObject())
        return notAnObject<EventPage>("events", json);
    Reader r(json.toObject(), "events");
    EventPage page;
    const QJsonArray events = r.array(Key::Events, true);
    page.info.last = r.u64(Key::Last);
    page.info.latest = r.u64(Key::Latest);
    page.info.missed = r.u64(Key::Missed);
    page.info.serverDropped = r.u64(Key::ServerDropped);
    if (!r.ok())
        return Decoded<EventPage>::failure(r.error());
    page.events.reserve(events.size());
    for (const QJsonValue &value : events) {
        Decoded<DecodedEvent> event = decodeEvent(value, nowMs, wallNowMs);
        if (event) {
            page.events.append(std::move(*event.value));
        } else {
            if (page.undecoded++ == 0)
                page.firstError = event.error;
        }
    }
    return Decoded<EventPage>{std::move(page), QString()};
}

Decoded<ServerStats> decodeStats(const QJsonValue &json, qint64 nowMs)
{
    if (!json.isObject())
        return notAnObject<ServerStats>("stats", json);
    Reader r(json.toObject(), "stats");
    ServerStats s;
    s.accepted = r.u64(Key::Accepted);
    s.rejected = r.u64(Key::Rejected);
    s.open = r.u64(Key::Open);
    s.messagesIn = r.u64(Key::MessagesIn);
    s.messagesOut = r.u64(Key::MessagesOut);
    s.bytesIn = r.u64(Key::BytesIn);
    s.bytesOut = r.u64(Key::BytesOut);
    // Reasons this build does not know (a newer vigild's) are left out.
    const QJsonObject closes = r.object(Key::Closes);
    Reader closeReader(closes, "stats closes");
    for (const CloseReasonInfo &info : CloseReasons) {
        if (info.reason != CloseReason::None)
            s.closes[size_t(closeReasonIndex(info.reason))] = closeReader.u64(QLatin1String(info.name));
    }
    const QJsonObject timeouts = r.object(Key::Timeouts);
    Reader timeoutReader(timeouts, "stats timeouts");
    for (const TimeoutKindInfo &info : TimeoutKinds)
        s.timeouts[size_t(info.kind)] = timeoutReader.u64(QLatin1String(info.name));
    // Missing (an older vigild) is zero, as for the counters above.
    const QJsonObject goAways = r.object(Key::GoAways);
    Reader goAwayReader(goAways, "stats goaways");
    for (const CloseReasonInfo &info : CloseReasons) {
        if (info.reason != CloseReason::None)
            s.goAways[size_t(closeReasonIndex(info.reason))] = goAwayReader.u64(QLatin1String(info.name));
    }
    s.pingStrikes = r.u64(Key::PingStrikes);
    s.draining = r.boolean(Key::Draining);
    if (const std::optional<qint64> left = r.msOrNull(Key::DrainLeftMs); s.draining && left)
        s.drainDeadlineMs = nowMs + *left;
    const QJsonObject upstreamFailures = r.object(Key::UpstreamFailures);
    Reader upstreamReader(upstreamFailures, "stats upstream_failures");
    for (const UpstreamFailureInfo &info : UpstreamFailures)
        s.upstreamFailures[size_t(info.cause)] = upstreamReader.u64(QLatin1String(info.name));
    const QJsonObject lateness = r.object(Key::WatchdogLateness);
    Reader latenessReader(lateness, "stats watchdog_lateness");
    const QJsonArray buckets = latenessReader.array(Key::Buckets);
    for (int i = 0; i < std::min<int>(int(buckets.size()), LatenessBucketCount); ++i) {
        if (!buckets.at(i).isObject()) {
            latenessReader.fail(Key::Buckets, QStringLiteral("expected objects"));
            break;
        }
        Reader bucket(buckets.at(i).toObject(), "stats lateness bucket");
        s.lateness[size_t(i)] = bucket.u64(Key::Count);
        if (!bucket.ok()) {
            latenessReader.fail(Key::Buckets, bucket.error());
            break;
        }
    }
    s.latenessSumUs = latenessReader.u64(Key::SumUs);
    s.sampledAtMs = nowMs;
    for (const Reader *reader : {&r, &closeReader, &timeoutReader, &latenessReader}) {
        if (!reader->ok())
            return Decoded<ServerStats>::failure(reader->error());
    }
    return Decoded<ServerStats>{s, QString()};
}

} // namespace Vigil::FeedJson
