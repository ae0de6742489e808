// Sender, as a process: the real vigil-client against the real vigild on
// loopback, in every framing, with idle timeouts, heartbeats and HELLO.
#include "processhelpers.h"
#include "tlsfiles.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

using namespace VigilTest;

namespace {
// Budgets for a loaded 2-core box: generous, never sleeps.
constexpr int ClientTimeoutMs = 30000;

QString echoLine(int i)
{
    return QStringLiteral("echo: %1 This was a test for long Conn\n").arg(i);
}
} // namespace

class TestSender : public QObject
{
    Q_OBJECT

private slots:
    void echoesInEveryFraming_data();
    void echoesInEveryFraming();
    void idleTimeoutClosesSlowSender_data();
    void idleTimeoutClosesSlowSender();
    void heartbeatKeepsConnectionAlive();
    void waitWatchesTheServerClose();
    void answersServerProbes();
    void helloWelcomeRoundTrip();
    void serverShutdownIsReported();
    void goAwayEndsTheSession();
    void reconnectGoesOnAfterGoAway();
    void reconnectGivesUpWhenNobodyListens();
    void connectionRefused();
    void tlsEchoes_data();
    void tlsEchoes();
    void tlsRefusesAnUntrustedServer();
    void tlsFlagsNeedTls();
    void badFlag();
    void versionAndHelp();
    void sendOverIsTheLastLine_data();
    void sendOverIsTheLastLine();
    void sendOverWaitsBoundedForMissingEchoes();
};

void TestSender::echoesInEveryFraming_data()
{
    QTest::addColumn<QString>("framing");
    QTest::newRow("vigil") << "vigil";
    QTest::newRow("legacy") << "legacy";
    QTest::newRow("line") << "line";
    QTest::newRow("raw") << "raw";
}

void TestSender::echoesInEveryFraming()
{
    QFETCH(QString, framing);
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--framing"), framing}));
    const ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--framing"), framing,
                                       QStringLiteral("--count"), QStringLiteral("4"), QStringLiteral("--interval"), QStringLiteral("50ms")},
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    for (int i = 0; i < 4; ++i)
        QVERIFY2(r.out.contains(echoLine(i)), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("send over\n")), qPrintable(r.out));
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    // Echoes come back in order (PROTOCOL.md §7).
    QVERIFY(r.out.indexOf(echoLine(0)) < r.out.indexOf(echoLine(1)));
    QVERIFY(r.out.indexOf(echoLine(2)) < r.out.indexOf(echoLine(3)));
}

// PROTOCOL.md §6: the server closes first, so the sender says why and
// exits 3; only the vigil framing carries the reason's name.
void TestSender::idleTimeoutClosesSlowSender_data()
{
    QTest::addColumn<QString>("framing");
    QTest::addColumn<QString>("expected");
    QTest::newRow("vigil") << "vigil" << "closed by server: idle-timeout\n";
    QTest::newRow("legacy") << "legacy" << "closed by server\n";
}

void TestSender::idleTimeoutClosesSlowSender()
{
    QFETCH(QString, framing);
    QFETCH(QString, expected);
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--framing"), framing, QStringLiteral("--idle-timeout"), QStringLiteral("500ms")}));
    const ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--framing"), framing,
                                       QStringLiteral("--count"), QStringLiteral("3"), QStringLiteral("--interval"), QStringLiteral("3s")},
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.out.contains(echoLine(0)), qPrintable(r.out));
    QVERIFY2(r.out.endsWith(expected), qPrintable(r.out));
    QVERIFY2(!r.out.contains(echoLine(1)), qPrintable(r.out));
    QVERIFY2(!r.out.contains(QLatin1String("send over")), qPrintable(r.out));
    QVERIFY2(r.elapsedMs >= 500, qPrintable(QString::number(r.elapsedMs))); // a timer never fires early
}

