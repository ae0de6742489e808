// vigil-monitor's developer options: parsed by the server's command line
// from their one table, listed in --help under their own heading, checked
// with one clear line per bad value; and the screenshot they ask for.
#include "devoptions.h"
#include "screenshot.h"

#include <QEventLoop>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

using namespace Vigil;

namespace {
ParsedCommandLine parseMonitor(const QStringList &flags)
{
    return ServerCommandLine(QStringLiteral("vigil-monitor"), {DevOptions::section()})
        .parse(QStringList{QStringLiteral("vigil-monitor")} + flags);
}

// The command line, then the developer options' own checks: the first error.
std::optional<DevOptions> devOptions(const QStringList &flags, QString *error)
{
    const ParsedCommandLine parsed = parseMonitor(flags);
    if (parsed.action == ParsedCommandLine::Action::Error) {
        *error = parsed.error;
        return std::nullopt;
    }
    return DevOptions::fromValues(parsed.extra, error);
}
} // namespace

class tst_DevOptions : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void accepted();
    void givenInTableOrder();
    void refused_data();
    void refused();
    void serverOptionsStayTheServers();
    void helpHasADeveloperSection();
    void vigildKnowsNoDeveloperOptions();
    void screenshotSavesTheWindow(); // last: it ends an event loop the way the program ends
};

void tst_DevOptions::defaults()
{
    QString error;
    const auto o = devOptions({}, &error);
    QVERIFY2(o.has_value(), qPrintable(error));
    QVERIFY(o->isEmpty());
    QVERIFY(o->screenshotFile.isEmpty());
    QVERIFY(!o->screenshotSize.isValid());
    QCOMPARE(o->screenshotDelayMs, DevOptions::DefaultScreenshotDelayMs);
    QVERIFY(o->probeFile.isEmpty());
    QCOMPARE(o->probeSeconds, 0);
}

void tst_DevOptions::accepted()
{
    QString error;
    auto o = devOptions({"--screenshot", "out.png", "--screenshot-size", "1680x960", "--screenshot-delay", "11000",
                         "--probe", "probe.json", "--probe-seconds", "22"},
                        &error);
    QVERIFY2(o.has_value(), qPrintable(error));
    QCOMPARE(o->screenshotFile, QStringLiteral("out.png"));
    QCOMPARE(o->screenshotSize, QSize(1680, 960));
    QCOMPARE(o->screenshotDelayMs, 11000);
    QCOMPARE(o->probeFile, QStringLiteral("probe.json"));
    QCOMPARE(o->probeSeconds, 22);

    // Single-dash spelling and --name=value, as for the server's options.
    o = devOptions({"-screenshot=a.png", "-screenshot-delay", "0"}, &error);
    QVERIFY2(o.has_value(), qPrintable(error));
    QCOMPARE(o->screenshotFile, QStringLiteral("a.png"));
    QCOMPARE(o->screenshotDelayMs, 0);

    o = devOptions({"--probe", "p.json"}, &error);
    QVERIFY2(o.has_value(), qPrintable(error));
    QCOMPARE(o->probeSeconds, 0); // until quit or SIGTERM
    QVERIFY(o->screenshotFile.isEmpty());

    o = devOptions({"--screenshot", "s.png", "--screenshot-size", "1x16384"}, &error);
    QVERIFY2(o.has_value(), qPrintable(error));
    QCOMPARE(o->screenshotSize, QSize(1, 16384));

    o = devOptions({"--show-tab", "2"}, &error);
    QVERIFY2(o.has_value(), qPrintable(error));
    QCOMPARE(o->showTab, 2);
    QCOMPARE(o->showTabPage, QString());
    o = devOptions({"--show-tab", "1:connections"}, &error);
    QVERIFY2(o.has_value(), qPrintable(error));
    QCOMPARE(o->showTab, 1);
    QCOMPARE(o->showTabPage, QStringLiteral("connections"));
    o = devOptions({}, &error);
    QCOMPARE(o->showTab, -1);
}

void tst_DevOptions::givenInTableOrder()
{
    QString error;
    const auto o = devOptions({"--probe", "p.json", "--screenshot-delay", "5", "--screenshot", "s.png"}, &error);
    QVERIFY2(o.has_value(), qPrintable(error));
    QCOMPARE(o->given, (QStringList{"screenshot", "screenshot-delay", "probe"}));
}

