// PROTOCOL.md §10, per connection: ping abuse, the frame deadline, lifetime
// jitter and grace (GOAWAY), against the real vigild on 127.0.0.1.
#include "vigildprocess.h"

#include <QSet>
#include <QTest>

#include <memory>
#include <vector>

using namespace VigilTest;

namespace {
// Generous upper bounds for a loaded 2-core box; lower bounds are strict
// because a watchdog never fires early (PROTOCOL.md §7).
constexpr int LateToleranceMs = 1500;
constexpr int WaitMs = 5000;

QByteArray pings(int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += vigilFrame(Type::Ping, QByteArray::number(i));
    return out;
}
} // namespace


class tst_Lifecycle : public QObject
{
    Q_OBJECT

private slots:
    // --min-ping-interval
    void quickPingsStrikeOut();
    void dataClearsStrikes();
    void spacedPingsAreFine();
    void probesAreNotStrikes();
    void pingsUnlimitedByDefault();

    // --frame-timeout
    void unfinishedMessageTimesOut_data();
    void unfinishedMessageTimesOut();
    void eachMessageGetsItsOwnDeadline();
    void rawHasNoUnfinishedMessages();
    void idleTimeoutUnchanged();

    // --lifetime-jitter, --lifetime-grace
    void jitteredLifetimesInRange();
    void jitteredLifetimeNeverEarly();
    void graceSendsGoAwayThenBye();
    void graceWithoutFramesClosesAtLifetime();
};

// Three strikes: the first PING has no previous one, so the fourth quick
// PING is the third strike.
void tst_Lifecycle::quickPingsStrikeOut()
{
    START_VIGILD(server, {QStringLiteral("--min-ping-interval"), QStringLiteral("5s")});
    CONNECT_CLIENT(client, server);
    const qint64 conn = server.connId(client.localPort());

    client.send(pings(3)); // one previous PING, then two strikes
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Pong).size(), 3, WaitMs);
    QVERIFY(!client.isClosed());

    client.send(pings(1)); // the third strike
    QVERIFY(client.waitClosed(WaitMs));
    QCOMPARE(client.byeCode(), int(Bye::TooManyPings));
    QCOMPARE(client.frames(Type::Pong).size(), 3); // no PONG for the PING that struck out
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("too-many-pings"), WaitMs);
}

void tst_Lifecycle::dataClearsStrikes()
{
    START_VIGILD(server, {QStringLiteral("--min-ping-interval"), QStringLiteral("5s")});
    CONNECT_CLIENT(client, server);
    const qint64 conn = server.connId(client.localPort());

    // Two strikes, DATA, then again two: never three in a row.
    client.send(pings(3) + vigilFrame(Type::Data, "work") + pings(3));
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Pong).size(), 6, WaitMs);
    QCOMPARE(client.frames(Type::Data).size(), 1);
    QVERIFY(!client.isClosed());

    client.send(pings(1)); // the third strike since the DATA
    QVERIFY(client.waitClosed(WaitMs));
    QCOMPARE(client.byeCode(), int(Bye::TooManyPings));
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("too-many-pings"), WaitMs);
}

void tst_Lifecycle::spacedPingsAreFine()
{
    START_VIGILD(server, {QStringLiteral("--min-ping-interval"), QStringLiteral("100ms")});
    CONNECT_CLIENT(client, server);

    // The client's clock starts before the write, the server's at the
    // read: the server sees every gap at least as long as this one.
    for (int i = 0; i < 5; ++i) {
        const qint64 sent = nowMs();
        client.send(pings(1));
        QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Pong).size(), i + 1, WaitMs);
        QTest::qWait(int(std::max<qint64>(0, 130 - (nowMs() - sent))));
    }
    QVERIFY(!client.isClosed());
}

// Server probes and the client's PONGs to them are not client PINGs.
void tst_Lifecycle::probesAreNotStrikes()
{
    START_VIGILD(server, {QStringLiteral("--min-ping-interval"), QStringLiteral("5s"), QStringLiteral("--probe-interval"),
                          QStringLiteral("50ms"), QStringLiteral("--idle-timeout"), QStringLiteral("10s")});
    CONNECT_CLIENT(client, server);
    client.setAnswerPings(true);
    QTRY_VERIFY_WITH_TIMEOUT(client.frames(Type::Ping).size() >= 6, WaitMs);
    client.send(pings(3)); // and two strikes of its own are still not three
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Pong).size(), 3, WaitMs);
    QVERIFY(!client.isClosed());
}

