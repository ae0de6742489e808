// MonitorLauncher: parses the command line before any QApplication exists,
// because a QApplication without a display aborts the process.
#include "monitorlauncher.h"

#include "commandline.h"
#include "daemon.h"
#include "guiprobe.h"
#include "mainwindow.h"

#include <QApplication>
#include <QTableView>
#include <QTimer>

namespace Vigil {

namespace {
const QString Program = QStringLiteral("vigil-monitor");

// Flags that only say how to run, not how to serve.
bool isServerFlag(const QString &argument)
{
    return argument.startsWith(QLatin1Char('-')) && argument != QLatin1String("--start")
        && argument != QLatin1String("-start");
}

// For docs/screenshot.sh: VIGIL_MONITOR_SCREENSHOT=FILE saves the window
// after VIGIL_MONITOR_SCREENSHOT_DELAY ms (default 4000) and quits;
// VIGIL_MONITOR_SCREENSHOT_SIZE=WxH sizes the window first. The first
// connection is selected a moment before, so the details pane shows it.
void armScreenshot(MainWindow &window)
{
    const QString file = qEnvironmentVariable("VIGIL_MONITOR_SCREENSHOT");
    if (file.isEmpty())
        return;
    const QStringList size = qEnvironmentVariable("VIGIL_MONITOR_SCREENSHOT_SIZE").split(QLatin1Char('x'));
    if (size.size() == 2 && size[0].toInt() > 0 && size[1].toInt() > 0)
        window.resize(size[0].toInt(), size[1].toInt());
    bool ok = false;
    int delay = qEnvironmentVariableIntValue("VIGIL_MONITOR_SCREENSHOT_DELAY", &ok);
    if (!ok)
        delay = 4000;
    QTimer::singleShot(std::max(0, delay - 1500), &window, [&window] { window.connectionView()->selectRow(0); });
    QTimer::singleShot(delay, &window, [&window, file] {
        const bool saved = window.grab().save(file);
        QCoreApplication::exit(saved ? 0 : 1);
    });
}
} // namespace

bool MonitorLauncher::wantsHeadless(const QStringList &arguments, const QProcessEnvironment &environment)
{
    if (arguments.contains(QStringLiteral("--headless")) || arguments.contains(QStringLiteral("-headless")))
        return true;
    return environment.value(QStringLiteral("DISPLAY")).isEmpty()
        && environment.value(QStringLiteral("WAYLAND_DISPLAY")).isEmpty()
        && environment.value(QStringLiteral("QT_QPA_PLATFORM")).isEmpty();
}

int MonitorLauncher::run(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    // Help, version and bad flags behave exactly as in vigild, window or not.
    const ParsedCommandLine parsed = ServerCommandLine(Program).parse(arguments);
    if (parsed.action != ParsedCommandLine::Action::Run
        || wantsHeadless(arguments, QProcessEnvironment::systemEnvironment())) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(Program);
        QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
        const auto admin = createAdminExtension();
        return Daemon::run(Program, QCoreApplication::arguments(), admin.get());
    }

    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Vigil"));
    QCoreApplication::setApplicationName(Program);
    QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
    QGuiApplication::setDesktopFileName(Program);

    MainWindow::Options options;
    options.start = parsed.start;
    // Server flags on the command line pre-fill the form over saved settings.
    const QStringList flags = arguments.mid(1);
    if (std::any_of(flags.cbegin(), flags.cend(), isServerFlag))
        options.config = parsed.config;
    MainWindow window(options);
    window.show();
    armScreenshot(window);
    // VIGIL_MONITOR_PROBE=FILE: GUI stall and CPU figures for bench/monitor_load.sh.
    GuiProbe::fromEnvironment(&app);
    return QApplication::exec();
}

} // namespace Vigil