void tst_DevOptions::refused_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("error");

    const QString size = QStringLiteral("--screenshot-size: expected WxH in pixels, each from 1 to 16384 (e.g. 1680x960), got '%1'");
    const QString delay = QStringLiteral("--screenshot-delay: expected a whole number of milliseconds from 0 to 3600000, got '%1'");
    const QString seconds = QStringLiteral("--probe-seconds: expected a whole number of seconds from 1 to 86400, got '%1'");
    const QStringList shot{QStringLiteral("--screenshot"), QStringLiteral("s.png")};
    const QStringList probe{QStringLiteral("--probe"), QStringLiteral("p.json")};

    QTest::newRow("screenshot without file") << QStringList{"--screenshot"} << "Missing value after '--screenshot'.";
    QTest::newRow("screenshot empty file") << QStringList{"--screenshot", "  "} << "--screenshot: empty file name";
    QTest::newRow("screenshot twice") << (shot + shot) << "--screenshot given more than once";
    QTest::newRow("size without screenshot") << QStringList{"--screenshot-size", "10x10"} << "--screenshot-size needs --screenshot";
    QTest::newRow("delay without screenshot") << QStringList{"--screenshot-delay", "10"} << "--screenshot-delay needs --screenshot";
    QTest::newRow("size: one number") << (shot + QStringList{"--screenshot-size", "1680"}) << size.arg("1680");
    QTest::newRow("size: capital X") << (shot + QStringList{"--screenshot-size", "1680X960"}) << size.arg("1680X960");
    QTest::newRow("size: three sides") << (shot + QStringList{"--screenshot-size", "1x2x3"}) << size.arg("1x2x3");
    QTest::newRow("size: zero width") << (shot + QStringList{"--screenshot-size", "0x960"}) << size.arg("0x960");
    QTest::newRow("size: negative") << (shot + QStringList{"--screenshot-size", "-5x960"}) << size.arg("-5x960");
    QTest::newRow("size: too tall") << (shot + QStringList{"--screenshot-size", "100x16385"}) << size.arg("100x16385");
    QTest::newRow("size: spaces") << (shot + QStringList{"--screenshot-size", "100 x 100"}) << size.arg("100 x 100");
    QTest::newRow("size: empty") << (shot + QStringList{"--screenshot-size", ""}) << size.arg("");
    QTest::newRow("size: words") << (shot + QStringList{"--screenshot-size", "big"}) << size.arg("big");
    QTest::newRow("delay: unit") << (shot + QStringList{"--screenshot-delay", "4s"}) << delay.arg("4s");
    QTest::newRow("delay: negative") << (shot + QStringList{"--screenshot-delay", "-1"}) << delay.arg("-1");
    QTest::newRow("delay: plus sign") << (shot + QStringList{"--screenshot-delay", "+5"}) << delay.arg("+5");
    QTest::newRow("delay: fraction") << (shot + QStringList{"--screenshot-delay", "1.5"}) << delay.arg("1.5");
    QTest::newRow("delay: over an hour") << (shot + QStringList{"--screenshot-delay", "3600001"}) << delay.arg("3600001");
    QTest::newRow("delay: huge") << (shot + QStringList{"--screenshot-delay", "99999999999"}) << delay.arg("99999999999");
    QTest::newRow("delay twice") << (shot + QStringList{"--screenshot-delay", "1", "--screenshot-delay", "2"})
                                 << "--screenshot-delay given more than once";
    QTest::newRow("probe without file") << QStringList{"--probe"} << "Missing value after '--probe'.";
    QTest::newRow("probe empty file") << QStringList{"--probe", ""} << "--probe: empty file name";
    QTest::newRow("seconds without probe") << QStringList{"--probe-seconds", "5"} << "--probe-seconds needs --probe";
    QTest::newRow("seconds: zero") << (probe + QStringList{"--probe-seconds", "0"}) << seconds.arg("0");
    QTest::newRow("seconds: a day and one") << (probe + QStringList{"--probe-seconds", "86401"}) << seconds.arg("86401");
    QTest::newRow("seconds: word") << (probe + QStringList{"--probe-seconds", "ten"}) << seconds.arg("ten");
    QTest::newRow("seconds: unit") << (probe + QStringList{"--probe-seconds", "10s"}) << seconds.arg("10s");
    const QString tab = QStringLiteral("--show-tab: expected a tab number from 0 to 99, optionally with :summary or :connections, got '%1'");
    QTest::newRow("tab: negative") << QStringList{"--show-tab", "-1"} << tab.arg("-1");
    QTest::newRow("tab: too big") << QStringList{"--show-tab", "100"} << tab.arg("100");
    QTest::newRow("tab: bad page") << QStringList{"--show-tab", "1:details"} << tab.arg("1:details");
    QTest::newRow("tab: two pages") << QStringList{"--show-tab", "1:summary:connections"} << tab.arg("1:summary:connections");
    QTest::newRow("tab: empty") << QStringList{"--show-tab", ""} << tab.arg("");
    QTest::newRow("unknown option") << QStringList{"--screenshots", "s.png"} << "Unknown option 'screenshots'.";
}

void tst_DevOptions::refused()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, error);

    QString why;
    QVERIFY(!devOptions(flags, &why).has_value());
    QCOMPARE(why, error);
    QVERIFY(!why.contains(QLatin1Char('\n')));
}

