// Bench, as a process: `vigil-client bench` against the real vigild in
// each mode; its JSON must parse and make sense.
#include "processhelpers.h"
#include "tlsfiles.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTest>

using namespace VigilTest;

namespace {
constexpr int BenchTimeoutMs = 60000;

// Runs bench with --json and returns its one JSON object (empty on failure).
QJsonObject runBench(const QStringList &arguments, ProcessResult *result = nullptr)
{
    const ProcessResult r = runClient(QStringList{QStringLiteral("bench"), QStringLiteral("--json")} + arguments, BenchTimeoutMs);
    if (result)
        *result = r;
    if (!r.finished || r.exitCode != 0 || r.out.count(QLatin1Char('\n')) != 1)
        return QJsonObject();
    return QJsonDocument::fromJson(r.out.toUtf8()).object();
}

QString dump(const ProcessResult &r)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(r.exitCode).arg(r.out, r.err);
}
} // namespace

class TestBench : public QObject
{
    Q_OBJECT

private slots:
    void requestResponseJson_data();
    void requestResponseJson();
    void table();
    void goAwaysAreCounted();
    void reconnectsAfterGoAways();
    void sourcesSpreadConnections();
    void holdCountsWhoStaysOpen();
    void holdWithoutEnoughHeartbeatsIsClosed();
    void serverClosesAreCounted();
    void churn();
    void connectionRefused();
    void dialFailuresByReason();
    void refusesNonLoopback();
    void tlsRrAndHold_data();
    void tlsRrAndHold();
    void tlsIsNotForChurn();
};

void TestBench::tlsRrAndHold_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("rr") << "rr";
    QTest::newRow("hold") << "hold";
}

// bench --tls against a ,tls listener: every connection completes its
// handshake, rr gets its echoes and hold keeps every connection open with
// heartbeats inside TLS; vigild logs one tls event per connection.
void TestBench::tlsRrAndHold()
{
    QFETCH(QString, mode);
    TlsFiles files;
    QVERIFY2(files.make(), qPrintable(files.error()));
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--tls-cert"), files.path("ec.crt"), QStringLiteral("--tls-key"), files.path("ec.key"),
                          QStringLiteral("--idle-timeout"), QStringLiteral("800ms")},
                         10000, QStringLiteral("127.0.0.1:0,tls")));
    ProcessResult r;
    const QJsonObject o = runBench({QStringLiteral("--connect"), server.address(), QStringLiteral("--tls"), QStringLiteral("--mode"), mode,
                                    QStringLiteral("--connections"), QStringLiteral("30"), QStringLiteral("--heartbeat"),
                                    QStringLiteral("200ms"), QStringLiteral("--duration"), QStringLiteral("1500ms"),
                                    QStringLiteral("--warmup"), QStringLiteral("200ms")},
                                   &r);
    QVERIFY2(!o.isEmpty(), qPrintable(dump(r)));
    QCOMPARE(o.value(QLatin1String("connections")).toInt(), 30);
    QCOMPARE(o.value(QLatin1String("dial_errors")).toDouble(), 0.0);
    QCOMPARE(o.value(QLatin1String("errors")).toDouble(), 0.0);
    QVERIFY(o.value(QLatin1String("messages")).toDouble() >= 30);
    if (mode == QLatin1String("hold"))
        QCOMPARE(o.value(QLatin1String("stayed_open")).toInt(), 30); // heartbeats inside TLS beat the idle timeout
    QVERIFY(o.value(QLatin1String("connect_p50_us")).toDouble() > 0);
}

void TestBench::tlsIsNotForChurn()
{
    const ProcessResult r = runClient({QStringLiteral("bench"), QStringLiteral("--tls"), QStringLiteral("--mode"), QStringLiteral("churn"),
                                       QStringLiteral("--connections"), QStringLiteral("1")},
                                      BenchTimeoutMs);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("--tls")), qPrintable(r.err));
}

void TestBench::requestResponseJson_data()
{
    QTest::addColumn<QString>("framing");
    QTest::newRow("vigil") << "vigil";
    QTest::newRow("legacy") << "legacy";
    QTest::newRow("line") << "line";
    QTest::newRow("raw") << "raw";
}

