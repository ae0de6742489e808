// What vigil-monitor remembers between runs: the server settings and the
// window's geometry and dock layout, the attached servers (QSettings).
#pragma once

#include "serverconfig.h"

#include <QByteArray>
#include <QList>
#include <QStringList>
#include <memory>

class QSettings;

namespace Vigil {

// A vigild the monitor is attached to; token empty unless the user asked
// to remember it.
struct AttachedServer
{
    QString address;
    QString token;
};

// A named fleet of vigild (FleetSource): the admin addresses in fleet
// order and one token, empty unless the user asked to remember it.
struct SavedFleet
{
    QString name;
    QStringList addresses;
    QString token;
};

class MonitorSettings final
{
    Q_DISABLE_COPY_MOVE(MonitorSettings)
public:
    // Empty path: the platform's user settings for Vigil/vigil-monitor.
    explicit MonitorSettings(const QString &path = QString());
    ~MonitorSettings();

    bool hasServerConfig() const;
    // Unreadable entries fall back to the defaults.
    ServerConfig serverConfig() const;
    void setServerConfig(const ServerConfig &config);

    QByteArray windowGeometry() const;
    QByteArray windowState() const;
    void setWindow(const QByteArray &geometry, const QByteArray &state);
    QByteArray connectionHeader() const;
    void setConnectionHeader(const QByteArray &state);

    QList<AttachedServer> attachedServers() const;
    void setAttachedServers(const QList<AttachedServer> &servers);
    QList<SavedFleet> fleets() const;
    void setFleets(const QList<SavedFleet> &fleets);

    bool trayWelcomed() const;
    void setTrayWelcomed();

    void sync();

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace Vigil