// Messages 1.2 s apart would be closed by a 500 ms idle timeout; PINGs in
// between count as activity and keep the session open.
void TestSender::heartbeatKeepsConnectionAlive()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--idle-timeout"), QStringLiteral("500ms")}));
    const ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--count"), QStringLiteral("2"),
                                       QStringLiteral("--interval"), QStringLiteral("1200ms"), QStringLiteral("--heartbeat"), QStringLiteral("100ms")},
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(echoLine(0)) && r.out.contains(echoLine(1)), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("send over\n")), qPrintable(r.out));
    static const QRegularExpression summary(QStringLiteral("heartbeat: (\\d+) PING sent, (\\d+) PONG received"));
    const auto match = summary.match(r.out);
    QVERIFY2(match.hasMatch(), qPrintable(r.out));
    QVERIFY(match.captured(1).toInt() >= 3);
    QVERIFY(match.captured(2).toInt() >= 3);
    QVERIFY(match.captured(2).toInt() <= match.captured(1).toInt());
}

// --wait keeps the sender connected and silent after the last message, so
// the server's idle watchdog ends it before the sender is done: exit 3,
// the reason as the last line and no "send over" (PROTOCOL.md §6).
void TestSender::waitWatchesTheServerClose()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--idle-timeout"), QStringLiteral("500ms")}));
    ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--count"), QStringLiteral("2"),
                                 QStringLiteral("--interval"), QStringLiteral("100ms"), QStringLiteral("--wait"), QStringLiteral("5s")},
                                ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.out.contains(echoLine(1)), qPrintable(r.out));
    QVERIFY2(!r.out.contains(QLatin1String("send over")), qPrintable(r.out));
    QVERIFY2(r.out.endsWith(QLatin1String("closed by server: idle-timeout\n")), qPrintable(r.out));
    QVERIFY2(r.elapsedMs < 5000, qPrintable(QString::number(r.elapsedMs)));

    // A wait well inside the idle timeout ends normally.
    VigildProcess patientServer;
    QVERIFY(patientServer.start({QStringLiteral("--idle-timeout"), QStringLiteral("10s")}));
    r = runClient({QStringLiteral("--connect"), patientServer.address(), QStringLiteral("--count"), QStringLiteral("1"),
                   QStringLiteral("--wait"), QStringLiteral("300ms")},
                  ClientTimeoutMs);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(echoLine(0)), qPrintable(r.out));
    QVERIFY2(r.out.endsWith(QLatin1String("send over\n")), qPrintable(r.out));
}

// PROTOCOL.md §3: with --probe-interval the server PINGs a quiet client
// and the PONG counts as activity, so a sender silent for longer than the
// idle timeout survives by answering.
void TestSender::answersServerProbes()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--idle-timeout"), QStringLiteral("1s"), QStringLiteral("--probe-interval"), QStringLiteral("200ms")}));
    const ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--count"), QStringLiteral("2"),
                                       QStringLiteral("--interval"), QStringLiteral("2500ms")},
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(echoLine(0)) && r.out.contains(echoLine(1)), qPrintable(r.out));
}

void TestSender::helloWelcomeRoundTrip()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    const ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--count"), QStringLiteral("1"),
                                       QStringLiteral("--hello"), QStringLiteral("long:4s")},
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    static const QRegularExpression welcomeLine(QStringLiteral("^welcome: (\\{.*\\})$"), QRegularExpression::MultilineOption);
    const auto match = welcomeLine.match(r.out);
    QVERIFY2(match.hasMatch(), qPrintable(r.out));
    const QJsonObject welcome = QJsonDocument::fromJson(match.captured(1).toUtf8()).object();
    QCOMPARE(welcome.value(QLatin1String("policy")).toString(), QStringLiteral("long"));
    QCOMPARE(welcome.value(QLatin1String("idle_timeout_ms")).toInt(), 6000); // 1.5 x keepalive
    QCOMPARE(welcome.value(QLatin1String("server")).toString(), QStringLiteral("vigild/" VIGIL_VERSION));
    QVERIFY(welcome.contains(QLatin1String("conn")));
    QVERIFY(welcome.contains(QLatin1String("max_payload")));
    QVERIFY(r.out.indexOf(QLatin1String("welcome: ")) < r.out.indexOf(echoLine(0)));
}

