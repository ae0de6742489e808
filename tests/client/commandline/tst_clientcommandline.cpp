// ClientCommandLine: both forms of vigil-client's command line, every
// value checked, bad input refused with one line (exit 2 in main).
#include "clientcommandline.h"
#include "daemon.h"

#include <QRegularExpression>
#include <QTest>

#include <utility>

using namespace Vigil;

Q_DECLARE_METATYPE(ParsedClientCommandLine::Action)

class TestClientCommandLine : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void sender();
    void helloPolicy();
    void errors_data();
    void errors();
    void bench();
    void benchDefaults();
    void loopbackOnly_data();
    void loopbackOnly();
    void helpAndVersion();
    void helpListsEveryOption();
    void everyListedOptionIsAccepted();
    void helpFitsTheTerminal();
    void exitCodesBesideVigilds();
};

static QStringList args(const QString &line)
{
    return QStringList{QStringLiteral("vigil-client")} + line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

void TestClientCommandLine::defaults()
{
    const auto r = ClientCommandLine::parse(args(QString()));
    QCOMPARE(r.action, ParsedClientCommandLine::Action::Send);
    QCOMPARE(r.sender.target.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(r.sender.target.port, quint16(7600));
    QCOMPARE(r.sender.framing, Framing::Vigil);
    QCOMPARE(r.sender.count, 5);
    QCOMPARE(r.sender.intervalMs, qint64(2000));
    QCOMPARE(r.sender.message, QStringLiteral("This was a test for long Conn"));
    QCOMPARE(r.sender.heartbeatMs, qint64(0));
    QVERIFY(!r.sender.helloPolicy);
    QCOMPARE(r.sender.waitMs, qint64(0));
    QVERIFY(!r.sender.quiet);
}

void TestClientCommandLine::sender()
{
    QStringList a = args(QStringLiteral("--connect [::1]:9000 --framing legacy --count 7 --interval 250ms --wait 1m --quiet"));
    a << QStringLiteral("--message") << QStringLiteral("hello there");
    const auto r = ClientCommandLine::parse(a);
    QCOMPARE(r.action, ParsedClientCommandLine::Action::Send);
    QCOMPARE(r.sender.target.host, QStringLiteral("::1"));
    QCOMPARE(r.sender.target.port, quint16(9000));
    QCOMPARE(r.sender.target.toString(), QStringLiteral("[::1]:9000"));
    QCOMPARE(r.sender.framing, Framing::Legacy);
    QCOMPARE(r.sender.count, 7);
    QCOMPARE(r.sender.intervalMs, qint64(250));
    QCOMPARE(r.sender.waitMs, qint64(60000));
    QCOMPARE(r.sender.message, QStringLiteral("hello there"));
    QVERIFY(r.sender.quiet);

    const auto equals = ClientCommandLine::parse(args(QStringLiteral("--count=0 --heartbeat=2s")));
    QCOMPARE(equals.action, ParsedClientCommandLine::Action::Send);
    QCOMPARE(equals.sender.count, 0);
    QCOMPARE(equals.sender.heartbeatMs, qint64(2000));
    QVERIFY(!equals.sender.reconnect);
    QVERIFY(ClientCommandLine::parse(args(QStringLiteral("--reconnect"))).sender.reconnect);
    QVERIFY(ClientCommandLine::parse(args(QStringLiteral("bench --connections 2 --reconnect"))).bench.reconnect);
}

void TestClientCommandLine::helloPolicy()
{
    auto r = ClientCommandLine::parse(args(QStringLiteral("--hello short")));
    QCOMPARE(r.action, ParsedClientCommandLine::Action::Send);
    QCOMPARE(r.sender.helloPolicy, std::optional<Policy>(Policy::Short));
    QVERIFY(!r.sender.helloKeepaliveMs);

    r = ClientCommandLine::parse(args(QStringLiteral("--hello long:10s")));
    QCOMPARE(r.action, ParsedClientCommandLine::Action::Send);
    QCOMPARE(r.sender.helloPolicy, std::optional<Policy>(Policy::Long));
    QCOMPARE(r.sender.helloKeepaliveMs, std::optional<qint64>(10000));
}

void TestClientCommandLine::errors_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown flag") << "--bogus" << "bogus";
    QTest::newRow("missing value") << "--count" << "count";
    QTest::newRow("count not a number") << "--count five" << "--count";
    QTest::newRow("negative count") << "--count -1" << "--count";
    QTest::newRow("interval without unit") << "--interval 5" << "--interval";
    QTest::newRow("interval too long for a timer") << "--interval 1000h" << "--interval";
    QTest::newRow("bad framing") << "--framing json" << "--framing";
    QTest::newRow("connect without port") << "--connect localhost" << "--connect";
    QTest::newRow("connect port 0") << "--connect 127.0.0.1:0" << "--connect";
    QTest::newRow("connect port too big") << "--connect 127.0.0.1:70000" << "--connect";
    QTest::newRow("connect IPv6 without brackets") << "--connect ::1:7600" << "brackets";
    QTest::newRow("connect URL") << "--connect http://127.0.0.1:7600" << "URL";
    QTest::newRow("connect bad IPv4") << "--connect 127.0.0.256:7600" << "IPv4";
    QTest::newRow("heartbeat in legacy") << "--framing legacy --heartbeat 1s" << "--heartbeat";
    QTest::newRow("hello in line") << "--framing line --hello long" << "--hello";
    QTest::newRow("hello bad policy") << "--hello forever" << "--hello";
    QTest::newRow("hello bad keepalive") << "--hello long:ten" << "--hello";
    QTest::newRow("reconnect in line") << "--framing line --reconnect" << "--reconnect";
    QTest::newRow("bench reconnect in churn") << "bench --connections 1 --mode churn --reconnect" << "--reconnect";
    QTest::newRow("bench reconnect in raw") << "bench --connections 1 --framing raw --reconnect" << "--reconnect";
    QTest::newRow("stray argument") << "extra" << "extra";
    QTest::newRow("bench without connections") << "bench" << "--connections";
    QTest::newRow("bench zero connections") << "bench --connections 0" << "--connections";
    QTest::newRow("bench bad mode") << "bench --connections 1 --mode flood" << "--mode";
    QTest::newRow("bench zero inflight") << "bench --connections 1 --inflight 0" << "--inflight";
    QTest::newRow("bench zero duration") << "bench --connections 1 --duration 0" << "--duration";
    QTest::newRow("bench too many sources") << "bench --connections 1 --sources 251" << "--sources";
    QTest::newRow("bench negative rate") << "bench --connections 1 --rate -5" << "--rate";
    QTest::newRow("bench raw empty payload") << "bench --connections 1 --framing raw --payload 0" << "--payload";
    QTest::newRow("bench sender flag") << "bench --connections 1 --count 3" << "count";
    QTest::newRow("bench connections not a number") << "bench --connections many" << "--connections";
    QTest::newRow("bench too many connections") << "bench --connections 1000001" << "--connections";
    QTest::newRow("bench inflight too big") << "bench --connections 1 --inflight 65537" << "--inflight";
    QTest::newRow("bench payload not a size") << "bench --connections 1 --payload lots" << "--payload";
    QTest::newRow("bench payload too big") << "bench --connections 1 --payload 65M" << "--payload";
    QTest::newRow("bench duration without unit") << "bench --connections 1 --duration 5" << "--duration";
    QTest::newRow("bench bad warmup") << "bench --connections 1 --warmup soon" << "--warmup";
    QTest::newRow("bench rate not a number") << "bench --connections 1 --rate fast" << "--rate";
    QTest::newRow("bench rate in hold") << "bench --connections 1 --mode hold --rate 10" << "--rate";
    QTest::newRow("bench zero sources") << "bench --connections 1 --sources 0" << "--sources";
    QTest::newRow("bench sources on IPv6") << "bench --connections 1 --connect [::1]:7600 --sources 2" << "--sources";
    QTest::newRow("bench bad heartbeat") << "bench --connections 1 --mode hold --heartbeat 2" << "--heartbeat";
    QTest::newRow("bench zero threads") << "bench --connections 1 --threads 0" << "--threads";
    QTest::newRow("bench too many threads") << "bench --connections 1 --threads 65" << "--threads";
    QTest::newRow("bench zero dial concurrency") << "bench --connections 1 --dial-concurrency 0" << "--dial-concurrency";
    QTest::newRow("bench negative busy poll") << "bench --connections 1 --busy-poll -1" << "--busy-poll";
    QTest::newRow("bench bad framing") << "bench --connections 1 --framing http" << "--framing";
    QTest::newRow("bench missing value") << "bench --connections" << "connections";
    QTest::newRow("bench unknown flag") << "bench --connections 1 --flood" << "flood";
    QTest::newRow("bench stray argument") << "bench --connections 1 now" << "now";
}

void TestClientCommandLine::errors()
{
    QFETCH(QString, line);
    QFETCH(QString, mentions);
    const auto r = ClientCommandLine::parse(args(line));
    QCOMPARE(r.action, ParsedClientCommandLine::Action::Error);
    QVERIFY2(r.error.contains(mentions), qPrintable(r.error));
    QVERIFY2(!r.error.contains(QLatin1Char('\n')), "errors are one line");
}

void TestClientCommandLine::bench()
{
    const auto r = ClientCommandLine::parse(args(QStringLiteral(
        "bench --connect 127.0.0.2:9101 --framing legacy --connections 10000 --inflight 16 --payload 1k "
        "--duration 3s --warmup 500ms --rate 5000 --sources 8 --mode churn --threads 2 --dial-concurrency 64 --json")));
    QCOMPARE(r.action, ParsedClientCommandLine::Action::Bench);
    const BenchOptions &o = r.bench;
    QCOMPARE(o.target.toString(), QStringLiteral("127.0.0.2:9101"));
    QCOMPARE(o.framing, Framing::Legacy);
    QCOMPARE(o.connections, 10000);
    QCOMPARE(o.inflight, 16);
    QCOMPARE(o.payload, qint64(1024));
    QCOMPARE(o.durationMs, qint64(3000));
    QCOMPARE(o.warmupMs, qint64(500));
    QCOMPARE(o.rate, 5000.0);
    QCOMPARE(o.sources, 8);
    QCOMPARE(o.mode, BenchMode::Churn);
    QCOMPARE(o.threads, 2);
    QCOMPARE(o.dialConcurrency, 64);
    QVERIFY(o.json);

    const auto hold = ClientCommandLine::parse(args(QStringLiteral("bench --connections 2 --mode hold --heartbeat 150ms --busy-poll 50")));
    QCOMPARE(hold.action, ParsedClientCommandLine::Action::Bench);
    QCOMPARE(hold.bench.heartbeatMs, qint64(150));
    QCOMPARE(hold.bench.busyPollUs, qint64(50));
}

void TestClientCommandLine::benchDefaults()
{
    auto r = ClientCommandLine::parse(args(QStringLiteral("bench --connections 3")));
    QCOMPARE(r.action, ParsedClientCommandLine::Action::Bench);
    QCOMPARE(r.bench.target.toString(), QStringLiteral("127.0.0.1:7600"));
    QCOMPARE(r.bench.mode, BenchMode::RequestResponse);
    QCOMPARE(r.bench.inflight, 1);
    QCOMPARE(r.bench.payload, qint64(64));
    QCOMPARE(r.bench.durationMs, qint64(5000));
    QCOMPARE(r.bench.warmupMs, qint64(1000));
    QCOMPARE(r.bench.sources, 1);
    QCOMPARE(r.bench.threads, 1);
    QCOMPARE(r.bench.rate, 0.0);
    QCOMPARE(r.bench.dialConcurrency, 256);
    QCOMPARE(r.bench.busyPollUs, qint64(0));
    QCOMPARE(r.bench.heartbeatMs, qint64(0));
    QVERIFY(!r.bench.json);

    r = ClientCommandLine::parse(args(QStringLiteral("bench --connections 3 --mode hold")));
    QCOMPARE(r.bench.mode, BenchMode::Hold);
    QCOMPARE(r.bench.heartbeatMs, qint64(2000)); // hold needs a heartbeat
}

void TestClientCommandLine::loopbackOnly_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("127.0.0.1") << "127.0.0.1:1" << true;
    QTest::newRow("127.9.8.7") << "127.9.8.7:1" << true;
    QTest::newRow("localhost") << "localhost:1" << true;
    QTest::newRow("::1") << "[::1]:1" << true;
    QTest::newRow("10.0.0.1") << "10.0.0.1:1" << false;
    QTest::newRow("0.0.0.0") << "0.0.0.0:1" << false;
    QTest::newRow("8.8.8.8") << "8.8.8.8:53" << false;
    QTest::newRow("name") << "example.com:80" << false;
    QTest::newRow("::ffff:10.0.0.1") << "[::ffff:10.0.0.1]:1" << false;
}

