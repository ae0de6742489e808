// vigil-monitor's start-up decision: the window, or vigild's headless
// behaviour (--headless, or no display to open a window on).
#pragma once

#include "commandline.h"

#include <QProcessEnvironment>
#include <QStringList>

namespace Vigil {

class MonitorLauncher final
{
public:
    // The whole program; main() only calls this.
    static int run(int argc, char *argv[]);

    // The monitor's command line: vigild's options, --headless, --start
    // and the developer options. arguments[0] is the program.
    static ParsedCommandLine parse(const QStringList &arguments);

    // True for --headless as the parse found it (not a value such as
    // `--admin-token-file --headless`), and when no display is available:
    // no DISPLAY, no WAYLAND_DISPLAY and no QT_QPA_PLATFORM chosen.
    static bool wantsHeadless(const ParsedCommandLine &parsed, const QProcessEnvironment &environment);
};

} // namespace Vigil