void tst_DevOptions::serverOptionsStayTheServers()
{
    // Developer options alone leave the monitor's saved settings alone.
    ParsedCommandLine p = parseMonitor({"--screenshot", "s.png", "--start", "--probe", "p.json"});
    QCOMPARE(p.action, ParsedCommandLine::Action::Run);
    QVERIFY(!p.serverOptionsGiven);
    QCOMPARE(p.extra.size(), 2);
    QVERIFY(p.start);

    p = parseMonitor({"--screenshot", "s.png", "--idle-timeout", "12s"});
    QCOMPARE(p.action, ParsedCommandLine::Action::Run);
    QVERIFY(p.serverOptionsGiven);
    QCOMPARE(p.config.idleTimeoutMs, qint64(12000));
    QCOMPARE(p.extra.value(QStringLiteral("screenshot")), QStringLiteral("s.png"));
}

void tst_DevOptions::helpHasADeveloperSection()
{
    const ParsedCommandLine p = parseMonitor({"--help"});
    QCOMPARE(p.action, ParsedCommandLine::Action::Help);
    const QString help = p.text;
    const qsizetype options = help.indexOf(QLatin1String("Options:"));
    const qsizetype developer = help.indexOf(QLatin1String("\nDeveloper options:\n"));
    QVERIFY2(options >= 0 && developer > options, qPrintable(help));
    const QString serverPart = help.mid(options, developer - options);
    const QString developerPart = help.mid(developer, help.indexOf(QLatin1String("\n\n"), developer + 1) - developer);

    const OptionSection section = DevOptions::section();
    QCOMPARE(section.title, QStringLiteral("Developer options"));
    QCOMPARE(section.options.size(), 6);
    for (const QCommandLineOption &option : section.options) {
        const QString entry = QStringLiteral("--%1 <%2>").arg(option.names().constFirst(), option.valueName());
        QVERIFY2(developerPart.contains(entry), qPrintable(entry + QLatin1Char('\n') + developerPart));
        QVERIFY2(developerPart.simplified().contains(option.description()), qPrintable(option.description()));
        // Listed once, under their own heading only.
        QVERIFY2(!serverPart.contains(QStringLiteral("--%1 ").arg(option.names().constFirst())), qPrintable(serverPart));
        QVERIFY(!option.description().isEmpty());
    }
    // In table order, descriptions in the column of the server's options,
    // wrapped within 79 columns as Qt wraps those.
    const QStringList lines = developerPart.split(QLatin1Char('\n'), Qt::SkipEmptyParts).mid(1);
    QVERIFY(lines.first().startsWith(QLatin1String("  --screenshot <FILE>")));
    const qsizetype listen = help.indexOf(QLatin1String("Address to listen on"));
    const qsizetype column = listen - help.lastIndexOf(QLatin1Char('\n'), listen) - 1;
    QVERIFY(column > 20);
    QStringList names;
    for (const QString &line : lines) {
        QVERIFY2(line.size() <= 79, qPrintable(line));
        QVERIFY2(line.size() > column && line.at(column) != QLatin1Char(' ') && line.at(column - 1) == QLatin1Char(' '), qPrintable(line));
        if (line.startsWith(QLatin1String("  --")))
            names << line.mid(4).section(QLatin1Char(' '), 0, 0);
    }
    QStringList expected;
    for (const QCommandLineOption &option : section.options)
        expected << option.names().constFirst();
    QCOMPARE(names, expected);
    // The server's help goes on after the section.
    QVERIFY(help.indexOf(QLatin1String("Durations (DUR)")) > developer);
}

void tst_DevOptions::vigildKnowsNoDeveloperOptions()
{
    ServerCommandLine vigild(QStringLiteral("vigild"));
    const ParsedCommandLine help = vigild.parse({QStringLiteral("vigild"), QStringLiteral("--help")});
    QVERIFY(!help.text.contains(QLatin1String("Developer options")));
    QVERIFY(!help.text.contains(QLatin1String("--screenshot")));
    const ParsedCommandLine shot = vigild.parse({QStringLiteral("vigild"), QStringLiteral("--screenshot"), QStringLiteral("x.png")});
    QCOMPARE(shot.action, ParsedCommandLine::Action::Error);
    QCOMPARE(shot.error, QStringLiteral("Unknown option 'screenshot'."));
}

void tst_DevOptions::screenshotSavesTheWindow()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("shot.png"));
    QWidget window;
    window.setStyleSheet(QStringLiteral("background: rgb(0, 0, 255)"));
    window.show();
    bool prepared = false;
    QEventLoop loop;
    armScreenshot(window, file, QSize(321, 123), 200, [&] { prepared = true; });
    QCOMPARE(window.size(), QSize(321, 123));
    QCOMPARE(loop.exec(), 0); // the screenshot ends the loop: saved
    QVERIFY(prepared);
    const QImage image(file);
    QCOMPARE(image.size() / image.devicePixelRatio(), QSize(321, 123));
}

QTEST_MAIN(tst_DevOptions)
#include "tst_devoptions.moc"
