// FeedJson: what vigild's admin API encodes, an attached monitor decodes
// back to the same values; garbage is a clear error, never a crash.
#include "feedjson.h"

#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace Vigil;
using namespace Vigil::FeedJson;

Q_DECLARE_METATYPE(Vigil::EventKind)
Q_DECLARE_METATYPE(Vigil::CloseReason)
Q_DECLARE_METATYPE(Vigil::TimeoutKind)

namespace {
constexpr qint64 ServerNow = 5'000'000;  // the server's monotonic clock
constexpr qint64 ReaderNow = 90'000'000; // the reader's, unrelated
constexpr qint64 WallNow = 1'764'000'000'123;

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonValue parse(const QByteArray &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    if (doc.isObject())
        return doc.object();
    if (doc.isArray())
        return doc.array();
    return QJsonValue(QJsonValue::Undefined);
}

ConnectionSnapshot sampleSnapshot()
{
    ConnectionSnapshot s;
    s.id = 42;
    s.peer = QStringLiteral("127.0.0.1:60224");
    s.client = QStringLiteral("sensor-17");
    s.hello = true;
    s.framing = Framing::Legacy;
    s.state = ConnectionState::Closing;
    s.timers.policy = Policy::Short;
    s.timers.idleTimeoutMs = 15000;
    s.timers.maxLifetimeMs = 10000;
    s.timers.writeTimeoutMs = 7000;
    s.timers.probeIntervalMs = 2500;
    s.acceptedAtMs = ServerNow - 5402;
    s.lastActivityAtMs = ServerNow - 402;
    s.idleDeadlineMs = ServerNow + 14598;
    s.lifetimeDeadlineMs = ServerNow + 4598;
    s.writeDeadlineMs = ServerNow + 6321;
    s.messagesIn = 3;
    s.messagesOut = 2;
    s.bytesIn = 40;
    s.bytesOut = 30;
    s.pendingOut = 123456;
    s.lastMessage = "password=hunter2 \xc3\xa9";
    s.closingAtMs = ServerNow + 2500;
    s.closingReason = CloseReason::ServerShutdown;
    return s;
}
} // namespace

class tst_FeedJson : public QObject
{
    Q_OBJECT

private slots:
    void connectionRoundTrip();
    void connectionUpstreamRoundTrip();
    void connectionProxyRoundTrip();
    void connectionPreviewsOnlyWhenAsked();
    void connectionTimersOff();
    void connectionMissingOptionalKeys();
    void connectionIsByteCompatible();
    void eventRoundTrip_data();
    void eventRoundTrip();
    void closeReasonRoundTrip_data();
    void closeReasonRoundTrip();
    void eventIsByteCompatible();
    void eventMissingOptionalKeys();
    void unknownCloseReasonIsStillAClose();
    void statsRoundTrip();
    void statsUpstreamFailures();
    void statsMissingKeys();
    void eventPage();
    void garbage_data();
    void garbage();
    void eventKindTable();
};

void tst_FeedJson::connectionRoundTrip()
{
    const ConnectionSnapshot s = sampleSnapshot();
    const QJsonObject json = encodeConnection(s, ServerNow, Previews::Include);
    // Through text, as over HTTP.
    const Decoded<ConnectionSnapshot> d = decodeConnection(parse(compact(json)), ReaderNow);
    QVERIFY2(d, qPrintable(d.error));
    const ConnectionSnapshot &r = *d.value;
    QCOMPARE(r.id, s.id);
    QCOMPARE(r.peer, s.peer);
    QCOMPARE(r.client, s.client);
    QCOMPARE(r.hello, s.hello);
    QCOMPARE(r.framing, s.framing);
    QCOMPARE(r.state, s.state);
    QCOMPARE(r.timers.policy, s.timers.policy);
    QCOMPARE(r.timers.idleTimeoutMs, s.timers.idleTimeoutMs);
    QCOMPARE(r.timers.maxLifetimeMs, s.timers.maxLifetimeMs);
    QCOMPARE(r.timers.writeTimeoutMs, s.timers.writeTimeoutMs);
    QCOMPARE(r.timers.probeIntervalMs, s.timers.probeIntervalMs);
    // Deadlines and stamps keep their distance from "now" on the reader's clock.
    QCOMPARE(r.idleDeadlineMs - ReaderNow, s.idleDeadlineMs - ServerNow);
    QCOMPARE(r.lifetimeDeadlineMs - ReaderNow, s.lifetimeDeadlineMs - ServerNow);
    QCOMPARE(r.writeDeadlineMs - ReaderNow, s.writeDeadlineMs - ServerNow);
    QCOMPARE(r.acceptedAtMs - ReaderNow, s.acceptedAtMs - ServerNow);
    QCOMPARE(r.lastActivityAtMs - ReaderNow, s.lastActivityAtMs - ServerNow);
    QCOMPARE(r.messagesIn, s.messagesIn);
    QCOMPARE(r.messagesOut, s.messagesOut);
    QCOMPARE(r.bytesIn, s.bytesIn);
    QCOMPARE(r.bytesOut, s.bytesOut);
    QCOMPARE(r.pendingOut, s.pendingOut);
    QCOMPARE(r.lastMessage, s.lastMessage);
    QCOMPARE(r.closingAtMs - ReaderNow, s.closingAtMs - ServerNow);
    QCOMPARE(r.closingReason, s.closingReason);
    QCOMPARE(r.snapshotAtMs, ReaderNow);
}

