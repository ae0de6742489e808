// vigil-monitor's start-up: --version/--help/bad flags like vigild, and
// --headless (or no display) behaving exactly like vigild.
#include "monitorlauncher.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Vigil;

namespace {
const QString Monitor = QStringLiteral(VIGIL_MONITOR_PATH);

QProcessEnvironment withoutDisplay()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    return env;
}

// The window on the offscreen platform, with its settings in dir: a run
// never reads or writes the user's own.
QProcessEnvironment offscreenIn(const QTemporaryDir &dir)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    return env;
}
} // namespace

class tst_MonitorLauncher : public QObject
{
    Q_OBJECT

private slots:
    void wantsHeadless_data();
    void wantsHeadless();
    void versionAndHelp();
    void badFlagExitsTwo();
    void badDeveloperOptionExitsTwo_data();
    void badDeveloperOptionExitsTwo();
    void headlessBehavesLikeVigild_data();
    void headlessBehavesLikeVigild();
    void windowStartsServingWithStart();
    void headlessAsAValueOpensTheWindow();
    void probeWritesItsFile();
};

void tst_MonitorLauncher::wantsHeadless_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<bool>("headless");
    const QStringList x11{QStringLiteral("DISPLAY=:0")};
    QTest::newRow("flag") << QStringList{"--headless"} << x11 << true;
    QTest::newRow("single dash") << QStringList{"-headless"} << x11 << true;
    QTest::newRow("x11") << QStringList() << x11 << false;
    QTest::newRow("wayland") << QStringList() << QStringList{QStringLiteral("WAYLAND_DISPLAY=wayland-0")} << false;
    QTest::newRow("platform chosen") << QStringList() << QStringList{QStringLiteral("QT_QPA_PLATFORM=offscreen")} << false;
    QTest::newRow("no display") << QStringList() << QStringList() << true;
    QTest::newRow("flag after a value") << QStringList{"--admin-token-file", "token", "--headless"} << x11 << true;
    // The parser reads "--headless" here as the token file's name: one
    // parse decides, so the window opens (as the file name says).
    QTest::newRow("flag as a value") << QStringList{"--admin-token-file", "--headless"} << x11 << false;
    QTest::newRow("flag as a config file") << QStringList{"--config", "--headless"} << x11 << false;
    QTest::newRow("developer option") << QStringList{"--screenshot", "s.png"} << x11 << false;
}

void tst_MonitorLauncher::wantsHeadless()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(bool, headless);
    QProcessEnvironment env;
    for (const QString &entry : std::as_const(environment))
        env.insert(entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1));
    const ParsedCommandLine parsed = MonitorLauncher::parse(QStringList{QStringLiteral("vigil-monitor")} + arguments);
    // A config file named --headless does not exist: an error, still parsed once.
    if (!arguments.contains(QStringLiteral("--config")))
        QCOMPARE(parsed.action, ParsedCommandLine::Action::Run);
    QCOMPARE(MonitorLauncher::wantsHeadless(parsed, env), headless);
}

