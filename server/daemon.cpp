// vigild's life: parse, bind, serve, stop.
#include "daemon.h"

#include "commandline.h"
#include "eventlog.h"
#include "server.h"
#include "signalwatcher.h"

#include <QCoreApplication>

#include <cstdio>

namespace Vigil {

namespace {
void printLine(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}
} // namespace

int Daemon::run(const QString &program, const QStringList &arguments)
{
    ServerCommandLine commandLine(program);
    const ParsedCommandLine parsed = commandLine.parse(arguments);
    switch (parsed.action) {
    case ParsedCommandLine::Action::Help:
    case ParsedCommandLine::Action::Version:
        printLine(stdout, parsed.text);
        return ExitCode::Ok;
    case ParsedCommandLine::Action::Error:
        printLine(stderr, QStringLiteral("%1: %2\n").arg(program, parsed.error));
        return ExitCode::BadUsage;
    case ParsedCommandLine::Action::Run:
        break;
    }

    Server server;
    SignalWatcher signalWatcher;
    EventLog log(parsed.config.logFormat, parsed.config.logToStdout);
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &server, &Server::stop);
    QObject::connect(&server, &Server::stopped, qApp, [&log]() {
        log.stopped();
        QCoreApplication::exit(ExitCode::Ok);
    });
    if (!server.start(parsed.config)) {
        printLine(stderr, QStringLiteral("%1: %2\n").arg(program, server.errorString()));
        return ExitCode::CannotListen;
    }
    return QCoreApplication::exec();
}

} // namespace Vigil
