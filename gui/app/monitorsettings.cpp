// MonitorSettings: the server config is stored as the command line spells
// it and read back through ServerCommandLine::apply, so both accept the
// same values.
#include "monitorsettings.h"

#include "commandline.h"
#include "duration.h"

#include <QSettings>

namespace Vigil {

namespace {
const QString ServerGroup = QStringLiteral("server");
} // namespace

MonitorSettings::MonitorSettings(const QString &path)
    : m_settings(path.isEmpty() ? std::make_unique<QSettings>()
                                : std::make_unique<QSettings>(path, QSettings::IniFormat))
{
}

MonitorSettings::~MonitorSettings() = default;

bool MonitorSettings::hasServerConfig() const
{
    return m_settings->contains(ServerGroup + QStringLiteral("/listen"));
}

ServerConfig MonitorSettings::serverConfig() const
{
    ServerConfig config;
    m_settings->beginGroup(ServerGroup);
    const QStringList listen = m_settings->value(QStringLiteral("listen")).toStringList();
    if (!listen.isEmpty()) {
        ServerConfig probe;
        probe.listen.clear();
        bool ok = true;
        for (const QString &address : listen)
            ok = ok && ServerCommandLine::apply(probe, QStringLiteral("listen"), address).isEmpty();
        if (ok)
            config.listen = probe.listen;
    }
    for (const QString &key : ServerCommandLine::keys()) {
        if (key == QLatin1String("listen") || !m_settings->contains(key))
            continue;
        ServerConfig attempt = config;
        if (ServerCommandLine::apply(attempt, key, m_settings->value(key).toString()).isEmpty())
            config = attempt;
    }
    m_settings->endGroup();
    config.logToStdout = false;
    return config;
}

void MonitorSettings::setServerConfig(const ServerConfig &c)
{
    m_settings->beginGroup(ServerGroup);
    QStringList listen;
    for (const ListenAddress &a : c.listen)
        listen << a.spec(); // with ,tls and ,proxy
    m_settings->setValue(QStringLiteral("listen"), listen);
    for (const auto &[key, file] : {std::pair{QStringLiteral("tls-cert"), c.tlsCert}, std::pair{QStringLiteral("tls-key"), c.tlsKey}}) {
        if (file.isEmpty())
            m_settings->remove(key);
        else
            m_settings->setValue(key, file);
    }
    m_settings->setValue(QStringLiteral("framing"), framingName(c.framing));
    m_settings->setValue(QStringLiteral("policy"), policyName(c.policy));
    m_settings->setValue(QStringLiteral("idle-timeout"), formatDuration(c.idleTimeoutMs));
    m_settings->setValue(QStringLiteral("max-lifetime"), formatDuration(c.maxLifetimeMs));
    m_settings->setValue(QStringLiteral("write-timeout"), formatDuration(c.writeTimeoutMs));
    m_settings->setValue(QStringLiteral("probe-interval"), formatDuration(c.probeIntervalMs));
    m_settings->setValue(QStringLiteral("min-keepalive"), formatDuration(c.minKeepaliveMs));
    m_settings->setValue(QStringLiteral("max-keepalive"), formatDuration(c.maxKeepaliveMs));
    m_settings->setValue(QStringLiteral("lifetime-jitter"), QString::number(c.lifetimeJitterPct));
    m_settings->setValue(QStringLiteral("lifetime-grace"), formatDuration(c.lifetimeGraceMs));
    m_settings->setValue(QStringLiteral("min-ping-interval"), formatDuration(c.minPingIntervalMs));
    m_settings->setValue(QStringLiteral("frame-timeout"), formatDuration(c.frameTimeoutMs));
    m_settings->setValue(QStringLiteral("drain-time"), formatDuration(c.drainTimeMs));
    m_settings->setValue(QStringLiteral("max-payload"), QString::number(c.maxPayload));
    m_settings->setValue(QStringLiteral("max-send-buffer"), QString::number(c.maxSendBuffer));
    m_settings->setValue(QStringLiteral("max-connections"), QString::number(c.maxConnections));
    m_settings->setValue(QStringLiteral("max-per-ip"), QString::number(c.maxPerIp));
    m_settings->setValue(QStringLiteral("max-msg-rate"), QString::number(c.maxMsgRate));
    m_settings->setValue(QStringLiteral("mode"), modeName(c.mode));
    // 0 ("one per core") is no valid --threads value: leave it unset.
    if (c.threads > 0)
        m_settings->setValue(QStringLiteral("threads"), QString::number(c.threads));
    else
        m_settings->remove(QStringLiteral("threads"));
    m_settings->endGroup();
}

QByteArray MonitorSettings::windowGeometry() const
{
    return m_settings->value(QStringLiteral("window/geometry")).toByteArray();
}

QByteArray MonitorSettings::windowState() const
{
    return m_settings->value(QStringLiteral("window/state")).toByteArray();
}

void MonitorSettings::setWindow(const QByteArray &geometry, const QByteArray &state)
{
    m_settings->setValue(QStringLiteral("window/geometry"), geometry);
    m_settings->setValue(QStringLiteral("window/state"), state);
}

QByteArray MonitorSettings::connectionHeader() const
{
    return m_settings->value(QStringLiteral("window/connectionHeader")).toByteArray();
}

void MonitorSettings::setConnectionHeader(const QByteArray &state)
{
    m_settings->setValue(QStringLiteral("window/connectionHeader"), state);
}

QList<AttachedServer> MonitorSettings::attachedServers() const
{
    QList<AttachedServer> servers;
    const int count = m_settings->beginReadArray(QStringLiteral("attached"));
    for (int i = 0; i < count; ++i) {
        m_settings->setArrayIndex(i);
        AttachedServer server;
        server.address = m_settings->value(QStringLiteral("address")).toString();
        server.token = m_settings->value(QStringLiteral("token")).toString();
        if (!server.address.isEmpty())
            servers.append(server);
    }
    m_settings->endArray();
    return servers;
}

void MonitorSettings::setAttachedServers(const QList<AttachedServer> &servers)
{
    // Rewritten whole: a detached server must not leave its token behind.
    m_settings->remove(QStringLiteral("attached"));
    m_settings->beginWriteArray(QStringLiteral("attached"), int(servers.size()));
    for (int i = 0; i < servers.size(); ++i) {
        m_settings->setArrayIndex(i);
        m_settings->setValue(QStringLiteral("address"), servers[i].address);
        if (!servers[i].token.isEmpty())
            m_settings->setValue(QStringLiteral("token"), servers[i].token);
    }
    m_settings->endArray();
}

QList<SavedFleet> MonitorSettings::fleets() const
{
    QList<SavedFleet> fleets;
    const int count = m_settings->beginReadArray(QStringLiteral("fleets"));
    for (int i = 0; i < count; ++i) {
        m_settings->setArrayIndex(i);
        SavedFleet fleet;
        fleet.name = m_settings->value(QStringLiteral("name")).toString();
        fleet.addresses = m_settings->value(QStringLiteral("addresses")).toStringList();
        fleet.token = m_settings->value(QStringLiteral("token")).toString();
        if (!fleet.name.isEmpty() && !fleet.addresses.isEmpty())
            fleets.append(fleet);
    }
    m_settings->endArray();
    return fleets;
}

void MonitorSettings::setFleets(const QList<SavedFleet> &fleets)
{
    // Rewritten whole, like the attached servers.
    m_settings->remove(QStringLiteral("fleets"));
    m_settings->beginWriteArray(QStringLiteral("fleets"), int(fleets.size()));
    for (int i = 0; i < fleets.size(); ++i) {
        m_settings->setArrayIndex(i);
        m_settings->setValue(QStringLiteral("name"), fleets[i].name);
        m_settings->setValue(QStringLiteral("addresses"), fleets[i].addresses);
        if (!fleets[i].token.isEmpty())
            m_settings->setValue(QStringLiteral("token"), fleets[i].token);
    }
    m_settings->endArray();
}

bool MonitorSettings::trayWelcomed() const
{
    return m_settings->value(QStringLiteral("tray/welcomed"), false).toBool();
}

void MonitorSettings::setTrayWelcomed()
{
    m_settings->setValue(QStringLiteral("tray/welcomed"), true);
}

void MonitorSettings::sync()
{
    m_settings->sync();
}

} // namespace Vigil
