// PROTOCOL.md §10, per connection: ping abuse, the frame deadline, lifetime
// jitter and grace (GOAWAY), against the real vigild on 127.0.0.1.
#include "vigildprocess.h"

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

#define START_VIGILD(server, ...)                                                                                  \
    VigildProcess server;                                                                                          \
    QVERIFY2(server.start(__VA_ARGS__), qPrintable(server.errorString()))

#define CONNECT_CLIENT(client, server)                                                                             \
    TestClient client((server).port());                                                                            \
    QVERIFY2(client.waitConnected(), "cannot connect to vigild");                                                  \
    QTRY_VERIFY_WITH_TIMEOUT((server).connId(client.localPort()) > 0, WaitMs)

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

QTEST_GUILESS_MAIN(tst_Lifecycle)
#include "tst_lifecycle.moc"