void TestClientCommandLine::loopbackOnly()
{
    QFETCH(QString, target);
    QFETCH(bool, allowed);
    const auto r = ClientCommandLine::parse(args(QStringLiteral("bench --connections 1 --connect ") + target));
    if (allowed) {
        QCOMPARE(r.action, ParsedClientCommandLine::Action::Bench);
    } else {
        QCOMPARE(r.action, ParsedClientCommandLine::Action::Error);
        QVERIFY2(r.error.contains(QLatin1String("loopback")), qPrintable(r.error));
    }
}

void TestClientCommandLine::helpAndVersion()
{
    auto r = ClientCommandLine::parse(args(QStringLiteral("--help")));
    QCOMPARE(r.action, ParsedClientCommandLine::Action::Help);
    QVERIFY(r.text.contains(QLatin1String("Exit codes")));
    QVERIFY(r.text.contains(QLatin1String("vigil-client bench")));

    r = ClientCommandLine::parse(args(QStringLiteral("bench --connections 1 --version")));
    QCOMPARE(r.action, ParsedClientCommandLine::Action::Version);
    QCOMPARE(r.text, QStringLiteral("vigil-client " VIGIL_VERSION "\n"));
}

// The help and the parsers come from one table: every option either form
// takes is in --help, spelled out, and the help names no option of a form
// that its parser would refuse.
void TestClientCommandLine::helpListsEveryOption()
{
    const QString help = ClientCommandLine::helpText();
    const QStringList sender = ClientCommandLine::senderOptionNames();
    const QStringList bench = ClientCommandLine::benchOptionNames();
    for (const char *name : {"connect", "framing", "count", "interval", "message", "wait", "heartbeat", "hello", "quiet", "reconnect", "tls", "ca", "insecure"})
        QVERIFY2(sender.contains(QLatin1String(name)), name);
    for (const char *name : {"connect", "framing", "connections", "mode", "inflight", "payload", "duration", "warmup",
                             "rate", "sources", "heartbeat", "threads", "dial-concurrency", "busy-poll", "reconnect", "tls", "json"})
        QVERIFY2(bench.contains(QLatin1String(name)), name);
    QCOMPARE(sender.size(), 13);
    QCOMPARE(bench.size(), 17);
    QCOMPARE(QStringList(sender).removeDuplicates(), 0); // one row per option and form
    QCOMPARE(QStringList(bench).removeDuplicates(), 0);
    const auto [senderPart, benchPart] = [&help]() {
        const qsizetype split = help.indexOf(QLatin1String("\nbench drives"));
        return std::make_pair(help.left(split), help.mid(split));
    }();
    QVERIFY(!senderPart.isEmpty() && !benchPart.isEmpty());
    for (const QString &name : sender) {
        const QRegularExpression entry(QStringLiteral("\n  --%1[ \n]").arg(QRegularExpression::escape(name)));
        QVERIFY2(senderPart.contains(entry), qPrintable(name));
        QVERIFY2(help.contains(QStringLiteral("[--%1").arg(name)), qPrintable(name)); // in the usage line
    }
    for (const QString &name : bench) {
        const QRegularExpression entry(QStringLiteral("\n  --%1[ \n]").arg(QRegularExpression::escape(name)));
        QVERIFY2(benchPart.contains(entry), qPrintable(name));
    }
    QVERIFY(help.contains(QLatin1String(" --connections N\n"))); // required: no brackets
}

