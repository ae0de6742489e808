// The bench drivers (rr, hold, churn), each run in-process by a
// BenchWorker against a real vigild on 127.0.0.1 port 0: what each mode
// sends, what it measures and when it stops. Every run is bounded by its
// --duration (plus the drain); the worker's epoll loop never sleeps idle.
#include "benchworker.h"
#include "churndriver.h"
#include "processhelpers.h"

#include <QTest>

#include <arpa/inet.h>

using namespace Vigil;
using namespace VigilTest;

namespace {
// What Bench sets up for its workers: the target, and (rr, hold) the start
// that the coordinator gives once every worker has dialled. With a single
// worker it may be given up front.
struct Run
{
    BenchShared shared;
    BenchWorkerResult result;
    int connectedAtEnd = 0;
    quint64 responses = 0;
};

void runWorker(Run &run, const BenchOptions &options, quint16 port)
{
    auto *sin = reinterpret_cast<sockaddr_in *>(&run.shared.target);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    run.shared.targetLength = sizeof(sockaddr_in);
    run.shared.startNs.store(1);
    BenchWorker worker(options, run.shared, 0, options.connections, options.rate);
    worker.run();
    QVERIFY(worker.dialDone());
    QVERIFY(worker.finished());
    run.connectedAtEnd = worker.connectedNow();
    run.responses = worker.responsesNow();
    run.result = worker.result();
}

BenchOptions options(BenchMode mode, int connections, qint64 durationMs)
{
    BenchOptions o;
    o.mode = mode;
    o.connections = connections;
    o.durationMs = durationMs;
    o.warmupMs = 0;
    return o;
}
} // namespace

class TestBenchDrivers : public QObject
{
    Q_OBJECT

private slots:
    void rrKeepsInflightRequestsGoing();
    void rrMeasuresOnlyInsideTheWindow();
    void rrRateCapsMessages();
    void holdHeartbeatsAndKeepsConnectionsOpen();
    void holdStopsWhenEveryConnectionIsGone();
    void churnConnectsSendsAndCloses();
    void churnSlotsAreItsShareOfDialConcurrency();
};

void TestBenchDrivers::rrKeepsInflightRequestsGoing()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    BenchOptions o = options(BenchMode::RequestResponse, 10, 300);
    o.inflight = 4;
    Run run;
    runWorker(run, o, server.port());
    const BenchWorkerResult &r = run.result;
    QCOMPARE(r.connected, 10);
    QCOMPARE(r.errors, quint64(0));
    QVERIFY(r.messages > 40);
    QCOMPARE(r.rtt.count(), r.messages);
    // Everything sent came back: the drain waits for the last replies.
    QCOMPARE(run.responses, r.sent);
    QCOMPARE(r.stayedOpen, 10);
    QCOMPARE(r.closedByServer, 0);
}

void TestBenchDrivers::rrMeasuresOnlyInsideTheWindow()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    BenchOptions o = options(BenchMode::RequestResponse, 4, 200);
    o.warmupMs = 300;
    Run run;
    runWorker(run, o, server.port());
    const BenchWorkerResult &r = run.result;
    QCOMPARE(r.errors, quint64(0));
    QVERIFY(r.messages > 0);
    // The warmup's replies are answered but neither counted nor timed.
    QVERIFY2(r.messages < run.responses, qPrintable(QStringLiteral("%1 of %2").arg(r.messages).arg(run.responses)));
    QCOMPARE(r.rtt.count(), r.messages);
}

void TestBenchDrivers::rrRateCapsMessages()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    BenchOptions o = options(BenchMode::RequestResponse, 10, 500);
    o.inflight = 8;
    o.rate = 1000;
    Run run;
    runWorker(run, o, server.port());
    const BenchWorkerResult &r = run.result;
    QCOMPARE(r.errors, quint64(0));
    // 1000/s for 0.5 s, plus at most 10 ms of saved-up credit.
    QVERIFY2(r.sent <= 520, qPrintable(QString::number(r.sent)));
    QVERIFY2(r.messages >= 100, qPrintable(QString::number(r.messages)));
}

void TestBenchDrivers::holdHeartbeatsAndKeepsConnectionsOpen()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--idle-timeout"), QStringLiteral("300ms")}));
    BenchOptions o = options(BenchMode::Hold, 10, 800);
    o.heartbeatMs = 50;
    Run run;
    runWorker(run, o, server.port());
    const BenchWorkerResult &r = run.result;
    QCOMPARE(r.connected, 10);
    QCOMPARE(r.errors, quint64(0));
    QCOMPARE(r.stayedOpen, 10);
    QCOMPARE(r.closedByServer, 0);
    // One message and then a PING every 50 ms on each: far more than the
    // idle timeout would allow to be missed, and each PONG counts.
    QVERIFY2(r.messages >= 10 * 5, qPrintable(QString::number(r.messages)));
    QVERIFY(r.sent >= r.messages);
    QVERIFY2(r.sent - r.messages <= 10 * 4, "at most the ring's worth of heartbeats in flight per connection");
}

// Legacy frames to a vigil listener: the server says BYE and closes each
// one; the worker stops at once instead of waiting out --duration.
void TestBenchDrivers::holdStopsWhenEveryConnectionIsGone()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    BenchOptions o = options(BenchMode::Hold, 5, 30000);
    o.framing = Framing::Legacy;
    o.heartbeatMs = 2000;
    QElapsedTimer clock;
    clock.start();
    Run run;
    runWorker(run, o, server.port());
    QVERIFY2(clock.elapsed() < 10000, "stops once every connection is gone");
    QCOMPARE(run.result.connected, 5);
    QCOMPARE(run.result.closedByServer, 5);
    QCOMPARE(run.result.stayedOpen, 0);
    QCOMPARE(run.connectedAtEnd, 0);
}

void TestBenchDrivers::churnConnectsSendsAndCloses()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    BenchOptions o = options(BenchMode::Churn, 60, 20000);
    o.dialConcurrency = 8;
    Run run;
    runWorker(run, o, server.port());
    const BenchWorkerResult &r = run.result;
    QCOMPARE(r.connected, 60);
    QCOMPARE(r.messages, quint64(60));
    QCOMPARE(r.sent, quint64(60));
    QCOMPARE(r.connect.count(), quint64(60));
    QCOMPARE(r.errors, quint64(0));
    QCOMPARE(r.closedByServer, 0);
    QCOMPARE(r.stayedOpen, 0);
}

void TestBenchDrivers::churnSlotsAreItsShareOfDialConcurrency()
{
    BenchOptions o;
    o.dialConcurrency = 256;
    o.threads = 4;
    QCOMPARE(ChurnDriver::slotsFor(o, 10000), 64);
    QCOMPARE(ChurnDriver::slotsFor(o, 10), 10);
    o.dialConcurrency = 2;
    QCOMPARE(ChurnDriver::slotsFor(o, 100), 1);
}

QTEST_GUILESS_MAIN(TestBenchDrivers)
#include "tst_benchdrivers.moc"