// Forward mode: the upstream's address, state and bytes each way; absent
// (not null) in the other modes.
void tst_FeedJson::connectionUpstreamRoundTrip()
{
    ConnectionSnapshot s = sampleSnapshot();
    QVERIFY(!encodeConnection(s, ServerNow, Previews::Omit).contains(Key::Upstream));
    QVERIFY(!decodeConnection(encodeConnection(s, ServerNow, Previews::Omit), ReaderNow).value->upstream);
    for (UpstreamState state : {UpstreamState::Connecting, UpstreamState::Open, UpstreamState::Closed}) {
        UpstreamSnapshot u;
        u.address = QStringLiteral("unix:/run/app.sock");
        u.state = state;
        u.bytesIn = 1234;
        u.bytesOut = 567;
        u.pendingOut = 89;
        s.upstream = u;
        const QJsonObject json = encodeConnection(s, ServerNow, Previews::Omit);
        QCOMPARE(json.value(Key::Upstream).toObject().value(Key::State).toString(), QLatin1String(upstreamStateName(state)));
        const Decoded<ConnectionSnapshot> d = decodeConnection(parse(compact(json)), ReaderNow);
        QVERIFY2(d, qPrintable(d.error));
        QVERIFY(d.value->upstream.has_value());
        QVERIFY(*d.value->upstream == u);
    }
}

// Behind a ,proxy listener (PROTOCOL.md §9): `proxy` names who sent the
// header, next to the peer it named; absent for everyone else.
void tst_FeedJson::connectionProxyRoundTrip()
{
    ConnectionSnapshot s = sampleSnapshot();
    QVERIFY(!encodeConnection(s, ServerNow, Previews::Omit).contains(Key::Proxy));
    QVERIFY(decodeConnection(encodeConnection(s, ServerNow, Previews::Omit), ReaderNow).value->proxy.isEmpty());
    s.peer = QStringLiteral("203.0.113.7:51000");
    s.proxy = QStringLiteral("127.0.0.1:40022");
    const QJsonObject json = encodeConnection(s, ServerNow, Previews::Omit);
    QCOMPARE(json.value(Key::Proxy).toString(), s.proxy);
    const Decoded<ConnectionSnapshot> d = decodeConnection(parse(compact(json)), ReaderNow);
    QVERIFY2(d, qPrintable(d.error));
    QCOMPARE(d.value->peer, s.peer);
    QCOMPARE(d.value->proxy, s.proxy);

    // A TLS connection: version and cipher as the `tls` event has them.
    QVERIFY(!json.contains(Key::Tls));
    s.tlsVersion = QStringLiteral("TLSv1.3");
    s.tlsCipher = QStringLiteral("TLS_AES_256_GCM_SHA384");
    const QJsonObject tls = encodeConnection(s, ServerNow, Previews::Omit);
    QCOMPARE(tls.value(Key::Tls).toObject().value(Key::Cipher).toString(), s.tlsCipher);
    const Decoded<ConnectionSnapshot> t = decodeConnection(parse(compact(tls)), ReaderNow);
    QVERIFY2(t, qPrintable(t.error));
    QCOMPARE(t.value->tlsVersion, s.tlsVersion);
    QCOMPARE(t.value->tlsCipher, s.tlsCipher);
}