void tst_Lifecycle::pingsUnlimitedByDefault()
{
    START_VIGILD(server, {});
    CONNECT_CLIENT(client, server);
    client.send(pings(20));
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Pong).size(), 20, WaitMs);
    QVERIFY(!client.isClosed());
}

void tst_Lifecycle::unfinishedMessageTimesOut_data()
{
    QTest::addColumn<QString>("framing");
    QTest::addColumn<QByteArray>("first");  // the message's first bytes
    QTest::addColumn<QByteArray>("more");   // sent later, still not complete
    QTest::addColumn<int>("bye");           // -1: the framing has no BYE

    QTest::newRow("vigil: header, half the payload") << "vigil" << (vigilHeader(Type::Data, 10) + "abc")
                                                     << QByteArray("de") << int(Bye::FrameTimeout);
    QTest::newRow("vigil: half a header") << "vigil" << QByteArray("VG\x01") << QByteArray("\x01") << int(Bye::FrameTimeout);
    QTest::newRow("vigil: complete frame, then a half") << "vigil" << (vigilFrame(Type::Data, "ok") + "VG")
                                                        << QByteArray("\x01") << int(Bye::FrameTimeout);
    QTest::newRow("legacy: header, no payload") << "legacy" << legacyHeader(10) << QByteArray("abc") << -1;
    QTest::newRow("line: no newline") << "line" << QByteArray("typing slow") << QByteArray("ly") << -1;
}

// PROTOCOL.md §10: complete within F of the first byte, or BYE
// frame-timeout and `timeout kind=frame`; never before F, even though
// more bytes (activity for nothing: partial frames are not activity) came.
void tst_Lifecycle::unfinishedMessageTimesOut()
{
    QFETCH(QString, framing);
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, more);
    QFETCH(int, bye);
    constexpr int FrameMs = 600;

    START_VIGILD(server, {QStringLiteral("--framing"), framing, QStringLiteral("--frame-timeout"),
                          QStringLiteral("%1ms").arg(FrameMs), QStringLiteral("--idle-timeout"), QStringLiteral("30s")});
    CONNECT_CLIENT(client, server);
    const qint64 conn = server.connId(client.localPort());

    client.send(first);
    const qint64 firstByteMs = client.lastSentMs();
    QTest::qWait(FrameMs / 3);
    client.send(more);
    QVERIFY(client.waitClosed(FrameMs + WaitMs));
    const qint64 after = client.closedAtMs() - firstByteMs;
    QVERIFY2(after >= FrameMs, qPrintable(QStringLiteral("closed %1 ms after the first byte").arg(after)));
    QVERIFY2(after <= FrameMs + LateToleranceMs, qPrintable(QStringLiteral("closed %1 ms after the first byte").arg(after)));
    if (bye >= 0)
        QCOMPARE(client.byeCode(), bye);
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("frame-timeout"), WaitMs);
    const QJsonObject timeout = server.event(QStringLiteral("timeout"), QStringLiteral("conn"), double(conn));
    QCOMPARE(timeout.value(QLatin1String("kind")).toString(), QStringLiteral("frame"));
}

// The deadline belongs to one message: a message completed in time ends
// it, and the next one's starts with its own first byte.
void tst_Lifecycle::eachMessageGetsItsOwnDeadline()
{
    START_VIGILD(server, {QStringLiteral("--frame-timeout"), QStringLiteral("1s"), QStringLiteral("--idle-timeout"),
                          QStringLiteral("30s")});
    CONNECT_CLIENT(client, server);
    const QByteArray one = vigilFrame(Type::Data, "first message");
    const QByteArray two = vigilFrame(Type::Data, "second message");
    client.send(one.left(5));
    QTest::qWait(300);
    client.send(one.mid(5) + two.left(5)); // the first completes, the second starts
    QTest::qWait(300);
    client.send(two.mid(5).left(3));
    QTest::qWait(300);
    client.send(two.mid(8));
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Data).size(), 2, WaitMs);
    // 900 ms of unfinished messages, but never 1 s for one of them.
    QTest::qWait(200);
    QVERIFY(!client.isClosed());
}