void TestClientCommandLine::everyListedOptionIsAccepted()
{
    for (const QString &name : ClientCommandLine::senderOptionNames()) {
        const auto r = ClientCommandLine::parse({QStringLiteral("vigil-client"), QStringLiteral("--") + name, QStringLiteral("1")});
        QVERIFY2(!r.error.contains(QLatin1String("Unknown option")), qPrintable(r.error));
    }
    for (const QString &name : ClientCommandLine::benchOptionNames()) {
        const auto r = ClientCommandLine::parse({QStringLiteral("vigil-client"), QStringLiteral("bench"), QStringLiteral("--connections"),
                                                 QStringLiteral("1"), QStringLiteral("--") + name, QStringLiteral("1")});
        QVERIFY2(!r.error.contains(QLatin1String("Unknown option")), qPrintable(r.error));
    }
}

void TestClientCommandLine::helpFitsTheTerminal()
{
    const QStringList lines = ClientCommandLine::helpText().split(QLatin1Char('\n'));
    for (const QString &line : lines)
        QVERIFY2(line.size() <= 80, qPrintable(line));
}

// vigil-client's and vigild's exit codes have names of their own, so both
// headers live in one translation unit (the monitor's, a test's); where
// the numbers overlap they mean the same thing to a script.
void TestClientCommandLine::exitCodesBesideVigilds()
{
    QCOMPARE(int(ClientExit::Ok), int(DaemonExit::Ok));
    QCOMPARE(int(ClientExit::Usage), int(DaemonExit::BadUsage));
    QCOMPARE(int(ClientExit::ConnectFailed), 1);
    QCOMPARE(int(ClientExit::ClosedByServer), 3);
    const QString help = ClientCommandLine::helpText();
    for (const ClientExit code : {ClientExit::Ok, ClientExit::ConnectFailed, ClientExit::Usage, ClientExit::ClosedByServer})
        QVERIFY2(help.contains(QStringLiteral("\n  %1  ").arg(int(code))), qPrintable(QString::number(int(code))));
}

QTEST_GUILESS_MAIN(TestClientCommandLine)
#include "tst_clientcommandline.moc"
