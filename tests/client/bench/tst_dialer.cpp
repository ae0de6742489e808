// Dialer: the socket side of a bench thread, against a real vigild on
// 127.0.0.1 port 0. Dials with bounded concurrency, settles replies in
// order, retries and counts failed connects by reason, reuses slots, and
// tells a close we asked for from one the server made.
#include "dialer.h"

#include "frameencoder.h"
#include "monotonicclock.h"
#include "processhelpers.h"

#include <QDeadlineTimer>
#include <QTcpServer>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <string>

#include <arpa/inet.h>

using namespace Vigil;
using namespace VigilTest;

namespace {
constexpr int PumpTimeoutMs = 20000;

// Hears the dialer like a driver would: settles every reply, counts.
struct Recorder final : DialerEvents
{
    Dialer *dialer = nullptr;
    std::vector<int> connectedLocals;
    std::vector<int> releasedLocals;
    int replyCount = 0;

    void connected(int local, qint64) override { connectedLocals.push_back(local); }
    void replies(int local, int got, qint64 now) override
    {
        dialer->settle(local, got, now, true);
        replyCount += got;
    }
    void released(int local) override { releasedLocals.push_back(local); }
};

void setTarget(BenchShared &shared, quint16 port)
{
    auto *sin = reinterpret_cast<sockaddr_in *>(&shared.target);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    shared.targetLength = sizeof(sockaddr_in);
}

std::string request(Framing framing, qint64 payload)
{
    const std::string bytes(size_t(payload), 'x');
    QByteArray out;
    FrameEncoder::append(framing, FrameType::Data, bytes.data(), bytes.size(), out);
    return std::string(out.constData(), size_t(out.size()));
}

// Polls the dialer (sockets wake it, no sleeping) until done() or the timeout.
bool pump(Dialer &dialer, const std::function<bool()> &done, int timeoutMs = PumpTimeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    qint64 now = MonotonicClock::nowNs();
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        dialer.sweepConnectTimeouts(now);
        dialer.poll(10, 0, now);
    }
    return true;
}

quint16 closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}
} // namespace

class TestDialer : public QObject
{
    Q_OBJECT

private slots:
    void dialsEverySlotAndSettlesReplies();
    void dialConcurrencyBoundsConnectsInFlight();
    void refusedConnectsAreRetriedThenCounted();
    void redialReusesASlot();
    void serverClosesAreCountedWithTheirBye();
    void failureReasons();
};

void TestDialer::dialsEverySlotAndSettlesReplies()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    BenchOptions options;
    options.payload = 32;
    BenchShared shared;
    setTarget(shared, server.port());
    BenchWorkerResult result;
    Recorder events;
    DialerSettings settings;
    settings.slotCount = 20;
    settings.ring = 4;
    Dialer dialer(options, shared, settings, result, events);
    events.dialer = &dialer;
    QVERIFY(dialer.open());
    dialer.queueAll();
    QVERIFY(pump(dialer, [&] { return dialer.dialAll(MonotonicClock::nowNs()); }));
    QCOMPARE(result.connected, 20);
    QCOMPARE(int(events.connectedLocals.size()), 20);
    QCOMPARE(dialer.openCount(), 20);
    QCOMPARE(result.connect.count(), quint64(20));

    // Four requests in flight on each: the ring holds them, the replies
    // come back in order and each round trip is recorded once.
    const std::string one = request(options.framing, options.payload);
    const std::string four = one + one + one + one;
    for (int local = 0; local < 20; ++local)
        dialer.send(local, 4, four.data(), four.size(), MonotonicClock::nowNs());
    QCOMPARE(dialer.inflightTotal(), qint64(80));
    QVERIFY(pump(dialer, [&] { return events.replyCount >= 80; }));
    QCOMPARE(events.replyCount, 80);
    QCOMPARE(dialer.inflightTotal(), qint64(0));
    QCOMPARE(dialer.responses(), quint64(80));
    QCOMPARE(result.sent, quint64(80));
    QCOMPARE(result.messages, quint64(80));
    QCOMPARE(result.rtt.count(), quint64(80));
    QVERIFY(result.rtt.max() > 0);
    QCOMPARE(result.errors, quint64(0));

    dialer.setStopping();
    for (int local = 0; local < 20; ++local)
        dialer.close(local);
    QCOMPARE(dialer.openCount(), 0);
    QCOMPARE(result.closedByServer, 0);
    QCOMPARE(int(events.releasedLocals.size()), 20);
}

void TestDialer::dialConcurrencyBoundsConnectsInFlight()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    BenchOptions options;
    options.dialConcurrency = 5;
    BenchShared shared;
    setTarget(shared, server.port());
    BenchWorkerResult result;
    Recorder events;
    DialerSettings settings;
    settings.slotCount = 40;
    Dialer dialer(options, shared, settings, result, events);
    events.dialer = &dialer;
    QVERIFY(dialer.open());
    dialer.queueAll();
    int most = 0;
    QVERIFY(pump(dialer, [&] {
        const bool done = dialer.dialAll(MonotonicClock::nowNs());
        most = std::max(most, dialer.connectingCount());
        return done;
    }));
    QVERIFY2(most <= 5, qPrintable(QString::number(most)));
    QVERIFY(most >= 1);
    QCOMPARE(result.connected, 40);
    QCOMPARE(result.dialFailures, 0);
}

