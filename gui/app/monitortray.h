// vigil-monitor's tray icon, where the desktop has a tray: raises the
// window on a click, offers Start, Stop and Quit, greets once, and shows
// the first server's status as its tooltip.
#pragma once

#include <QObject>

class QAction;
class QMainWindow;
class QSystemTrayIcon;

namespace Vigil {

class MonitorSettings;

class MonitorTray final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonitorTray)
public:
    // Does nothing where no tray exists; the window works the same.
    MonitorTray(QMainWindow *window, MonitorSettings &settings, const QList<QAction *> &actions);

    bool isAvailable() const { return m_tray != nullptr; }
    void setStatus(const QString &status);

private:
    QSystemTrayIcon *m_tray = nullptr;
};

} // namespace Vigil
