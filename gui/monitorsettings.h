// What vigil-monitor remembers between runs: the server settings and the
// window's geometry and dock layout (QSettings).
#pragma once

#include "serverconfig.h"

#include <QByteArray>
#include <memory>

class QSettings;

namespace Vigil {

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

    bool trayWelcomed() const;
    void setTrayWelcomed();

    void sync();

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace Vigil
