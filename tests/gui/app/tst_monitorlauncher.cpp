// vigil-monitor's start-up: --version/--help/bad flags like vigild, and
// --headless (or no display) behaving exactly like vigild.
#include "monitorlauncher.h"

#include <QFile>
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
} // namespace

class tst_MonitorLauncher : public QObject
{
    Q_OBJECT

private slots:
    void wantsHeadless_data();
    void wantsHeadless();
    void versionAndHelp();
    void badFlagExitsTwo();
    void headlessBehavesLikeVigild_data();
    void headlessBehavesLikeVigild();
    void windowStartsServingWithStart();
};

void tst_MonitorLauncher::wantsHeadless_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<bool>("headless");
    const QStringList x11{QStringLiteral("DISPLAY=:0")};
    QTest::newRow("flag") << QStringList{QStringLiteral("vigil-monitor"), QStringLiteral("--headless")} << x11 << true;
    QTest::newRow("x11") << QStringList{QStringLiteral("vigil-monitor")} << x11 << false;
    QTest::newRow("wayland") << QStringList{QStringLiteral("vigil-monitor")}
                             << QStringList{QStringLiteral("WAYLAND_DISPLAY=wayland-0")} << false;
    QTest::newRow("platform chosen") << QStringList{QStringLiteral("vigil-monitor")}
                                     << QStringList{QStringLiteral("QT_QPA_PLATFORM=offscreen")} << false;
    QTest::newRow("no display") << QStringList{QStringLiteral("vigil-monitor")} << QStringList() << true;
}

void tst_MonitorLauncher::wantsHeadless()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(bool, headless);
    QProcessEnvironment env;
    for (const QString &entry : std::as_const(environment))
        env.insert(entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1));
    QCOMPARE(MonitorLauncher::wantsHeadless(arguments, env), headless);
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
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("VIGIL_MONITOR_SCREENSHOT"), shot);
    env.insert(QStringLiteral("VIGIL_MONITOR_SCREENSHOT_DELAY"), QStringLiteral("2500"));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(Monitor, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--start")});
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

QTEST_MAIN(tst_MonitorLauncher)
#include "tst_monitorlauncher.moc"