void TestSender::serverShutdownIsReported()
{
    VigildProcess server;
    QVERIFY(server.start({}));
    QProcess client;
    client.start(QStringLiteral(VIGIL_CLIENT_PATH), {QStringLiteral("--connect"), server.address(), QStringLiteral("--count"),
                                                     QStringLiteral("3"), QStringLiteral("--interval"), QStringLiteral("10s")});
    QVERIFY(client.waitForStarted());
    QString out;
    QTRY_VERIFY_WITH_TIMEOUT((out += QString::fromUtf8(client.readAllStandardOutput())).contains(echoLine(0)), 10000);
    server.stop();
    QVERIFY(client.waitForFinished(10000));
    out += QString::fromUtf8(client.readAllStandardOutput());
    QCOMPARE(client.exitCode(), 3);
    QVERIFY2(out.endsWith(QLatin1String("closed by server: server-shutdown\n")), qPrintable(out));
}

// PROTOCOL.md §10: a GOAWAY is printed, and the sender finishes (sends
// nothing new, BYE normal) before the server's BYE would come.
void TestSender::goAwayEndsTheSession()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--max-lifetime"), QStringLiteral("1s"), QStringLiteral("--lifetime-grace"),
                          QStringLiteral("20s")}));
    const ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--count"), QStringLiteral("100"),
                                       QStringLiteral("--interval"), QStringLiteral("100ms")},
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 3); // the server ended the session before every message was sent
    const QString goAwayLine = QStringLiteral("server going away in 20000 ms: lifetime-expired\n");
    const qsizetype at = r.out.indexOf(goAwayLine);
    QVERIFY2(at > 0, qPrintable(r.out));
    // After it, at most the echoes that were on their way.
    for (const QString &line : r.out.mid(at + goAwayLine.size()).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        QVERIFY2(line.startsWith(QLatin1String("echo: ")), qPrintable(r.out));
    QVERIFY2(r.out.contains(echoLine(0)), qPrintable(r.out));
    QVERIFY2(!r.out.contains(QLatin1String("closed by server")), qPrintable(r.out));
    QVERIFY2(r.elapsedMs < 10000, qPrintable(QString::number(r.elapsedMs)));
}

// --reconnect: after the GOAWAY the sender finishes the current message,
// connects again and sends the rest, every message echoed exactly once.
void TestSender::reconnectGoesOnAfterGoAway()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--max-lifetime"), QStringLiteral("700ms"), QStringLiteral("--lifetime-grace"),
                          QStringLiteral("20s")}));
    const ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--count"), QStringLiteral("8"),
                                       QStringLiteral("--interval"), QStringLiteral("200ms"), QStringLiteral("--hello"),
                                       QStringLiteral("long"), QStringLiteral("--reconnect")},
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.endsWith(QLatin1String("send over\n")), qPrintable(r.out));
    for (int i = 0; i < 8; ++i)
        QCOMPARE(r.out.count(echoLine(i)), 1);
    QVERIFY2(r.out.contains(QLatin1String("server going away in 20000 ms: lifetime-expired\n")), qPrintable(r.out));
    const qsizetype reconnecting = r.out.count(QStringLiteral("reconnecting to %1\n").arg(server.address()));
    QVERIFY2(reconnecting >= 1, qPrintable(r.out));
    QCOMPARE(r.out.count(QStringLiteral("reconnected to %1\n").arg(server.address())), reconnecting);
    QCOMPARE(r.out.count(QLatin1String("welcome: ")), reconnecting + 1); // HELLO again on each connection
    QVERIFY2(!r.out.contains(QLatin1String("closed by server")), qPrintable(r.out));
}

