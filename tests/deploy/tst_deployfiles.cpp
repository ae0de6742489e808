// resources/deploy/ as the tools that read it see it: HAProxy parses
// haproxy.cfg, promtool the Prometheus config and the alert rules, systemd
// the unit template; and every vigil_* series the alerts name is one a real
// vigild exports, with the label values it uses.
#include "adminhttp.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace VigilTest;

namespace {
constexpr int ToolTimeoutMs = 30000;
constexpr int StartTimeoutMs = 10000;

QString deployFile(const char *name)
{
    return QStringLiteral(VIGIL_SOURCE_DIR "/resources/deploy/") + QLatin1String(name);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

struct ToolRun
{
    int exitCode = -1;
    QByteArray output; // stdout and stderr
};

ToolRun runTool(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    ToolRun run;
    if (!process.waitForStarted(ToolTimeoutMs) || !process.waitForFinished(ToolTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.output = "did not finish: " + process.errorString().toUtf8();
        return run;
    }
    run.output = process.readAll();
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return run;
}
} // namespace

class tst_DeployFiles : public QObject
{
    Q_OBJECT

private slots:
    void haproxyAcceptsTheConfig();
    void haproxyConfigIsTheDocumentedShape();
    void promtoolAcceptsPrometheusConfig();
    void promtoolAcceptsAlertRules();
    void alertsNameExportedSeries();
    void systemdAcceptsTheUnitTemplate();
};

void tst_DeployFiles::haproxyAcceptsTheConfig()
{
    const QString haproxy = QStandardPaths::findExecutable(QStringLiteral("haproxy"));
    if (haproxy.isEmpty())
        QSKIP("haproxy is not installed");
    const ToolRun run = runTool(haproxy, {QStringLiteral("-c"), QStringLiteral("-f"), deployFile("haproxy.cfg")});
    QVERIFY2(run.exitCode == 0, run.output.constData());
    // A warning is a mistake HAProxy forgives: not in a shipped file.
    QVERIFY2(!run.output.contains("[WARNING]") && !run.output.contains("[ALERT]"), run.output.constData());
}

// What docs/deploy.md and issue #17 promise of it, so an edit cannot
// quietly drop a piece the drain-and-move depends on.
void tst_DeployFiles::haproxyConfigIsTheDocumentedShape()
{
    const QByteArray cfg = readFile(deployFile("haproxy.cfg"));
    QVERIFY(!cfg.isEmpty());
    for (const char *line : {"    mode tcp\n", "    balance leastconn\n", "    option redispatch 1\n",
                             "    option tcp-check\n", "    tcp-check connect default linger\n"}) {
        QVERIFY2(cfg.contains(line), line);
    }
    // Traffic and health checks both start with a PROXY v2 header.
    QRegularExpression defaults(QStringLiteral("\\n    default-server ([^\\n]*)\\n"));
    const QRegularExpressionMatch m = defaults.match(QString::fromUtf8(cfg));
    QVERIFY(m.hasMatch());
    const QStringList words = m.captured(1).split(QLatin1Char(' '));
    for (const char *word : {"send-proxy-v2", "check", "check-send-proxy"})
        QVERIFY2(words.contains(QLatin1String(word)), word);
}

void tst_DeployFiles::promtoolAcceptsPrometheusConfig()
{
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty())
        QSKIP("promtool not installed (Debian package prometheus)");
    // check config also loads the rule files it names (alerts.yml).
    const ToolRun run = runTool(promtool, {QStringLiteral("check"), QStringLiteral("config"), deployFile("prometheus.yml")});
    QVERIFY2(run.exitCode == 0, run.output.constData());
    QVERIFY2(run.output.contains("SUCCESS: 1 rule files found"), run.output.constData());
}

void tst_DeployFiles::promtoolAcceptsAlertRules()
{
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty())
        QSKIP("promtool not installed (Debian package prometheus)");
    ToolRun run = runTool(promtool, {QStringLiteral("check"), QStringLiteral("rules"), deployFile("alerts.yml")});
    QVERIFY2(run.exitCode == 0, run.output.constData());
    // And they fire when they should (alerts_test.yml next to this file).
    run = runTool(promtool, {QStringLiteral("test"), QStringLiteral("rules"),
                             QStringLiteral(VIGIL_SOURCE_DIR "/tests/deploy/alerts_test.yml")});
    QVERIFY2(run.exitCode == 0, run.output.constData());
}