// Raw framing: every read is a message, nothing is ever unfinished.
void tst_Lifecycle::rawHasNoUnfinishedMessages()
{
    START_VIGILD(server, {QStringLiteral("--framing"), QStringLiteral("raw"), QStringLiteral("--frame-timeout"),
                          QStringLiteral("200ms"), QStringLiteral("--idle-timeout"), QStringLiteral("30s")});
    CONNECT_CLIENT(client, server);
    client.send("half a thought");
    QTRY_COMPARE_WITH_TIMEOUT(client.received(), QByteArray("half a thought"), WaitMs);
    QTest::qWait(600);
    QVERIFY(!client.isClosed());
}

// The idle timeout still counts from the last complete message; a silent
// connection has no unfinished message and is the idle watchdog's.
void tst_Lifecycle::idleTimeoutUnchanged()
{
    START_VIGILD(server, {QStringLiteral("--frame-timeout"), QStringLiteral("5s"), QStringLiteral("--idle-timeout"),
                          QStringLiteral("400ms")});
    CONNECT_CLIENT(client, server);
    const qint64 conn = server.connId(client.localPort());
    client.send(vigilHeader(Type::Data, 4)); // unfinished, but the idle timeout comes first
    QVERIFY(client.waitClosed(WaitMs));
    QCOMPARE(client.byeCode(), int(Bye::IdleTimeout));
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("idle-timeout"), WaitMs);
}

namespace {
QJsonObject welcomeOf(const TestClient &client)
{
    const QList<Frame> welcomes = client.frames(Type::Welcome);
    return welcomes.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(welcomes.constFirst().payload).object();
}
} // namespace

// PROTOCOL.md §10: WELCOME's max_lifetime_ms is the drawn lifetime, in
// [L x (1 - J/100), L], and connections accepted together differ.
void tst_Lifecycle::jitteredLifetimesInRange()
{
    constexpr int Connections = 200;
    constexpr qint64 LifetimeMs = 60000;
    START_VIGILD(server, {QStringLiteral("--max-lifetime"), QStringLiteral("60s"), QStringLiteral("--lifetime-jitter"),
                          QStringLiteral("20")});
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < Connections; ++i)
        clients.push_back(std::make_unique<TestClient>(server.port()));
    for (const auto &client : clients) {
        QVERIFY(client->waitConnected());
        client->sendFrame(Type::Hello, R"({"client": "jitter"})");
    }
    QSet<qint64> seen;
    for (const auto &client : clients) {
        QTRY_VERIFY_WITH_TIMEOUT(!client->frames(Type::Welcome).isEmpty(), WaitMs);
        const qint64 lifetime = welcomeOf(*client).value(QLatin1String("max_lifetime_ms")).toInteger(-1);
        QVERIFY2(lifetime >= LifetimeMs * 80 / 100 && lifetime <= LifetimeMs, qPrintable(QString::number(lifetime)));
        seen.insert(lifetime);
    }
    QVERIFY2(seen.size() > Connections / 2, qPrintable(QString::number(seen.size())));
}

// "Never early" holds against the announced, drawn lifetime.
void tst_Lifecycle::jitteredLifetimeNeverEarly()
{
    constexpr int Connections = 12;
    START_VIGILD(server, {QStringLiteral("--max-lifetime"), QStringLiteral("1s"), QStringLiteral("--lifetime-jitter"),
                          QStringLiteral("50")});
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < Connections; ++i)
        clients.push_back(std::make_unique<TestClient>(server.port()));
    for (const auto &client : clients) {
        QVERIFY(client->waitConnected());
        client->sendFrame(Type::Hello, R"({"client": "jitter"})");
    }
    for (const auto &client : clients) {
        QVERIFY(client->waitClosed(WaitMs));
        const qint64 lifetime = welcomeOf(*client).value(QLatin1String("max_lifetime_ms")).toInteger(-1);
        QVERIFY2(lifetime >= 500 && lifetime <= 1000, qPrintable(QString::number(lifetime)));
        QCOMPARE(client->byeCode(), int(Bye::LifetimeExpired));
        // From before the connect: the server cannot have accepted earlier.
        const qint64 after = client->frames(Type::Bye).constFirst().atMs - client->connectStartedMs();
        QVERIFY2(after >= lifetime, qPrintable(QStringLiteral("BYE %1 ms after connect, lifetime %2").arg(after).arg(lifetime)));
        QVERIFY2(after <= lifetime + LateToleranceMs, qPrintable(QStringLiteral("BYE %1 ms after connect").arg(after)));
    }
}