// A server that drained and left: the reconnect is tried a few times, a
// little apart, then given up with one line and exit 1 (cannot connect).
void TestSender::reconnectGivesUpWhenNobodyListens()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--drain-time"), QStringLiteral("300ms")}));
    QProcess client;
    client.start(QStringLiteral(VIGIL_CLIENT_PATH), {QStringLiteral("--connect"), server.address(), QStringLiteral("--count"),
                                                     QStringLiteral("100"), QStringLiteral("--interval"), QStringLiteral("100ms"),
                                                     QStringLiteral("--reconnect")});
    QVERIFY(client.waitForStarted());
    QString out;
    QTRY_VERIFY_WITH_TIMEOUT((out += QString::fromUtf8(client.readAllStandardOutput())).contains(echoLine(0)), 10000);
    server.stop(); // SIGTERM: drain, GOAWAY, the listener closed
    QVERIFY(client.waitForFinished(ClientTimeoutMs));
    out += QString::fromUtf8(client.readAllStandardOutput());
    const QString err = QString::fromUtf8(client.readAllStandardError());
    QCOMPARE(client.exitCode(), 1);
    QVERIFY2(out.contains(QLatin1String("server going away in ")), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String(": server-shutdown\n")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("reconnecting to %1\n").arg(server.address())), qPrintable(out));
    QCOMPARE(err.count(QLatin1Char('\n')), 1);
    QVERIFY2(err.contains(QLatin1String("cannot reconnect to")) && err.contains(QLatin1String("after 8 attempts")), qPrintable(err));
}

void TestSender::tlsEchoes_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("insecure");
    QTest::newRow("--ca, name checked") << "localhost" << false;
    QTest::newRow("--insecure") << "127.0.0.1" << true;
}

// PROTOCOL.md §9 from the client: --tls to a ,tls listener, the server's
// certificate trusted through --ca (its name, localhost, checked) or not
// checked at all with --insecure; the echoes as in clear.
void TestSender::tlsEchoes()
{
    QFETCH(QString, host);
    QFETCH(bool, insecure);
    TlsFiles files;
    QVERIFY2(files.make(), qPrintable(files.error()));
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--tls-cert"), files.path("rsa.crt"), QStringLiteral("--tls-key"),
                          files.path("rsa.key")},
                         10000, QStringLiteral("127.0.0.1:0,tls")));
    QStringList args{QStringLiteral("--connect"), QStringLiteral("%1:%2").arg(host, server.address().section(QLatin1Char(':'), 1)),
                     QStringLiteral("--count"), QStringLiteral("3"), QStringLiteral("--interval"), QStringLiteral("50ms"),
                     QStringLiteral("--tls")};
    if (insecure)
        args << QStringLiteral("--insecure");
    else
        args << QStringLiteral("--ca") << files.path("rsa.crt");
    const ProcessResult r = runClient(args, ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(r.out.contains(echoLine(i)), qPrintable(r.out));
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
}

// A self-signed certificate nobody vouches for: no session, exit 1.
void TestSender::tlsRefusesAnUntrustedServer()
{
    TlsFiles files;
    QVERIFY2(files.make(), qPrintable(files.error()));
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--tls-cert"), files.path("rsa.crt"), QStringLiteral("--tls-key"),
                          files.path("rsa.key")},
                         10000, QStringLiteral("127.0.0.1:0,tls")));
    const ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--tls"),
                                       QStringLiteral("--ca"), files.path("ec.crt")},
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1String("cannot connect")), qPrintable(r.err));
    QVERIFY2(!r.out.contains(echoLine(0)), qPrintable(r.out));
}

void TestSender::tlsFlagsNeedTls()
{
    for (const QStringList &args : {QStringList{QStringLiteral("--insecure")}, QStringList{QStringLiteral("--ca"), QStringLiteral("x.pem")},
                                    QStringList{QStringLiteral("--tls"), QStringLiteral("--insecure"), QStringLiteral("--ca"), QStringLiteral("x.pem")}}) {
        const ProcessResult r = runClient(args, ClientTimeoutMs);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 2);
    }
}

