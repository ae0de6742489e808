#include "viewdocks.h"

#include "connectiondetails.h"
#include "dockstack.h"
#include "historypanel.h"
#include "serverview.h"
#include "settingsform.h"
#include "statspanel.h"
#include "trafficpanel.h"

#include <QAction>
#include <QLabel>
#include <QMainWindow>
#include <QScrollArea>

#include <algorithm>
#include <utility>

namespace Vigil {

ViewDocks::ViewDocks(QMainWindow *window, SettingsForm *settings)
    : QObject(window)
    , m_window(window)
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
    // The form scrolls in its dock: on a 720-pixel screen the window
    // must not be taller than the screen because of it.
    m_settingsPage = new QScrollArea;
    m_settingsPage->setObjectName(QStringLiteral("settingsScroll"));
    m_settingsPage->setWidget(m_settings);
    m_settingsPage->setWidgetResizable(true);
    m_settingsPage->setFrameShape(QFrame::NoFrame);
    m_settingsPage->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_settingsDock = new DockStack(tr("Settings"), QStringLiteral("settingsDock"), window);
    m_settingsDock->addPage(m_settingsPage);
    m_settingsDock->addPage(m_noSettings);
    window->addDockWidget(Qt::LeftDockWidgetArea, m_settingsDock);

    m_detailsDock = new DockStack(tr("Connection Details"), QStringLiteral("detailsDock"), window);
    window->addDockWidget(Qt::LeftDockWidgetArea, m_detailsDock);
    m_statsDock = new DockStack(tr("Statistics"), QStringLiteral("statsDock"), window);
    window->addDockWidget(Qt::RightDockWidgetArea, m_statsDock);
    m_trafficDock = new DockStack(tr("Traffic"), QStringLiteral("trafficDock"), window);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_trafficDock);
    m_historyDock = new DockStack(tr("Closed Connections"), QStringLiteral("historyDock"), window);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_historyDock);
    window->tabifyDockWidget(m_trafficDock, m_historyDock);
    m_trafficDock->raise();
    window->resizeDocks({m_trafficDock}, {340}, Qt::Vertical);
    window->resizeDocks({m_settingsDock, m_statsDock}, {SettingsWidth, StatsWidth}, Qt::Horizontal);
    // The form's first rows and the details share the column; both scroll.
    window->resizeDocks({m_settingsDock, m_detailsDock}, {SettingsHeight, DetailsHeight}, Qt::Vertical);
}

QList<QAction *> ViewDocks::toggleActions() const
{
    return {m_settingsDock->toggleViewAction(), m_detailsDock->toggleViewAction(), m_statsDock->toggleViewAction(),
            m_trafficDock->toggleViewAction(), m_historyDock->toggleViewAction()};
}

void ViewDocks::addView(const ServerView *view)
{
    m_detailsDock->addPage(view->details());
    m_statsDock->addPage(view->statsPanel());
    m_trafficDock->addPage(view->trafficPanel());
    m_historyDock->addPage(view->historyPanel());
}

void ViewDocks::follow(const ServerView *view)
{
    m_detailsDock->showPage(view->details());
    m_statsDock->showPage(view->statsPanel());
    m_trafficDock->showPage(view->trafficPanel());
    m_historyDock->showPage(view->historyPanel());
    const ServerSource *source = view->source();
    const bool configurable = source->can(ServerSource::Capability::ApplyConfig);
    m_settingsDock->showPage(configurable ? static_cast<QWidget *>(m_settingsPage) : m_noSettings);
    m_settings->setRunning(source->state() != ServerSource::State::Stopped);
}

void ViewDocks::limitWidths(int maxWidth)
{
    const std::pair<DockStack *, int> side[] = {{m_settingsDock, SettingsWidth}, {m_detailsDock, SettingsWidth},
                                                {m_statsDock, StatsWidth}};
    QList<QDockWidget *> docks;
    QList<int> widths;
    for (const auto &[dock, width] : side) {
        if (dock->isVisible() && !dock->isFloating() && dock->width() > maxWidth) {
            docks << dock;
            widths << std::min(width, maxWidth);
        }
    }
    if (!docks.isEmpty())
        m_window->resizeDocks(docks, widths, Qt::Horizontal);
}

void ViewDocks::showDetails()
{
    m_detailsDock->show();
    m_detailsDock->raise();
}

} // namespace Vigil
