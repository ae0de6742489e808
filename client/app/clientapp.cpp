// Dispatches vigil-client's command line to the sender or bench.
#include "clientapp.h"

#include "bench.h"
#include "clientcommandline.h"
#include "sender.h"
#include "textoutput.h"

#include <QCoreApplication>
#include <cstdio>

namespace Vigil {

int ClientApp::run(const QStringList &arguments)
{
    const ParsedClientCommandLine parsed = ClientCommandLine::parse(arguments);
    switch (parsed.action) {
    case ParsedClientCommandLine::Action::Help:
    case ParsedClientCommandLine::Action::Version:
        writeText(stdout, parsed.text);
        return int(ClientExit::Ok);
    case ParsedClientCommandLine::Action::Error:
        writeText(stderr, QStringLiteral("vigil-client: %1\n").arg(parsed.error));
        return int(ClientExit::Usage);
    case ParsedClientCommandLine::Action::Bench: {
        Bench bench(parsed.bench);
        return int(bench.run(stdout, stderr));
    }
    case ParsedClientCommandLine::Action::Send:
        break;
    }
    Sender sender(parsed.sender);
    QObject::connect(&sender, &Sender::finished, QCoreApplication::instance(), [](int code) {
        QCoreApplication::exit(code);
    }, Qt::QueuedConnection);
    sender.start();
    return QCoreApplication::exec();
}

} // namespace Vigil