void TestDialer::refusedConnectsAreRetriedThenCounted()
{
    const quint16 port = closedPort();
    QVERIFY(port != 0);
    BenchOptions options;
    BenchShared shared;
    setTarget(shared, port);
    BenchWorkerResult result;
    Recorder events;
    DialerSettings settings;
    settings.slotCount = 3;
    settings.connectAttempts = 3;
    Dialer dialer(options, shared, settings, result, events);
    events.dialer = &dialer;
    QVERIFY(dialer.open());
    dialer.queueAll();
    QVERIFY(pump(dialer, [&] { return dialer.dialAll(MonotonicClock::nowNs()); }));
    QCOMPARE(result.connected, 0);
    QCOMPARE(result.dialFailures, 3);
    QCOMPARE(result.dialFailureReasons.size(), size_t(1));
    QCOMPARE(result.dialFailureReasons.at(QStringLiteral("refused")), 3);
    QCOMPARE(result.errors, quint64(3));
    QVERIFY2(result.firstError.startsWith(QLatin1String("connect: ")), qPrintable(result.firstError));
    QCOMPARE(int(events.releasedLocals.size()), 3); // each slot once, after its last attempt
    QVERIFY(events.connectedLocals.empty());
}

// churn's use: one slot, connected, one message, closed by us, again.
void TestDialer::redialReusesASlot()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    BenchOptions options;
    options.framing = Framing::Vigil;
    BenchShared shared;
    setTarget(shared, server.port());
    BenchWorkerResult result;
    struct Churn final : DialerEvents
    {
        Dialer *dialer = nullptr;
        std::string message;
        int done = 0;
        std::vector<int> indexesFreed;
        void connected(int local, qint64 now) override { dialer->send(local, 1, message.data(), message.size(), now); }
        void replies(int local, int got, qint64 now) override
        {
            dialer->settle(local, got, now, true);
            dialer->close(local);
            ++done;
        }
        void released(int local) override { indexesFreed.push_back(local); }
    } events;
    events.message = request(options.framing, options.payload);
    DialerSettings settings;
    settings.slotCount = 1;
    settings.connectAttempts = 1;
    Dialer dialer(options, shared, settings, result, events);
    events.dialer = &dialer;
    QVERIFY(dialer.open());
    for (int round = 0; round < 5; ++round) {
        dialer.redial(0, round);
        QVERIFY(pump(dialer, [&] { return events.done == round + 1 && dialer.openCount() == 0; }));
    }
    QCOMPARE(result.connected, 5);
    QCOMPARE(result.messages, quint64(5));
    QCOMPARE(result.errors, quint64(0));
    QCOMPARE(result.closedByServer, 0);
    QCOMPARE(events.indexesFreed, std::vector<int>(5, 0));
}

// The server's idle timeout closes every connection with BYE idle-timeout:
// closed by the server, counted by BYE reason, an error while we wanted them.
void TestDialer::serverClosesAreCountedWithTheirBye()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--idle-timeout"), QStringLiteral("200ms")}));
    BenchOptions options;
    BenchShared shared;
    setTarget(shared, server.port());
    BenchWorkerResult result;
    Recorder events;
    DialerSettings settings;
    settings.slotCount = 3;
    Dialer dialer(options, shared, settings, result, events);
    events.dialer = &dialer;
    QVERIFY(dialer.open());
    dialer.queueAll();
    QVERIFY(pump(dialer, [&] { return dialer.dialAll(MonotonicClock::nowNs()); }));
    QCOMPARE(dialer.openCount(), 3);
    QVERIFY(pump(dialer, [&] { return dialer.openCount() == 0; }));
    QCOMPARE(result.closedByServer, 3);
    QCOMPARE(result.errors, quint64(3));
    const auto idle = std::find_if(result.byeReasons.begin(), result.byeReasons.end(), [](int n) { return n != 0; });
    QVERIFY(idle != result.byeReasons.end());
    QCOMPARE(*idle, 3);
    QVERIFY2(result.firstError.contains(QLatin1String("BYE idle-timeout")), qPrintable(result.firstError));
    QCOMPARE(int(events.releasedLocals.size()), 3);
}

void TestDialer::failureReasons()
{
    QCOMPARE(dialFailureReason(ECONNREFUSED), QStringLiteral("refused"));
    QCOMPARE(dialFailureReason(ETIMEDOUT), QStringLiteral("timed-out"));
    QCOMPARE(dialFailureReason(ECONNRESET), QStringLiteral("reset"));
    QCOMPARE(dialFailureReason(EADDRNOTAVAIL), QStringLiteral("no-local-port"));
    QCOMPARE(dialFailureReason(EADDRINUSE), QStringLiteral("no-local-port"));
    QCOMPARE(dialFailureReason(EMFILE), QStringLiteral("out-of-descriptors"));
    QCOMPARE(dialFailureReason(ENFILE), QStringLiteral("out-of-descriptors"));
    QCOMPARE(dialFailureReason(ENETUNREACH), QStringLiteral("unreachable"));
    QCOMPARE(dialFailureReason(EHOSTUNREACH), QStringLiteral("unreachable"));
    QCOMPARE(dialFailureReason(EPERM), QStringLiteral("errno-%1").arg(EPERM));
}

QTEST_GUILESS_MAIN(TestDialer)
#include "tst_dialer.moc"