void tst_FeedJson::connectionPreviewsOnlyWhenAsked()
{
    const ConnectionSnapshot s = sampleSnapshot();
    const QJsonObject without = encodeConnection(s, ServerNow, Previews::Omit);
    QVERIFY(!without.contains(Key::LastMessage));
    QVERIFY(!compact(without).contains("hunter2"));
    const Decoded<ConnectionSnapshot> d = decodeConnection(without, ReaderNow);
    QVERIFY2(d, qPrintable(d.error));
    QVERIFY(d.value->lastMessage.isEmpty());

    const QJsonObject with = encodeConnection(s, ServerNow, Previews::Include);
    QCOMPARE(with.value(Key::LastMessage).toString(), QString::fromUtf8(s.lastMessage));
}

void tst_FeedJson::connectionTimersOff()
{
    ConnectionSnapshot s = sampleSnapshot();
    s.idleDeadlineMs = s.lifetimeDeadlineMs = s.writeDeadlineMs = 0;
    const QJsonObject json = encodeConnection(s, ServerNow, Previews::Omit);
    for (QLatin1String key : {Key::IdleLeftMs, Key::LifetimeLeftMs, Key::WriteLeftMs}) {
        QVERIFY2(json.contains(key), key.data());
        QVERIFY2(json.value(key).isNull(), key.data());
    }
    const Decoded<ConnectionSnapshot> d = decodeConnection(json, ReaderNow);
    QVERIFY2(d, qPrintable(d.error));
    QCOMPARE(d.value->idleDeadlineMs, 0);
    QCOMPARE(d.value->lifetimeDeadlineMs, 0);
    QCOMPARE(d.value->writeDeadlineMs, 0);

    // A deadline already passed is 0 ms left, not negative.
    s.writeDeadlineMs = ServerNow - 50;
    QCOMPARE(encodeConnection(s, ServerNow, Previews::Omit).value(Key::WriteLeftMs).toInteger(), 0);
}

void tst_FeedJson::connectionMissingOptionalKeys()
{
    // An older vigild sends no write_left_ms; a minimal record has only an id.
    const Decoded<ConnectionSnapshot> d = decodeConnection(parse(R"({"id": 9})"), ReaderNow);
    QVERIFY2(d, qPrintable(d.error));
    QCOMPARE(d.value->id, quint64(9));
    QVERIFY(d.value->peer.isEmpty());
    QVERIFY(d.value->client.isEmpty());
    QCOMPARE(d.value->hello, false);
    QCOMPARE(d.value->framing, Framing::Vigil);
    QCOMPARE(d.value->timers.policy, Policy::Long);
    QCOMPARE(d.value->state, ConnectionState::Open);
    QCOMPARE(d.value->idleDeadlineMs, 0);
    QCOMPARE(d.value->writeDeadlineMs, 0);
    QCOMPARE(d.value->acceptedAtMs, ReaderNow);
    QVERIFY(d.value->lastMessage.isEmpty());
}

void tst_FeedJson::connectionIsByteCompatible()
{
    // docs/admin.md's keys, byte for byte as vigild sent them before the
    // codec, plus write_left_ms.
    ConnectionSnapshot s;
    s.id = 7;
    s.peer = QStringLiteral("127.0.0.1:5");
    s.client = QStringLiteral("x");
    s.hello = true;
    s.framing = Framing::Line;
    s.state = ConnectionState::Closing;
    s.timers.idleTimeoutMs = 15000;
    s.timers.writeTimeoutMs = 10000;
    s.acceptedAtMs = 1000;
    s.lastActivityAtMs = 1500;
    s.idleDeadlineMs = 3000;
    s.messagesIn = 3;
    s.lastMessage = "hi";
    QCOMPARE(compact(encodeConnection(s, 2000, Previews::Include)),
             QByteArray(R"({"age_ms":1000,"bytes_in":0,"bytes_out":0,"client":"x","closing_in_ms":null,"closing_reason":null,)"
                        R"("framing":"line","hello":true,)"
                        R"("id":7,"idle_left_ms":1000,"idle_timeout_ms":15000,"last_activity_ms_ago":500,)"
                        R"("last_message":"hi","lifetime_left_ms":null,"max_lifetime_ms":0,"messages_in":3,)"
                        R"("messages_out":0,"peer":"127.0.0.1:5","pending_out":0,"policy":"long",)"
                        R"("probe_interval_ms":0,"state":"closing","write_left_ms":null,"write_timeout_ms":10000})"));
}

