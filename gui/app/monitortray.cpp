#include "monitortray.h"

#include "monitorsettings.h"

#include <QAction>
#include <QMainWindow>
#include <QMenu>
#include <QSystemTrayIcon>

namespace Vigil {

MonitorTray::MonitorTray(QMainWindow *window, MonitorSettings &settings, const QList<QAction *> &actions)
    : QObject(window)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(window->windowIcon(), this);
    m_tray->setToolTip(tr("Vigil Monitor"));
    auto *menu = new QMenu(window);
    for (QAction *action : actions) {
        if (action)
            menu->addAction(action);
        else
            menu->addSeparator();
    }
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, window, [window](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger) {
            window->showNormal();
            window->raise();
            window->activateWindow();
        }
    });
    m_tray->show();
    if (!settings.trayWelcomed()) {
        m_tray->showMessage(tr("Vigil Monitor"),
                            tr("Vigil Monitor watches every connection's idle, lifetime and write watchdogs. "
                               "Press Start (Ctrl+R) to serve."),
                            QSystemTrayIcon::Information, 6000);
        settings.setTrayWelcomed();
    }
}

void MonitorTray::setStatus(const QString &status)
{
    if (m_tray)
        m_tray->setToolTip(tr("Vigil Monitor: %1").arg(status));
}

} // namespace Vigil
