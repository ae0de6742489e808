#include "viewdocks.h"

#include "connectiondetails.h"
#include "dockstack.h"
#include "serverview.h"
#include "settingsform.h"
#include "statspanel.h"
#include "trafficpanel.h"

#include <QAction>
#include <QLabel>
#include <QMainWindow>

namespace Vigil {

ViewDocks::ViewDocks(QMainWindow *window, SettingsForm *settings)
    : QObject(window)
    , m_settings(settings)
{
    window->setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    window->setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    window->setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

    m_noSettings = new QLabel(tr("This server is configured where it runs (vigild's command line or --config)."));
    m_noSettings->setObjectName(QStringLiteral("noSettingsLabel"));
    m_noSettings->setWordWrap(true);
    m_noSettings->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_noSettings->setMargin(8);
    m_settingsDock = new DockStack(tr("Settings"), QStringLiteral("settingsDock"), window);
    m_settingsDock->addPage(m_settings);
    m_settingsDock->addPage(m_noSettings);
    window->addDockWidget(Qt::LeftDockWidgetArea, m_settingsDock);

    m_detailsDock = new DockStack(tr("Connection Details"), QStringLiteral("detailsDock"), window);
    window->addDockWidget(Qt::LeftDockWidgetArea, m_detailsDock);
    m_statsDock = new DockStack(tr("Statistics"), QStringLiteral("statsDock"), window);
    window->addDockWidget(Qt::RightDockWidgetArea, m_statsDock);
    m_trafficDock = new DockStack(tr("Traffic"), QStringLiteral("trafficDock"), window);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_trafficDock);
    window->resizeDocks({m_trafficDock}, {340}, Qt::Vertical);
    window->resizeDocks({m_settingsDock, m_statsDock}, {290, 250}, Qt::Horizontal);
    // The form keeps its own height (no scroll area); details take the rest.
    window->resizeDocks({m_settingsDock, m_detailsDock}, {1, 600}, Qt::Vertical);
}

QList<QAction *> ViewDocks::toggleActions() const
{
    return {m_settingsDock->toggleViewAction(), m_detailsDock->toggleViewAction(), m_statsDock->toggleViewAction(),
            m_trafficDock->toggleViewAction()};
}

void ViewDocks::addView(const ServerView *view)
{
    m_detailsDock->addPage(view->details());
    m_statsDock->addPage(view->statsPanel());
    m_trafficDock->addPage(view->trafficPanel());
}

void ViewDocks::follow(const ServerView *view)
{
    m_detailsDock->showPage(view->details());
    m_statsDock->showPage(view->statsPanel());
    m_trafficDock->showPage(view->trafficPanel());
    const ServerSource *source = view->source();
    const bool configurable = source->can(ServerSource::Capability::ApplyConfig);
    m_settingsDock->showPage(configurable ? static_cast<QWidget *>(m_settings) : m_noSettings);
    m_settings->setRunning(source->state() != ServerSource::State::Stopped);
}

void ViewDocks::showDetails()
{
    m_detailsDock->show();
    m_detailsDock->raise();
}

} // namespace Vigil
