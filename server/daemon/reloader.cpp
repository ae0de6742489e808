// Reload: read, apply, log.
#include "reloader.h"

#include "eventlog.h"

namespace Vigil {

Reloader::Reloader(Server &server, const ParsedCommandLine &parsed, EventLog &log)
    : m_server(server)
    , m_parsed(parsed)
    , m_log(log)
{
}

ReloadResult Reloader::reload()
{
    ReloadResult result;
    if (!m_parsed.configFile.isEmpty()) {
        const std::optional<ServerConfig> config = ServerCommandLine::rebuild(m_parsed, &result.error);
        if (config)
            result = m_server.reload(*config);
    } else {
        result = m_server.reloadTls(); // certificate rotation (PROTOCOL.md §9)
    }
    m_server.countReload(result.ok());
    if (!result.ok()) {
        m_log.reloadFailed(result.error);
        return result;
    }
    if (!result.restartRequired.isEmpty()) {
        m_log.notice(QStringLiteral("reload: %1 cannot change while the server runs; restart to apply")
                         .arg(result.restartRequired.join(QStringLiteral(", "))));
    }
    m_log.reloaded(result.changed);
    return result;
}

} // namespace Vigil