void tst_MonitorLauncher::versionAndHelp()
{
    QProcess p;
    p.start(Monitor, {QStringLiteral("--version")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(p.readAllStandardOutput().trimmed(), QByteArray("vigil-monitor " VIGIL_VERSION));

    p.start(Monitor, {QStringLiteral("--help")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QByteArray help = p.readAllStandardOutput();
    QVERIFY(help.startsWith("Usage: vigil-monitor"));
    QVERIFY(help.contains("--headless"));
    QVERIFY(help.contains("--start"));
    QVERIFY(help.contains("\nDeveloper options:\n"));
    QVERIFY(help.contains("--screenshot <FILE>"));
    QVERIFY(help.contains("--probe <FILE>"));
}

void tst_MonitorLauncher::badFlagExitsTwo()
{
    QProcess p;
    p.start(Monitor, {QStringLiteral("--idle-timeout"), QStringLiteral("soon")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    const QByteArray error = p.readAllStandardError();
    QVERIFY2(error.startsWith("vigil-monitor: "), error.constData());
    QCOMPARE(error.count('\n'), 1);
}

void tst_MonitorLauncher::badDeveloperOptionExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("error");
    QTest::newRow("bad size") << QStringList{"--screenshot", "s.png", "--screenshot-size", "big"}
                              << QByteArray("vigil-monitor: --screenshot-size: expected WxH in pixels, each from 1 to 16384 "
                                            "(e.g. 1680x960), got 'big'\n");
    QTest::newRow("seconds without probe") << QStringList{"--probe-seconds", "3"}
                                           << QByteArray("vigil-monitor: --probe-seconds needs --probe\n");
    // Headless there is no window to grab or probe: refused, not ignored.
    QTest::newRow("screenshot headless") << QStringList{"--headless", "--screenshot", "s.png"}
                                         << QByteArray("vigil-monitor: --screenshot needs the window: drop --headless, "
                                                       "or run with a display\n");
    QTest::newRow("probe headless") << QStringList{"--probe", "p.json", "--headless", "--listen", "127.0.0.1:0"}
                                    << QByteArray("vigil-monitor: --probe needs the window: drop --headless, "
                                                  "or run with a display\n");
}

void tst_MonitorLauncher::badDeveloperOptionExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, error);
    QProcess p;
    p.start(Monitor, arguments);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QCOMPARE(p.readAllStandardError(), error);
    QVERIFY(p.readAllStandardOutput().isEmpty());
}

void tst_MonitorLauncher::headlessBehavesLikeVigild_data()
{
    QTest::addColumn<bool>("flag");
    QTest::newRow("--headless") << true;
    QTest::newRow("no display") << false;
}

void tst_MonitorLauncher::headlessBehavesLikeVigild()
{
    QFETCH(bool, flag);
    QProcess p;
    if (!flag)
        p.setProcessEnvironment(withoutDisplay());
    QStringList args{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")};
    if (flag)
        args.prepend(QStringLiteral("--headless"));
    p.start(Monitor, args);
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(p.canReadLine(), 10000);
    const QString line = QString::fromUtf8(p.readLine()).trimmed();
    const QRegularExpressionMatch m =
        QRegularExpression(QStringLiteral("^listening on 127\\.0\\.0\\.1:(\\d+) framing=vigil$")).match(line);
    QVERIFY2(m.hasMatch(), qPrintable(line));

    // It serves, and logs to stdout like vigild.
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m.captured(1).toUShort());
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    QTRY_VERIFY_WITH_TIMEOUT(p.canReadLine(), 5000);
    QVERIFY(p.readLine().contains("connected"));

    p.terminate(); // SIGTERM
    QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 3000);
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
}

void tst_MonitorLauncher::windowStartsServingWithStart()
{
    // A free port, known in advance so the client can find the window's server.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString shot = dir.filePath(QStringLiteral("window.png"));
    QProcess p;
    p.setProcessEnvironment(offscreenIn(dir));
    p.start(Monitor, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--start"),
                      QStringLiteral("--screenshot"), shot, QStringLiteral("--screenshot-delay"), QStringLiteral("2500")});
    QVERIFY(p.waitForStarted());

    // --start serves at once, on the address the command line gave.
    QTcpSocket client;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            if (client.state() == QAbstractSocket::UnconnectedState)
                client.connectToHost(QHostAddress::LocalHost, port);
            return client.state() == QAbstractSocket::ConnectedState;
        }(),
        5000);
    // The window grabs itself and quits; no line on stdout (no vigild log).
    QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 10000);
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFile::exists(shot));
    QVERIFY(p.readAllStandardOutput().isEmpty());
}

void tst_MonitorLauncher::headlessAsAValueOpensTheWindow()
{
    // `--admin-token-file --headless` names a token file: the monitor opens
    // its window (it grabs itself and quits) instead of running headless
    // while its parser says otherwise.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString shot = dir.filePath(QStringLiteral("window.png"));
    QProcess p;
    p.setProcessEnvironment(offscreenIn(dir));
    p.start(Monitor, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin-token-file"),
                      QStringLiteral("--headless"), QStringLiteral("--screenshot"), shot,
                      QStringLiteral("--screenshot-delay"), QStringLiteral("500")});
    QVERIFY(p.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 10000);
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFile::exists(shot));
    QVERIFY(p.readAllStandardOutput().isEmpty()); // no "listening on": not vigild
}

void tst_MonitorLauncher::probeWritesItsFile()
{
    // --probe-seconds writes the file while the window keeps running; the
    // screenshot then ends the run.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString probe = dir.filePath(QStringLiteral("probe.json"));
    QProcess p;
    p.setProcessEnvironment(offscreenIn(dir));
    p.start(Monitor, {QStringLiteral("--probe"), probe, QStringLiteral("--probe-seconds"), QStringLiteral("1"),
                      QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("window.png")),
                      QStringLiteral("--screenshot-delay"), QStringLiteral("2500")});
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(probe).size() > 0, 10000);
    QCOMPARE(p.state(), QProcess::Running); // the window outlives the measurement
    QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 10000);
    QCOMPARE(p.exitCode(), 0);
    QFile file(probe);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    for (const char *key : {"stall_p50_ms", "stall_p99_ms", "stall_max_ms", "gui_cpu_pct", "seconds", "ticks"})
        QVERIFY2(o.contains(QLatin1String(key)), key);
    QVERIFY(o.value(QLatin1String("ticks")).toInt() > 0);
    QVERIFY(o.value(QLatin1String("seconds")).toDouble() < 2.0);
}

QTEST_MAIN(tst_MonitorLauncher)
#include "tst_monitorlauncher.moc"