void TestBench::requestResponseJson()
{
    QFETCH(QString, framing);
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--framing"), framing}));
    ProcessResult r;
    const QJsonObject o = runBench({QStringLiteral("--connect"), server.address(), QStringLiteral("--framing"), framing,
                                    QStringLiteral("--connections"), QStringLiteral("20"), QStringLiteral("--inflight"),
                                    framing == QLatin1String("raw") ? QStringLiteral("1") : QStringLiteral("4"),
                                    QStringLiteral("--duration"), QStringLiteral("1s"), QStringLiteral("--warmup"), QStringLiteral("200ms")},
                                   &r);
    QVERIFY2(!o.isEmpty(), qPrintable(dump(r)));
    for (const char *key : {"connections", "messages", "msgs_per_sec", "rtt_p50_us", "rtt_p99_us", "rtt_max_us", "errors", "dial_s"})
        QVERIFY2(o.contains(QLatin1String(key)), key);
    QCOMPARE(o.value(QLatin1String("connections")).toInt(), 20);
    QVERIFY(o.value(QLatin1String("messages")).toDouble() > 0);
    QVERIFY(o.value(QLatin1String("msgs_per_sec")).toDouble() > 0);
    QCOMPARE(o.value(QLatin1String("errors")).toDouble(), 0.0);
    const double p50 = o.value(QLatin1String("rtt_p50_us")).toDouble();
    const double p99 = o.value(QLatin1String("rtt_p99_us")).toDouble();
    const double max = o.value(QLatin1String("rtt_max_us")).toDouble();
    QVERIFY(p50 > 0);
    QVERIFY2(p50 <= p99 && p99 <= max, qPrintable(r.out));
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err)); // no progress lines when stderr is not a terminal
}

void TestBench::table()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    const ProcessResult r = runClient({QStringLiteral("bench"), QStringLiteral("--connect"), server.address(),
                                       QStringLiteral("--connections"), QStringLiteral("4"), QStringLiteral("--duration"),
                                       QStringLiteral("300ms"), QStringLiteral("--warmup"), QStringLiteral("0")},
                                      BenchTimeoutMs);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QLatin1String("msgs/s")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("p99")), qPrintable(r.out));
}

void TestBench::sourcesSpreadConnections()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--log-format"), QStringLiteral("json")}));
    ProcessResult r;
    const QJsonObject o = runBench({QStringLiteral("--connect"), server.address(), QStringLiteral("--connections"), QStringLiteral("40"),
                                    QStringLiteral("--sources"), QStringLiteral("4"), QStringLiteral("--duration"), QStringLiteral("300ms"),
                                    QStringLiteral("--warmup"), QStringLiteral("0")},
                                   &r);
    QVERIFY2(!o.isEmpty(), qPrintable(dump(r)));
    QCOMPARE(o.value(QLatin1String("connections")).toInt(), 40);
    QCOMPARE(o.value(QLatin1String("errors")).toDouble(), 0.0);
    for (int source = 1; source <= 4; ++source) {
        const QString peer = QStringLiteral("\"peer\":\"127.0.0.%1:").arg(source);
        QTRY_VERIFY2_WITH_TIMEOUT(server.output().remove(QLatin1Char(' ')).contains(peer), qPrintable(peer), 10000);
    }
}

void TestBench::holdCountsWhoStaysOpen()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--idle-timeout"), QStringLiteral("600ms")}));
    ProcessResult r;
    const QJsonObject o = runBench({QStringLiteral("--connect"), server.address(), QStringLiteral("--mode"), QStringLiteral("hold"),
                                    QStringLiteral("--connections"), QStringLiteral("50"), QStringLiteral("--heartbeat"), QStringLiteral("150ms"),
                                    QStringLiteral("--duration"), QStringLiteral("1500ms")},
                                   &r);
    QVERIFY2(!o.isEmpty(), qPrintable(dump(r)));
    QCOMPARE(o.value(QLatin1String("mode")).toString(), QStringLiteral("hold"));
    QCOMPARE(o.value(QLatin1String("stayed_open")).toInt(), 50);
    QCOMPARE(o.value(QLatin1String("errors")).toDouble(), 0.0);
    QVERIFY(o.value(QLatin1String("messages")).toDouble() >= 50 * 5);
}