// PROTOCOL.md §10: GOAWAY lifetime-expired (ms = G) at the lifetime, the
// server keeps serving, BYE lifetime-expired G later.
void tst_Lifecycle::graceSendsGoAwayThenBye()
{
    constexpr int LifetimeMs = 1000;
    constexpr int GraceMs = 800;
    START_VIGILD(server, {QStringLiteral("--max-lifetime"), QStringLiteral("1s"), QStringLiteral("--lifetime-grace"),
                          QStringLiteral("800ms")});
    CONNECT_CLIENT(client, server);
    const qint64 conn = server.connId(client.localPort());

    QTRY_VERIFY_WITH_TIMEOUT(!client.frames(Type::GoAway).isEmpty(), LifetimeMs + WaitMs);
    const Frame goAway = client.frames(Type::GoAway).constFirst();
    QCOMPARE(goAway.payload, goAwayPayload(Bye::LifetimeExpired, GraceMs));
    QVERIFY2(goAway.atMs - client.connectStartedMs() >= LifetimeMs, qPrintable(QString::number(goAway.atMs)));
    QVERIFY(!client.isClosed());
    QTRY_COMPARE_WITH_TIMEOUT(server.event(QStringLiteral("timeout"), QStringLiteral("conn"), double(conn))
                                  .value(QLatin1String("kind"))
                                  .toString(),
                              QStringLiteral("lifetime"), WaitMs);

    // During the grace it serves: echoes and PONGs.
    client.sendFrame(Type::Data, "still there?");
    client.sendFrame(Type::Ping, "p");
    QTRY_VERIFY_WITH_TIMEOUT(!client.frames(Type::Data).isEmpty() && !client.frames(Type::Pong).isEmpty(), WaitMs);
    const Frame echo = client.frames(Type::Data).constFirst();
    QCOMPARE(echo.payload, QByteArray("still there?"));
    QVERIFY(client.frames(Type::Bye).isEmpty());

    QVERIFY(client.waitClosed(GraceMs + WaitMs));
    QCOMPARE(client.byeCode(), int(Bye::LifetimeExpired));
    const qint64 byeAt = client.frames(Type::Bye).constFirst().atMs;
    QVERIFY2(byeAt - client.connectStartedMs() >= LifetimeMs + GraceMs, qPrintable(QString::number(byeAt)));
    QVERIFY2(byeAt - goAway.atMs >= GraceMs - 50, qPrintable(QString::number(byeAt - goAway.atMs)));
    QVERIFY2(byeAt - client.connectStartedMs() <= LifetimeMs + GraceMs + LateToleranceMs, qPrintable(QString::number(byeAt)));
    QVERIFY(echo.atMs < byeAt);
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("lifetime-expired"), WaitMs);
    QCOMPARE(server.events(QStringLiteral("timeout")).size(), 1); // one watchdog fired, once
}

// Framings without frames cannot announce: they close at the lifetime, as in v1.
void tst_Lifecycle::graceWithoutFramesClosesAtLifetime()
{
    constexpr int LifetimeMs = 500;
    START_VIGILD(server, {QStringLiteral("--framing"), QStringLiteral("line"), QStringLiteral("--max-lifetime"),
                          QStringLiteral("500ms"), QStringLiteral("--lifetime-grace"), QStringLiteral("10s")});
    CONNECT_CLIENT(client, server);
    const qint64 conn = server.connId(client.localPort());
    QVERIFY(client.waitClosed(LifetimeMs + WaitMs));
    const qint64 after = client.closedAtMs() - client.connectStartedMs();
    QVERIFY2(after >= LifetimeMs && after <= LifetimeMs + LateToleranceMs, qPrintable(QString::number(after)));
    QVERIFY(client.received().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("lifetime-expired"), WaitMs);
}

QTEST_GUILESS_MAIN(tst_Lifecycle)
#include "tst_lifecycle.moc"
