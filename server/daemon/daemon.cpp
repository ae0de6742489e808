// vigild's life: parse, bind, serve, stop.
#include "daemon.h"

#include "commandline.h"
#include "eventlog.h"
#include "reloader.h"
#include "server.h"
#include "signalwatcher.h"
#include "textoutput.h"
#include "tlscontext.h"

#include <QCoreApplication>

#include <algorithm>
#include <cstdio>

namespace Vigil {

int Daemon::run(const QString &program, const QStringList &arguments, DaemonExtension *admin,
                std::shared_ptr<MessageHandler> handler)
{
    return run(program, ServerCommandLine(program).parse(arguments), admin, std::move(handler));
}

int Daemon::run(const QString &program, const ParsedCommandLine &parsed, DaemonExtension *admin,
                std::shared_ptr<MessageHandler> handler)
{
    switch (parsed.action) {
    case ParsedCommandLine::Action::Help:
    case ParsedCommandLine::Action::Version:
        writeText(stdout, parsed.text);
        return int(DaemonExit::Ok);
    case ParsedCommandLine::Action::Error:
        writeText(stderr, QStringLiteral("%1: %2\n").arg(program, parsed.error));
        return int(DaemonExit::BadUsage);
    case ParsedCommandLine::Action::Run:
        break;
    }
    if (parsed.config.admin && !admin) {
        writeText(stderr, QStringLiteral("%1: --admin: this build has no admin endpoint\n").arg(program));
        return int(DaemonExit::BadUsage);
    }
    const bool withAdmin = parsed.config.admin.has_value();
    if (withAdmin) {
        const QString error = admin->prepare(parsed.config);
        if (!error.isEmpty()) {
            writeText(stderr, QStringLiteral("%1: %2\n").arg(program, error));
            return int(DaemonExit::BadUsage);
        }
    }

    // PROTOCOL.md §9: certificate and key that cannot be loaded, or do not
    // match, are a bad value (exit 2) naming the file, before anything binds.
    ServerConfig startConfig = parsed.config;
    if (startConfig.hasTlsListener()) {
        QString error;
        startConfig.tlsContext = TlsContext::load(startConfig.tlsCert, startConfig.tlsKey, &error);
        if (!startConfig.tlsContext) {
            writeText(stderr, QStringLiteral("%1: %2\n").arg(program, error));
            return int(DaemonExit::BadUsage);
        }
    }

    Server server;
    server.setHandler(std::move(handler));
    SignalWatcher signalWatcher;
    EventLog log(parsed.config.logFormat, parsed.config.logToStdout);
    Reloader reloader(server, parsed, log);
    // PROTOCOL.md §10: with --drain-time the first SIGTERM/SIGINT drains
    // (the value in force, a reload's included); a second one, or any
    // without a drain time, stops at once as in v1.
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &server, [&server, &log]() {
        const qint64 drainMs = server.config().drainTimeMs;
        if (drainMs > 0 && !server.isDraining() && server.drain(drainMs)) {
            log.notice(QStringLiteral("draining %1 connections over %2 ms; a second signal stops at once")
                           .arg(server.stats().open)
                           .arg(drainMs));
            return;
        }
        server.stop();
    });
    // Caught before binding: a hang-up must never end the server. It is
    // read in the event loop, so a reload always finds the server started.
    signalWatcher.watchHangup();
    QObject::connect(&signalWatcher, &SignalWatcher::hangupReceived, qApp, [&reloader]() { reloader.reload(); });
    QObject::connect(&server, &Server::stopped, qApp, [&log]() {
        log.stopped();
        QCoreApplication::exit(int(DaemonExit::Ok));
    });
    if (!server.start(startConfig)) {
        writeText(stderr, QStringLiteral("%1: %2\n").arg(program, server.errorString()));
        return int(DaemonExit::CannotListen);
    }
    // PROTOCOL.md §5: the `listening on` lines come first, then the admin's.
    if (withAdmin) {
        QString notice;
        const QString error = admin->start(server, [&reloader]() { return reloader.reload(); }, &notice);
        if (!error.isEmpty()) {
            writeText(stderr, QStringLiteral("%1: %2\n").arg(program, error));
            QObject::disconnect(&server, &Server::stopped, nullptr, nullptr);
            server.stopAndWait();
            return int(DaemonExit::CannotListen);
        }
        log.notice(notice);
    }
    const int code = QCoreApplication::exec();
    if (withAdmin)
        admin->stop();
    return code;
}

} // namespace Vigil
