// vigil-monitor's developer options: the screenshot docs/screenshot.sh
// takes and the GUI probe bench/monitor_load.sh reads. One table gives the
// parser its options, --help its "Developer options" section, and the
// checks their names.
#pragma once

#include "commandline.h"

#include <QHash>
#include <QSize>
#include <QString>
#include <QStringList>
#include <optional>

namespace Vigil {

struct DevOptions
{
    static constexpr int DefaultScreenshotDelayMs = 4000;
    static constexpr int MaxScreenshotDelayMs = 3600 * 1000;
    static constexpr int MaxScreenshotSide = 16384;
    static constexpr int MaxProbeSeconds = 24 * 3600;
    static constexpr int MaxTab = 99;

    QString screenshotFile;   // --screenshot: save the window here, then quit
    QSize screenshotSize;     // --screenshot-size: invalid keeps the window's size
    int screenshotDelayMs = DefaultScreenshotDelayMs; // --screenshot-delay
    QString probeFile;        // --probe: write the GUI probe's JSON here
    int probeSeconds = 0;     // --probe-seconds: 0 = until quit or SIGTERM
    int showTab = -1;         // --show-tab: the tab in front at start, -1 = the usual
    QString showTabPage;      // and a fleet's page there: "summary", "connections" or empty
    QStringList given;        // the developer options given, in table order

    bool isEmpty() const { return given.isEmpty(); }

    // The options and their help, for ServerCommandLine.
    static OptionSection section();
    // Checks the developer options in ParsedCommandLine::extra; on failure
    // *error is one line naming the option, e.g. "--screenshot-size:
    // expected WxH in pixels (e.g. 1680x960), got '1680'".
    static std::optional<DevOptions> fromValues(const QHash<QString, QString> &values, QString *error);
};

} // namespace Vigil