// An alert over a misspelt series or label value never fires, and
// promtool cannot tell: compare with what vigild's /metrics really holds.
void tst_DeployFiles::alertsNameExportedSeries()
{
    AdminVigild vigild;
    vigild.start({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin"),
                  QStringLiteral("127.0.0.1:0"), QStringLiteral("--threads"), QStringLiteral("1")});
    QTRY_VERIFY_WITH_TIMEOUT(vigild.ready(), StartTimeoutMs);
    AdminHttp http;
    http.setPort(vigild.adminPort());
    const HttpReply reply = http.get(QStringLiteral("/metrics"));
    QCOMPARE(reply.status, 200);

    QSet<QString> names;
    QStringList samples;
    for (const QByteArray &line : reply.body.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QString sample = QString::fromUtf8(line.left(line.lastIndexOf(' ')));
        samples << sample;
        names.insert(sample.left(sample.indexOf(QLatin1Char('{'))));
    }
    QVERIFY(names.contains(QStringLiteral("vigil_build_info")));

    const QString rules = QString::fromUtf8(readFile(deployFile("alerts.yml")));
    QVERIFY(!rules.isEmpty());
    static const QRegularExpression selector(QStringLiteral("\\b(vigil_[a-z_]+)(?:\\{([^}]*)\\})?"));
    static const QRegularExpression matcher(QStringLiteral("(\\w+)\\s*=\\s*\"([^\"]*)\""));
    int checked = 0;
    for (auto it = selector.globalMatch(rules); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const QString name = m.captured(1);
        QVERIFY2(names.contains(name), qPrintable(QStringLiteral("alerts.yml names %1, which vigild does not export").arg(name)));
        for (auto l = matcher.globalMatch(m.captured(2)); l.hasNext();) {
            const QRegularExpressionMatch label = l.next();
            const QString needle = QStringLiteral("%1=\"%2\"").arg(label.captured(1), label.captured(2));
            const bool found = std::any_of(samples.cbegin(), samples.cend(), [&](const QString &s) {
                return s.startsWith(name + QLatin1Char('{')) && s.contains(needle);
            });
            QVERIFY2(found, qPrintable(QStringLiteral("alerts.yml selects %1{%2}, which vigild never exports").arg(name, needle)));
        }
        ++checked;
    }
    QVERIFY2(checked >= 8, qPrintable(QString::number(checked)));
}

// systemd-analyze verify wants ExecStart's binary to exist: the copy it
// reads points at the vigild just built; everything else is as shipped.
void tst_DeployFiles::systemdAcceptsTheUnitTemplate()
{
    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    if (analyze.isEmpty())
        QSKIP("systemd-analyze is not installed");
    QByteArray unit = readFile(deployFile("vigild@.service"));
    QVERIFY(unit.contains("ExecStart=/usr/bin/vigild "));
    QVERIFY(unit.contains(" --listen 127.0.0.1:%i,proxy "));
    QVERIFY(unit.contains(" --instance-name %H-%i "));
    QVERIFY(unit.contains("ExecReload=/bin/kill -HUP $MAINPID\n"));
    unit.replace("ExecStart=/usr/bin/vigild ", "ExecStart=" VIGILD_PATH " ");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("vigild@7601.service"));
    QFile copy(path);
    QVERIFY(copy.open(QIODevice::WriteOnly));
    copy.write(unit);
    copy.close();
    const ToolRun run = runTool(analyze, {QStringLiteral("verify"), QStringLiteral("--man=no"), path});
    if (run.output.contains("Failed to initialize") || run.output.contains("Failed to setup"))
        QSKIP(qPrintable(QStringLiteral("systemd-analyze cannot run here: ") + QString::fromUtf8(run.output.trimmed())));
    QVERIFY2(run.exitCode == 0, run.output.constData());
    // An unknown key is only a warning to systemd: not in a shipped unit.
    QVERIFY2(run.output.trimmed().isEmpty(), run.output.constData());
}

QTEST_GUILESS_MAIN(tst_DeployFiles)
#include "tst_deployfiles.moc"