void tst_FeedJson::eventRoundTrip_data()
{
    QTest::addColumn<EventKind>("kind");
    for (const EventKindInfo &info : EventKinds)
        QTest::newRow(info.name) << info.kind;
}

void tst_FeedJson::eventRoundTrip()
{
    QFETCH(EventKind, kind);
    ServerEvent e;
    e.kind = kind;
    e.atMs = ServerNow;
    e.wallMs = WallNow - 1500;
    e.conn = 17;
    e.peer = QStringLiteral("[::1]:4000");
    const bool closing = kind == EventKind::Closed || kind == EventKind::Rejected;
    const bool sized = kind == EventKind::MessageIn || kind == EventKind::MessageOut || kind == EventKind::PingIn
        || kind == EventKind::PingOut || kind == EventKind::PongIn;
    if (closing)
        e.reason = CloseReason::SlowConsumer;
    if (kind == EventKind::Timeout)
        e.timeout = TimeoutKind::Write;
    if (sized) {
        e.size = 70000;
        e.preview = "hello \xe2\x82\xac";
    }

    for (Previews previews : {Previews::Omit, Previews::Include}) {
        const QJsonObject json = encodeEvent(e, 1234, previews);
        QCOMPARE(json.value(Key::Event).toString(), QLatin1String(EventKinds[size_t(kind)].name));
        const Decoded<DecodedEvent> d = decodeEvent(parse(compact(json)), ReaderNow, WallNow);
        QVERIFY2(d, qPrintable(d.error));
        const ServerEvent &r = d.value->event;
        QCOMPARE(d.value->seq, quint64(1234));
        QCOMPARE(r.kind, e.kind);
        QCOMPARE(r.conn, e.conn);
        QCOMPARE(r.peer, e.peer);
        QCOMPARE(r.wallMs, e.wallMs);
        QCOMPARE(r.atMs, ReaderNow - 1500); // as old on the reader's clock
        QCOMPARE(r.reason, closing ? e.reason : CloseReason::None);
        QCOMPARE(r.timeout, e.timeout);
        QCOMPARE(r.size, sized ? e.size : 0u);
        QCOMPARE(r.preview, sized && previews == Previews::Include ? e.preview : QByteArray());
    }
}

void tst_FeedJson::closeReasonRoundTrip_data()
{
    QTest::addColumn<CloseReason>("reason");
    for (const CloseReasonInfo &info : CloseReasons)
        QTest::newRow(info.name) << info.reason;
}

void tst_FeedJson::closeReasonRoundTrip()
{
    QFETCH(CloseReason, reason);
    for (EventKind kind : {EventKind::Closed, EventKind::Rejected}) {
        ServerEvent e;
        e.kind = kind;
        e.wallMs = WallNow;
        e.conn = 3;
        e.reason = reason;
        const QJsonObject json = encodeEvent(e, 1, Previews::Omit);
        QCOMPARE(json.value(Key::Reason).toString(), QLatin1String(QTest::currentDataTag()));
        const Decoded<DecodedEvent> d = decodeEvent(parse(compact(json)), ReaderNow, WallNow);
        QVERIFY2(d, qPrintable(d.error));
        QCOMPARE(d.value->event.reason, reason);
    }
    // And as a stats counter.
    if (reason != CloseReason::None) {
        ServerStats stats;
        stats.closes[size_t(closeReasonIndex(reason))] = 5;
        const Decoded<ServerStats> d = decodeStats(parse(compact(encodeStats(stats))), ReaderNow);
        QVERIFY2(d, qPrintable(d.error));
        QCOMPARE(d.value->closesFor(reason), quint64(5));
        QCOMPARE(d.value->closes, stats.closes);
    }
}

void tst_FeedJson::eventIsByteCompatible()
{
    ServerEvent e;
    e.kind = EventKind::Closed;
    e.wallMs = 1764000000123;
    e.conn = 5;
    e.peer = QStringLiteral("127.0.0.1:9");
    e.reason = CloseReason::Kicked;
    QCOMPARE(compact(encodeEvent(e, 3, Previews::Omit)),
             QByteArray(R"({"conn":5,"event":"closed","peer":"127.0.0.1:9","reason":"kicked","seq":3,)"
                        R"("ts":"2025-11-24T16:00:00.123Z"})"));
}

