// The headless program: vigild, and `vigil-monitor --headless`. Parses
// the command line, starts the server, stops it on SIGINT/SIGTERM, and
// maps every outcome to the exit codes of PROTOCOL.md §5.
#pragma once

#include <QString>
#include <QStringList>

namespace Vigil {

namespace ExitCode {
constexpr int Ok = 0;
constexpr int CannotListen = 1;
constexpr int BadUsage = 2;
} // namespace ExitCode

class Daemon final
{
public:
    // Needs a Q(Core)Application; returns the process exit code.
    static int run(const QString &program, const QStringList &arguments);
};

} // namespace Vigil