// Heartbeats slower than the idle timeout: the server closes them all.
void TestBench::holdWithoutEnoughHeartbeatsIsClosed()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--idle-timeout"), QStringLiteral("300ms")}));
    ProcessResult r;
    const QJsonObject o = runBench({QStringLiteral("--connect"), server.address(), QStringLiteral("--mode"), QStringLiteral("hold"),
                                    QStringLiteral("--connections"), QStringLiteral("20"), QStringLiteral("--heartbeat"), QStringLiteral("5s"),
                                    QStringLiteral("--duration"), QStringLiteral("1200ms")},
                                   &r);
    QVERIFY2(!o.isEmpty(), qPrintable(dump(r)));
    QCOMPARE(o.value(QLatin1String("stayed_open")).toInt(), 0);
    QCOMPARE(o.value(QLatin1String("closed_by_server")).toInt(), 20);
    QCOMPARE(o.value(QLatin1String("bye_reasons")).toObject().value(QLatin1String("idle-timeout")).toInt(), 20);
}

// PROTOCOL.md §10: a GOAWAY is counted and the connection kept until the
// server's BYE, which is counted as before.
void TestBench::goAwaysAreCounted()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--max-lifetime"), QStringLiteral("400ms"), QStringLiteral("--lifetime-grace"),
                          QStringLiteral("300ms")}));
    ProcessResult r;
    const QJsonObject o = runBench({QStringLiteral("--connect"), server.address(), QStringLiteral("--mode"), QStringLiteral("hold"),
                                    QStringLiteral("--connections"), QStringLiteral("10"), QStringLiteral("--duration"),
                                    QStringLiteral("3s")},
                                   &r);
    QVERIFY2(!o.isEmpty(), qPrintable(dump(r)));
    QCOMPARE(o.value(QLatin1String("goaways")).toInt(), 10);
    QCOMPARE(o.value(QLatin1String("closed_by_server")).toInt(), 10);
    QCOMPARE(o.value(QLatin1String("bye_reasons")).toObject().value(QLatin1String("lifetime-expired")).toInt(), 10);

    // Without the flags: the key is there, and zero.
    VigildProcess plain;
    QVERIFY(plain.start({}));
    const QJsonObject p = runBench({QStringLiteral("--connect"), plain.address(), QStringLiteral("--connections"),
                                    QStringLiteral("2"), QStringLiteral("--duration"), QStringLiteral("300ms")},
                                   &r);
    QVERIFY2(!p.isEmpty(), qPrintable(dump(r)));
    QVERIFY(p.contains(QLatin1String("goaways")));
    QCOMPARE(p.value(QLatin1String("goaways")).toInt(), 0);
    QCOMPARE(p.value(QLatin1String("reconnects")).toInt(), 0);
}

// --reconnect: a connection closed after its GOAWAY is dialled again and
// counted, not lost: rr goes on at full strength with no errors.
void TestBench::reconnectsAfterGoAways()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--max-lifetime"), QStringLiteral("400ms"), QStringLiteral("--lifetime-grace"),
                          QStringLiteral("200ms")}));
    ProcessResult r;
    const QJsonObject o = runBench({QStringLiteral("--connect"), server.address(), QStringLiteral("--connections"), QStringLiteral("4"),
                                    QStringLiteral("--duration"), QStringLiteral("2s"), QStringLiteral("--warmup"), QStringLiteral("0"),
                                    QStringLiteral("--reconnect")},
                                   &r);
    QVERIFY2(!o.isEmpty(), qPrintable(dump(r)));
    // Each connection lives about 600 ms: several generations in 2 s.
    QVERIFY2(o.value(QLatin1String("goaways")).toInt() >= 8, qPrintable(dump(r)));
    QVERIFY2(o.value(QLatin1String("reconnects")).toInt() >= 8, qPrintable(dump(r)));
    QVERIFY(o.value(QLatin1String("reconnects")).toInt() <= o.value(QLatin1String("goaways")).toInt());
    QCOMPARE(o.value(QLatin1String("errors")).toInt(), 0);
    QCOMPARE(o.value(QLatin1String("connections")).toInt(), 4);
    QVERIFY(o.value(QLatin1String("messages")).toDouble() > 0);
}