void TestSender::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe; // a port that was free a moment ago and has no listener now
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const ProcessResult r = runClient({QStringLiteral("--connect"), QStringLiteral("127.0.0.1:%1").arg(port)}, ClientTimeoutMs);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
    QVERIFY2(r.err.contains(QLatin1String("refused")), qPrintable(r.err));
}

void TestSender::badFlag()
{
    ProcessResult r = runClient({QStringLiteral("--interval"), QStringLiteral("soon")}, ClientTimeoutMs);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
    QVERIFY(r.out.isEmpty());

    r = runClient({QStringLiteral("bench"), QStringLiteral("--connections"), QStringLiteral("1"),
                   QStringLiteral("--connect"), QStringLiteral("192.0.2.1:80")}, ClientTimeoutMs);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("loopback")), qPrintable(r.err));
}

void TestSender::versionAndHelp()
{
    ProcessResult r = runClient({QStringLiteral("--version")}, ClientTimeoutMs);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("vigil-client " VIGIL_VERSION "\n"));
    r = runClient({QStringLiteral("--help")}, ClientTimeoutMs);
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains(QLatin1String("Usage:")));
    QVERIFY(r.out.contains(QLatin1String("Exit codes")));
    QVERIFY(r.err.isEmpty());
}

// The sender is done once every echo is back: `send over` is its last
// line, after each echo and the heartbeat summary, in every framing.
void TestSender::sendOverIsTheLastLine_data()
{
    QTest::addColumn<QString>("framing");
    QTest::addColumn<QString>("interval");
    QTest::addColumn<QStringList>("extra");
    QTest::newRow("vigil") << "vigil" << "100ms" << QStringList{};
    QTest::newRow("legacy") << "legacy" << "100ms" << QStringList{};
    QTest::newRow("line") << "line" << "100ms" << QStringList{};
    QTest::newRow("raw") << "raw" << "100ms" << QStringList{};
    QTest::newRow("vigil, heartbeat") << "vigil" << "100ms" << QStringList{"--heartbeat", "30ms"};
    QTest::newRow("vigil, --wait shorter than an echo") << "vigil" << "100ms" << QStringList{"--wait", "1ms"};
    QTest::newRow("legacy, no interval") << "legacy" << "0" << QStringList{};
}

void TestSender::sendOverIsTheLastLine()
{
    QFETCH(QString, framing);
    QFETCH(QString, interval);
    QFETCH(QStringList, extra);
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--framing"), framing}));
    const ProcessResult r = runClient(QStringList{QStringLiteral("--connect"), server.address(), QStringLiteral("--framing"),
                                                  framing, QStringLiteral("--count"), QStringLiteral("3"),
                                                  QStringLiteral("--interval"), interval}
                                          + extra,
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    QStringList lines = r.out.split(QLatin1Char('\n'));
    QCOMPARE(lines.takeLast(), QString()); // every line ends with \n
    QCOMPARE(lines.count(QStringLiteral("send over")), 1);
    QCOMPARE(lines.constLast(), QStringLiteral("send over"));
    QStringList echoes = lines.filter(QRegularExpression(QStringLiteral("^echo: ")));
    QCOMPARE(echoes.size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(echoes.at(i) + QLatin1Char('\n'), echoLine(i));
    if (extra.contains(QStringLiteral("--heartbeat")))
        QVERIFY2(lines.at(lines.size() - 2).startsWith(QLatin1String("heartbeat: ")), qPrintable(r.out));
}

// A server that never echoes (--mode sink) must not hold the sender: it
// waits a bounded time for the missing echoes, then ends normally.
void TestSender::sendOverWaitsBoundedForMissingEchoes()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--mode"), QStringLiteral("sink")}));
    const ProcessResult r = runClient({QStringLiteral("--connect"), server.address(), QStringLiteral("--count"),
                                       QStringLiteral("2"), QStringLiteral("--interval"), QStringLiteral("10ms")},
                                      ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("send over\n"));
    QVERIFY2(r.elapsedMs < 15000, qPrintable(QString::number(r.elapsedMs)));
}

QTEST_GUILESS_MAIN(TestSender)
#include "tst_sender.moc"
