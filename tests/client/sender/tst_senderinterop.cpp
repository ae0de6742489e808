// Sender and vigild against the Go seed ("socket server from zero"), in
// the legacy framing they share: our sender with their server, their
// sender with our server. Skipped when `go` is not installed.
#include "processhelpers.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace VigilTest;

namespace {
constexpr int GoBuildTimeoutMs = 180000;
constexpr int ClientTimeoutMs = 30000;
constexpr const char DefaultGoSeedDir[] = "/work/shared/peers/go-seed";

QString echoLine(int i)
{
    return QStringLiteral("echo: %1 This was a test for long Conn\n").arg(i);
}

// A loopback port that had no listener a moment ago.
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}
} // namespace

class TestSenderInterop : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void ourSenderAgainstGoSeed();
    void goSeedIdleTimeoutClosesOurSender();
    void goSenderAgainstVigild();

private:
    // Starts the Go seed server; returns its address or an empty string.
    QString startGoServer(QProcess &process, const QString &idle);

    QTemporaryDir m_binDir;
    QString m_goServer;
    QString m_goSender;
};

// Builds the seed's server and sender once, into a temporary folder, with
// the Go caches in temporary folders too (the sources stay untouched).
void TestSenderInterop::initTestCase()
{
    const QString go = QStandardPaths::findExecutable(QStringLiteral("go"));
    if (go.isEmpty())
        QSKIP("`go` is not installed (apt-get install -y golang-go): Go seed interop not tested");
    const QString seedDir = qEnvironmentVariable("VIGIL_GO_SEED_DIR", QString::fromLatin1(DefaultGoSeedDir));
    if (!QFileInfo::exists(seedDir + QStringLiteral("/go.mod")))
        QSKIP(qPrintable(QStringLiteral("Go seed sources not found in %1 (set VIGIL_GO_SEED_DIR)").arg(seedDir)));
    QVERIFY(m_binDir.isValid());
    const QString cacheRoot = QDir::tempPath() + QStringLiteral("/vigil-client-tests-go");
    QDir().mkpath(cacheRoot);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GOCACHE"), cacheRoot + QStringLiteral("/cache"));
    env.insert(QStringLiteral("GOPATH"), cacheRoot + QStringLiteral("/gopath"));
    env.insert(QStringLiteral("GOFLAGS"), QStringLiteral("-mod=mod"));
    env.insert(QStringLiteral("GO111MODULE"), QStringLiteral("on"));
    m_goServer = m_binDir.filePath(QStringLiteral("go-seed-server"));
    m_goSender = m_binDir.filePath(QStringLiteral("go-seed-sender"));
    for (const auto &[output, package] : {std::pair{m_goServer, QStringLiteral("./cmd/server")},
                                          std::pair{m_goSender, QStringLiteral("./cmd/sender")}}) {
        QProcess build;
        build.setProcessEnvironment(env);
        build.setWorkingDirectory(seedDir);
        build.start(go, {QStringLiteral("build"), QStringLiteral("-o"), output, package});
        QVERIFY(build.waitForFinished(GoBuildTimeoutMs));
        QVERIFY2(build.exitCode() == 0, build.readAllStandardError().constData());
    }
}

QString TestSenderInterop::startGoServer(QProcess &process, const QString &idle)
{
    const quint16 port = freePort();
    const QString address = QStringLiteral("127.0.0.1:%1").arg(port);
    process.setReadChannel(QProcess::StandardError); // waitForReadyRead() follows the log
    process.start(m_goServer, {QStringLiteral("-addr"), address, QStringLiteral("-idle"), idle, QStringLiteral("-echo")});
    if (!process.waitForStarted())
        return QString();
    // The seed logs "listening on ..." on stderr once it has bound.
    QByteArray log;
    QDeadlineTimer deadline(10000);
    while (!log.contains("listening on") && !deadline.hasExpired() && process.state() == QProcess::Running) {
        process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
        log += process.readAllStandardError();
    }
    return log.contains("listening on") ? address : QString();
}

void TestSenderInterop::ourSenderAgainstGoSeed()
{
    QProcess goServer;
    const QString address = startGoServer(goServer, QStringLiteral("5s"));
    QVERIFY(!address.isEmpty());
    const ProcessResult r = runClient({QStringLiteral("--connect"), address, QStringLiteral("--framing"), QStringLiteral("legacy"),
                                       QStringLiteral("--count"), QStringLiteral("5"), QStringLiteral("--interval"), QStringLiteral("100ms")},
                                      ClientTimeoutMs);
    goServer.kill();
    goServer.waitForFinished();
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    for (int i = 0; i < 5; ++i)
        QVERIFY2(r.out.contains(echoLine(i)), qPrintable(r.out));
    QVERIFY(r.out.contains(QLatin1String("send over\n")));
}

// The seed has no BYE: it just closes, and the sender says so.
void TestSenderInterop::goSeedIdleTimeoutClosesOurSender()
{
    QProcess goServer;
    const QString address = startGoServer(goServer, QStringLiteral("500ms"));
    QVERIFY(!address.isEmpty());
    const ProcessResult r = runClient({QStringLiteral("--connect"), address, QStringLiteral("--framing"), QStringLiteral("legacy"),
                                       QStringLiteral("--count"), QStringLiteral("3"), QStringLiteral("--interval"), QStringLiteral("3s")},
                                      ClientTimeoutMs);
    goServer.kill();
    goServer.waitForFinished();
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.out.contains(echoLine(0)), qPrintable(r.out));
    QVERIFY2(r.out.endsWith(QLatin1String("closed by server\n")), qPrintable(r.out));
}

void TestSenderInterop::goSenderAgainstVigild()
{
    VigildProcess server;
    QVERIFY(server.start({QStringLiteral("--framing"), QStringLiteral("legacy"), QStringLiteral("--log-format"), QStringLiteral("json")}));
    // -wait lets the seed's sender print the last echo before it exits.
    const ProcessResult r = runProcess(m_goSender, {QStringLiteral("-addr"), server.address(), QStringLiteral("-n"), QStringLiteral("5"),
                                                    QStringLiteral("-sleep"), QStringLiteral("200ms"), QStringLiteral("-wait"), QStringLiteral("1s")},
                                       ClientTimeoutMs);
    QVERIFY2(r.finished, qPrintable(r.out + r.err));
    QCOMPARE(r.exitCode, 0);
    for (int i = 0; i < 5; ++i)
        QVERIFY2(r.out.contains(echoLine(i)), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1String("send over")), qPrintable(r.out));
    // vigild saw the seed's client close its end.
    QTRY_VERIFY_WITH_TIMEOUT(server.output().contains(QLatin1String("\"client-closed\"")), 10000);
}

QTEST_GUILESS_MAIN(TestSenderInterop)
#include "tst_senderinterop.moc"
