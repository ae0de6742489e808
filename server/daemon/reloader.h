// PROTOCOL.md §11 in one place: what SIGHUP and the admin API's
// POST /api/v1/reload both run. Builds the config again from the --config
// file and the command line's flags, has the Server apply it, and logs
// `reloaded` or `reload-failed`.
#pragma once

#include "commandline.h"
#include "server.h"

namespace Vigil {

class EventLog;

class Reloader final
{
public:
    // parsed: the command line vigild started with (Action::Run).
    Reloader(Server &server, const ParsedCommandLine &parsed, EventLog &log);

    // Without --config only the TLS files are read again (for a tls
    // listener): `reloaded` with nothing changed, or `reload-failed`. Otherwise the file as it reads
    // now with the flags on top; a file that no longer parses, or a
    // listener that cannot be bound, changes nothing.
    ReloadResult reload();

private:
    Server &m_server;
    ParsedCommandLine m_parsed;
    EventLog &m_log;
};

} // namespace Vigil