void tst_FeedJson::eventMissingOptionalKeys()
{
    // conn, peer, ts, size, preview and (for closes) reason may be absent.
    for (const EventKindInfo &info : EventKinds) {
        if (info.kind == EventKind::Timeout)
            continue; // a timeout without its kind says nothing; see garbage()
        QJsonObject o;
        o.insert(Key::Event, QLatin1String(info.name));
        const Decoded<DecodedEvent> d = decodeEvent(o, ReaderNow, WallNow);
        QVERIFY2(d, qPrintable(d.error));
        QCOMPARE(d.value->event.kind, info.kind);
        QCOMPARE(d.value->seq, quint64(0));
        QCOMPARE(d.value->event.conn, quint64(0));
        QCOMPARE(d.value->event.wallMs, WallNow);
        QCOMPARE(d.value->event.atMs, ReaderNow);
        QCOMPARE(d.value->event.reason, CloseReason::None);
        QCOMPARE(d.value->event.size, 0u);
    }
}

void tst_FeedJson::unknownCloseReasonIsStillAClose()
{
    // PROTOCOL.md lets the reasons grow (a newer vigild's): the close must
    // still reach the reader, or its row would never go.
    const Decoded<DecodedEvent> d =
        decodeEvent(parse(R"({"seq":8,"event":"closed","conn":4,"reason":"quantum-decoherence"})"), ReaderNow, WallNow);
    QVERIFY2(d, qPrintable(d.error));
    QCOMPARE(d.value->event.kind, EventKind::Closed);
    QCOMPARE(d.value->event.conn, quint64(4));
    QCOMPARE(d.value->event.reason, CloseReason::None);
}

void tst_FeedJson::statsRoundTrip()
{
    ServerStats s;
    s.accepted = 12;
    s.rejected = 1;
    s.open = 3;
    s.messagesIn = 40;
    s.messagesOut = 39;
    s.bytesIn = 480;
    s.bytesOut = 470;
    for (int i = 0; i < CloseReasonCount - 1; ++i)
        s.closes[size_t(i)] = quint64(100 + i);
    for (int k = 0; k < TimeoutKindCount; ++k)
        s.timeouts[size_t(k)] = quint64(7 + k);
    for (int b = 0; b < LatenessBucketCount; ++b)
        s.lateness[size_t(b)] = quint64(b * b);
    s.latenessSumUs = 812;
    s.goAways[size_t(closeReasonIndex(CloseReason::LifetimeExpired))] = 4;
    s.goAways[size_t(closeReasonIndex(CloseReason::ServerShutdown))] = 9;
    s.pingStrikes = 6;
    s.draining = true;
    s.sampledAtMs = ServerNow;
    s.drainDeadlineMs = ServerNow + 4200;
    const QJsonObject json = encodeStats(s);
    QCOMPARE(json.value(Key::DrainLeftMs).toDouble(), 4200.0);
    QCOMPARE(json.value(Key::Closes).toObject().size(), CloseReasonCount - 1); // none is not a close
    QCOMPARE(json.value(Key::GoAways).toObject().size(), 2); // only the reasons sent
    const Decoded<ServerStats> d = decodeStats(parse(compact(json)), ReaderNow);
    QVERIFY2(d, qPrintable(d.error));
    const ServerStats &r = *d.value;
    QCOMPARE(r.accepted, s.accepted);
    QCOMPARE(r.rejected, s.rejected);
    QCOMPARE(r.open, s.open);
    QCOMPARE(r.messagesIn, s.messagesIn);
    QCOMPARE(r.messagesOut, s.messagesOut);
    QCOMPARE(r.bytesIn, s.bytesIn);
    QCOMPARE(r.bytesOut, s.bytesOut);
    QCOMPARE(r.closes, s.closes);
    QCOMPARE(r.timeouts, s.timeouts);
    QCOMPARE(r.goAways, s.goAways);
    QCOMPARE(r.pingStrikes, s.pingStrikes);
    QCOMPARE(r.lateness, s.lateness);
    QCOMPARE(r.latenessSumUs, s.latenessSumUs);
    QCOMPARE(r.draining, true);
    QCOMPARE(r.drainDeadlineMs - ReaderNow, 4200);
    QCOMPARE(r.sampledAtMs, ReaderNow);
    // Not draining: no time left to tell.
    QVERIFY(encodeStats(ServerStats()).value(Key::DrainLeftMs).isNull());
    QCOMPARE(encodeStats(ServerStats()).value(Key::Draining).toBool(true), false);
}