// A server that answers with BYE and closes in one segment (here: legacy
// frames sent to a vigil listener) must show up as closed, not as open.
void TestBench::serverClosesAreCounted()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    ProcessResult r;
    const QJsonObject o = runBench({QStringLiteral("--connect"), server.address(), QStringLiteral("--framing"), QStringLiteral("legacy"),
                                    QStringLiteral("--mode"), QStringLiteral("hold"), QStringLiteral("--connections"), QStringLiteral("5"),
                                    QStringLiteral("--duration"), QStringLiteral("5s")},
                                   &r);
    QVERIFY2(!o.isEmpty(), qPrintable(dump(r)));
    QCOMPARE(o.value(QLatin1String("stayed_open")).toInt(), 0);
    QCOMPARE(o.value(QLatin1String("closed_by_server")).toInt(), 5);
    QCOMPARE(o.value(QLatin1String("errors")).toDouble(), 5.0);
    QVERIFY2(r.elapsedMs < 4000, "bench stops once every connection is gone");
}

void TestBench::churn()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    ProcessResult r;
    const QJsonObject o = runBench({QStringLiteral("--connect"), server.address(), QStringLiteral("--mode"), QStringLiteral("churn"),
                                    QStringLiteral("--connections"), QStringLiteral("300"), QStringLiteral("--rate"), QStringLiteral("1000"),
                                    QStringLiteral("--duration"), QStringLiteral("10s")},
                                   &r);
    QVERIFY2(!o.isEmpty(), qPrintable(dump(r)));
    QCOMPARE(o.value(QLatin1String("connections")).toInt(), 300);
    QCOMPARE(o.value(QLatin1String("messages")).toDouble(), 300.0);
    QCOMPARE(o.value(QLatin1String("errors")).toDouble(), 0.0);
    QVERIFY(o.value(QLatin1String("connect_p50_us")).toDouble() > 0);
    QVERIFY(o.value(QLatin1String("connect_p50_us")).toDouble() <= o.value(QLatin1String("connect_max_us")).toDouble());
    // 300 connections at 1000/s take about 0.3 s, not the whole 10 s.
    QVERIFY2(o.value(QLatin1String("duration_s")).toDouble() < 8, qPrintable(r.out));
}

void TestBench::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const ProcessResult r = runClient({QStringLiteral("bench"), QStringLiteral("--connect"), QStringLiteral("127.0.0.1:%1").arg(port),
                                       QStringLiteral("--connections"), QStringLiteral("3"), QStringLiteral("--json")},
                                      BenchTimeoutMs);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
    QVERIFY2(r.err.contains(QLatin1String("refused")), qPrintable(r.err));
}

// The server goes away in the middle of a churn run: the connects made
// before count as connections, every one after as a dial failure with its
// reason, in the JSON's dial_error_reasons.
void TestBench::dialFailuresByReason()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    QProcess bench;
    bench.start(QStringLiteral(VIGIL_CLIENT_PATH),
                {QStringLiteral("bench"), QStringLiteral("--json"), QStringLiteral("--connect"), server.address(),
                 QStringLiteral("--mode"), QStringLiteral("churn"), QStringLiteral("--connections"), QStringLiteral("600"),
                 QStringLiteral("--rate"), QStringLiteral("200"), QStringLiteral("--duration"), QStringLiteral("3s")});
    QVERIFY(bench.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(server.output().count(QLatin1String("connected conn=")) >= 20, 20000);
    server.stop();
    QVERIFY(bench.waitForFinished(BenchTimeoutMs));
    const QString out = QString::fromUtf8(bench.readAllStandardOutput());
    QCOMPARE(bench.exitCode(), 0);
    const QJsonObject o = QJsonDocument::fromJson(out.toUtf8()).object();
    QVERIFY2(o.value(QLatin1String("connections")).toInt() >= 20, qPrintable(out));
    const int failed = o.value(QLatin1String("dial_errors")).toInt();
    QVERIFY2(failed > 0, qPrintable(out));
    const QJsonObject reasons = o.value(QLatin1String("dial_error_reasons")).toObject();
    QVERIFY2(reasons.keys() == QStringList{QStringLiteral("refused")}, qPrintable(out));
    QCOMPARE(reasons.value(QLatin1String("refused")).toInt(), failed);
}

void TestBench::refusesNonLoopback()
{
    const ProcessResult r = runClient({QStringLiteral("bench"), QStringLiteral("--connect"), QStringLiteral("192.0.2.1:7600"),
                                       QStringLiteral("--connections"), QStringLiteral("1")},
                                      BenchTimeoutMs);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("loopback")), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestBench)
#include "tst_bench.moc"
