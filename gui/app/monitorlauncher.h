// vigil-monitor's start-up decision: the window, or vigild's headless
// behaviour (--headless, or no display to open a window on).
#pragma once

#include <QProcessEnvironment>
#include <QStringList>

namespace Vigil {

class MonitorLauncher final
{
public:
    // The whole program; main() only calls this.
    static int run(int argc, char *argv[]);

    // True for --headless, and when no display is available: no DISPLAY,
    // no WAYLAND_DISPLAY and no QT_QPA_PLATFORM chosen.
    static bool wantsHeadless(const QStringList &arguments, const QProcessEnvironment &environment);
};

} // namespace Vigil