void tst_FeedJson::statsUpstreamFailures()
{
    ServerStats s;
    for (const UpstreamFailureInfo &info : UpstreamFailures)
        s.upstreamFailures[size_t(info.cause)] = 10 + quint64(info.cause);
    const QJsonObject json = encodeStats(s);
    QCOMPARE(json.value(Key::UpstreamFailures).toObject().value(QLatin1String("connect-timeout")).toInt(), 12);
    const Decoded<ServerStats> d = decodeStats(parse(compact(json)), ReaderNow);
    QVERIFY2(d, qPrintable(d.error));
    QCOMPARE(d.value->upstreamFailures, s.upstreamFailures);
}

void tst_FeedJson::statsMissingKeys()
{
    const Decoded<ServerStats> d =
        decodeStats(parse(R"({"accepted": 2, "closes": {"kicked": 1, "from-the-future": 3}})"), ReaderNow);
    QVERIFY2(d, qPrintable(d.error));
    QCOMPARE(d.value->accepted, quint64(2));
    QCOMPARE(d.value->open, quint64(0));
    QCOMPARE(d.value->closesFor(CloseReason::Kicked), quint64(1));
    QCOMPARE(d.value->latenessSumUs, quint64(0));
}

void tst_FeedJson::eventPage()
{
    ServerEvent a;
    a.kind = EventKind::Connected;
    a.wallMs = WallNow;
    a.conn = 1;
    QJsonArray events{encodeEvent(a, 1, Previews::Omit)};
    // A kind from a newer vigild and a broken entry are skipped, not fatal.
    events.append(QJsonObject{{QStringLiteral("seq"), 2}, {QStringLiteral("event"), QStringLiteral("proxied")}});
    events.append(QStringLiteral("nonsense"));
    EventPageInfo info;
    info.last = 3;
    info.latest = 9;
    info.missed = 4;
    info.serverDropped = 11;
    const QJsonObject json = encodeEventPage(events, info);
    const Decoded<EventPage> d = decodeEventPage(parse(compact(json)), ReaderNow, WallNow);
    QVERIFY2(d, qPrintable(d.error));
    QCOMPARE(d.value->events.size(), 1);
    QCOMPARE(d.value->events[0].event.conn, quint64(1));
    QCOMPARE(d.value->undecoded, 2);
    QVERIFY2(d.value->firstError.contains(QLatin1String("proxied")), qPrintable(d.value->firstError));
    QCOMPARE(d.value->info.last, info.last);
    QCOMPARE(d.value->info.latest, info.latest);
    QCOMPARE(d.value->info.missed, info.missed);
    QCOMPARE(d.value->info.serverDropped, info.serverDropped);

    const Decoded<EventPage> noEvents = decodeEventPage(parse(R"({"last": 3})"), ReaderNow, WallNow);
    QVERIFY(!noEvents);
    QVERIFY2(noEvents.error.contains(QLatin1String("\"events\"")), qPrintable(noEvents.error));
}

