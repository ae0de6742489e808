// The headless program: vigild, and `vigil-monitor --headless`. Parses
// the command line, starts the server, stops it on SIGINT/SIGTERM,
// reloads its configuration on SIGHUP (PROTOCOL.md §11), and maps every
// outcome to the exit codes of PROTOCOL.md §5.
#pragma once

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace Vigil {

class MessageHandler;
class Server;
struct ServerConfig;
struct ParsedCommandLine;
struct ReloadResult;

// Exit codes of vigild and `vigil-monitor --headless` (PROTOCOL.md §5).
enum class DaemonExit : int {
    Ok = 0,           // stopped by SIGINT/SIGTERM, or --help/--version
    CannotListen = 1, // an address (or the admin endpoint) cannot be bound
    BadUsage = 2,     // bad flag, value or config file
};

// A part of vigild that lives outside the core library: the admin HTTP
// endpoint (vigil_admin), run when the config has --admin. Checked before
// the server binds, started after its `listening on` lines, stopped
// before the server is destroyed.
class DaemonExtension
{
public:
    virtual ~DaemonExtension() = default;
    // Checks what needs no socket (files, tokens): a one-line error, exit 2.
    virtual QString prepare(const ServerConfig &config) = 0;
    // Binds and serves for server: a one-line error, exit 1. On success
    // *notice is the line to log (e.g. "admin on 127.0.0.1:7601"). reload
    // is what SIGHUP runs (Reloader::reload), for POST /api/v1/reload.
    virtual QString start(Server &server, std::function<ReloadResult()> reload, QString *notice) = 0;
    // Stops serving; called once the server has stopped, before it is destroyed.
    virtual void stop() = 0;
};

// The admin endpoint when vigild is built with vigil_admin, else nullptr
// (defined by vigil_admin or by vigild's no-admin stub).
std::unique_ptr<DaemonExtension> createAdminExtension();

class Daemon final
{
public:
    // Needs a Q(Core)Application; returns the process exit code. Without
    // an extension, --admin is refused (exit 2). With a handler, it answers
    // DATA instead of --mode (an application built on vigild's flags,
    // signals, reload, logs and admin endpoint: docs/embedding.md).
    static int run(const QString &program, const QStringList &arguments, DaemonExtension *admin = nullptr,
                   std::shared_ptr<MessageHandler> handler = nullptr);
    // The same for a command line already parsed (the monitor parses its
    // own, with options vigild does not know, before choosing to be headless).
    static int run(const QString &program, const ParsedCommandLine &parsed, DaemonExtension *admin = nullptr,
                   std::shared_ptr<MessageHandler> handler = nullptr);
};

} // namespace Vigil
