// MonitorLauncher: parses the command line before any QApplication exists,
// because a QApplication without a display aborts the process.
#include "monitorlauncher.h"

#include "daemon.h"
#include "devoptions.h"
#include "guiprobe.h"
#include "mainwindow.h"
#include "screenshot.h"
#include "textoutput.h"

#include <QApplication>
#include <QTableView>

namespace Vigil {

namespace {
const QString Program = QStringLiteral("vigil-monitor");

int usageError(const QString &error)
{
    writeText(stderr, QStringLiteral("%1: %2\n").arg(Program, error));
    return int(DaemonExit::BadUsage);
}
} // namespace

ParsedCommandLine MonitorLauncher::parse(const QStringList &arguments)
{
    return ServerCommandLine(Program, {DevOptions::section()}).parse(arguments);
}

bool MonitorLauncher::wantsHeadless(const ParsedCommandLine &parsed, const QProcessEnvironment &environment)
{
    if (parsed.headless)
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

    // One parse decides everything. Help, version and bad flags behave
    // exactly as in vigild, window or not.
    const ParsedCommandLine parsed = parse(arguments);
    const bool running = parsed.action == ParsedCommandLine::Action::Run;
    QString error;
    const std::optional<DevOptions> dev = running ? DevOptions::fromValues(parsed.extra, &error) : DevOptions();
    if (!dev)
        return usageError(error);
    if (!running || wantsHeadless(parsed, QProcessEnvironment::systemEnvironment())) {
        // A screenshot or probe of no window would wait forever for nothing.
        if (running && !dev->isEmpty()) {
            return usageError(QStringLiteral("--%1 needs the window: drop --headless, or run with a display")
                                  .arg(dev->given.constFirst()));
        }
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(Program);
        QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
        const auto admin = createAdminExtension();
        return Daemon::run(Program, parsed, admin.get());
    }

    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Vigil"));
    QCoreApplication::setApplicationName(Program);
    QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
    QGuiApplication::setDesktopFileName(Program);

    MainWindow::Options options;
    options.start = parsed.start;
    // Server flags on the command line pre-fill the form over saved settings.
    if (parsed.serverOptionsGiven)
        options.config = parsed.config;
    MainWindow window(options);
    window.show();
    if (dev->showTab >= 0)
        window.showTab(dev->showTab, dev->showTabPage);
    if (!dev->screenshotFile.isEmpty()) {
        // The first connection selected, so the details pane shows it.
        armScreenshot(window, dev->screenshotFile, dev->screenshotSize, dev->screenshotDelayMs,
                      [&window] { window.connectionView()->selectRow(0); });
    }
    if (!dev->probeFile.isEmpty())
        GuiProbe::launch(dev->probeFile, dev->probeSeconds, &app);
    return QApplication::exec();
}

} // namespace Vigil