void tst_FeedJson::garbage_data()
{
    QTest::addColumn<QString>("what"); // connection, event, stats, page
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mention"); // the error names this

    QTest::newRow("connection: array") << "connection" << QByteArray("[1,2]") << "expected a JSON object";
    QTest::newRow("connection: not JSON") << "connection" << QByteArray("<html>") << "expected a JSON object";
    QTest::newRow("connection: no id") << "connection" << QByteArray(R"({"peer":"a"})") << "\"id\"";
    QTest::newRow("connection: id text") << "connection" << QByteArray(R"({"id":"7"})") << "\"id\"";
    QTest::newRow("connection: negative") << "connection" << QByteArray(R"({"id":1,"bytes_in":-4})") << "\"bytes_in\"";
    QTest::newRow("connection: fraction") << "connection" << QByteArray(R"({"id":1.5})") << "\"id\"";
    QTest::newRow("connection: huge") << "connection" << QByteArray(R"({"id":1e300})") << "\"id\"";
    QTest::newRow("connection: framing") << "connection" << QByteArray(R"({"id":1,"framing":"smoke"})") << "smoke";
    QTest::newRow("connection: state") << "connection" << QByteArray(R"({"id":1,"state":5})") << "\"state\"";
    QTest::newRow("connection: hello") << "connection" << QByteArray(R"({"id":1,"hello":"yes"})") << "\"hello\"";
    QTest::newRow("connection: deadline") << "connection" << QByteArray(R"({"id":1,"write_left_ms":"soon"})")
                                          << "\"write_left_ms\"";
    QTest::newRow("event: no kind") << "event" << QByteArray(R"({"seq":1})") << "\"event\"";
    QTest::newRow("event: unknown kind") << "event" << QByteArray(R"({"event":"tls"})") << "tls";
    QTest::newRow("event: kind number") << "event" << QByteArray(R"({"event":3})") << "\"event\"";
    QTest::newRow("event: bad ts") << "event" << QByteArray(R"({"event":"hello","ts":"yesterday"})") << "\"ts\"";
    QTest::newRow("event: timeout without kind") << "event" << QByteArray(R"({"event":"timeout"})") << "\"kind\"";
    QTest::newRow("event: timeout kind") << "event" << QByteArray(R"({"event":"timeout","kind":"nap"})") << "nap";
    QTest::newRow("event: size") << "event" << QByteArray(R"({"event":"message_in","size":1e12})") << "\"size\"";
    QTest::newRow("event: preview") << "event" << QByteArray(R"({"event":"message_in","preview":[1]})") << "\"preview\"";
    QTest::newRow("stats: string") << "stats" << QByteArray(R"("stats")") << "expected a JSON object";
    QTest::newRow("stats: counter") << "stats" << QByteArray(R"({"open":null})") << "\"open\"";
    QTest::newRow("stats: closes") << "stats" << QByteArray(R"({"closes":[]})") << "\"closes\"";
    QTest::newRow("stats: close count") << "stats" << QByteArray(R"({"closes":{"reset":"many"}})") << "\"reset\"";
    QTest::newRow("stats: bucket") << "stats" << QByteArray(R"({"watchdog_lateness":{"buckets":[3]}})") << "\"buckets\"";
    QTest::newRow("page: events object") << "page" << QByteArray(R"({"events":{}})") << "\"events\"";
    QTest::newRow("page: last") << "page" << QByteArray(R"({"events":[],"last":"x"})") << "\"last\"";
}

void tst_FeedJson::garbage()
{
    QFETCH(QString, what);
    QFETCH(QByteArray, json);
    QFETCH(QString, mention);
    // QJsonDocument does not take scalars at the top: wrap them.
    QJsonValue value = parse(json);
    if (value.isUndefined())
        value = QJsonDocument::fromJson("[" + json + "]").array().at(0);
    QString error;
    if (what == QLatin1String("connection")) {
        const auto d = decodeConnection(value, ReaderNow);
        QVERIFY(!d);
        error = d.error;
    } else if (what == QLatin1String("event")) {
        const auto d = decodeEvent(value, ReaderNow, WallNow);
        QVERIFY(!d);
        error = d.error;
    } else if (what == QLatin1String("stats")) {
        const auto d = decodeStats(value, ReaderNow);
        QVERIFY(!d);
        error = d.error;
    } else {
        const auto d = decodeEventPage(value, ReaderNow, WallNow);
        QVERIFY(!d);
        error = d.error;
    }
    QVERIFY2(error.contains(mention), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1Char('\n')), qPrintable(error));
}

void tst_FeedJson::eventKindTable()
{
    QSet<QString> names;
    for (const EventKindInfo &info : EventKinds) {
        const QString name = QString::fromLatin1(info.name);
        QVERIFY2(!names.contains(name), info.name);
        names.insert(name);
        QVERIFY2(!name.contains(QLatin1Char(' ')), info.name); // machine names, not display text
        QCOMPARE(eventKindName(info.kind), name);
        QCOMPARE(parseEventKind(name), std::optional<EventKind>(info.kind));
    }
    QVERIFY(!parseEventKind(QStringLiteral("message in")).has_value());
    QCOMPARE(parseConnectionState(connectionStateName(ConnectionState::Closing)),
             std::optional<ConnectionState>(ConnectionState::Closing));
}

QTEST_GUILESS_MAIN(tst_FeedJson)
#include "tst_feedjson.moc"
