// What vigil-client's main() runs: parse, then the sender or bench, and
// turn the outcome into an exit code (kept here so it can be tested).
#pragma once

#include <QStringList>

namespace Vigil {

class ClientApp final
{
public:
    // Needs a QCoreApplication for the sender's event loop. Returns the
    // process exit code (see ClientExit).
    static int run(const QStringList &arguments);
};

} // namespace Vigil
