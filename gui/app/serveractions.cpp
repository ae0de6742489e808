// ServerActions: no action asks which kind of server is in front, only
// what its source's capabilities allow in its current state.
#include "serveractions.h"

#include "connectionpanel.h"
#include "serverview.h"

#include <QAction>
#include <QMenu>
#include <QStyle>
#include <QToolBar>
#include <QWidget>

namespace Vigil {

ServerActions::ServerActions(QWidget *window)
    : QObject(window)
{
    m_start = new QAction(QIcon(QStringLiteral(":/vigil/start.png")), tr("&Start"), this);
    m_start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_start->setToolTip(tr("Start serving with the current settings (Ctrl+R)"));

    m_stop = new QAction(QIcon(QStringLiteral(":/vigil/stop.png")), tr("S&top"), this);
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_stop->setToolTip(tr("Stop: BYE server-shutdown to every connection (Ctrl+.)"));

    m_drain = new QAction(tr("&Drain…"), this);
    m_drain->setObjectName(QStringLiteral("drainAction"));
    m_drain->setToolTip(tr("Drain: stop accepting, GOAWAY to every connection, close them spread over a drain time, "
                           "then stop"));

    m_applyToOpen = new QAction(QIcon(QStringLiteral(":/vigil/apply.png")), tr("&Apply to Open Connections"), this);
    m_applyToOpen->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_applyToOpen->setToolTip(
        tr("Edited timeouts reach new connections at once; this applies them to the open ones too"));

    m_kick = ConnectionPanel::createKickAction(this);
    m_kickMatching = new QAction(tr("Kick &Matching Connections…"), this);
    m_kickMatching->setObjectName(QStringLiteral("kickMatchingAction"));
    m_kickMatching->setToolTip(tr("Close every connection the filter box matches, after a confirmation that shows how many"));

    m_exportConnections = new QAction(tr("Export &Connections…"), this);
    m_exportConnections->setToolTip(tr("Save the connection list as shown (filter and sort) to CSV or JSON"));
    m_exportHistory = new QAction(tr("Export Closed &History…"), this);
    m_exportHistory->setToolTip(tr("Save the closed-connections history as shown to CSV or JSON"));
    m_exportTraffic = new QAction(tr("Export Traffic &Log…"), this);
    m_exportTraffic->setToolTip(tr("Save the traffic log as shown to CSV or JSON"));

    const QIcon attachIcon =
        QIcon::fromTheme(QStringLiteral("network-connect"), window->style()->standardIcon(QStyle::SP_DriveNetIcon));
    m_attach = new QAction(attachIcon, tr("A&ttach to Server…"), this);
    m_attach->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_attach->setToolTip(tr("Watch a running vigild through its admin endpoint, in a tab of its own (Ctrl+Shift+O)"));

    m_attachFleet = new QAction(tr("Attach to &Fleet…"), this);
    m_attachFleet->setToolTip(tr("Watch several vigild as one: a summary of the instances and all their connections in one table"));

    m_detach = new QAction(tr("&Detach"), this);
    m_detach->setToolTip(tr("Stop watching the attached server of the current tab"));

    m_copyPeer = new QAction(tr("&Copy Peer"), this);
    m_copyPeer->setShortcut(QKeySequence::Copy);
    m_copyPeer->setShortcutContext(Qt::WidgetShortcut);

    m_details = new QAction(tr("Show &Details"), this);

    m_showTraffic = new QAction(tr("Show &Traffic"), this);
    m_showTraffic->setObjectName(QStringLiteral("showTrafficAction"));
    m_showTraffic->setToolTip(tr("Filter the traffic log to the selected connection"));

    m_quit = new QAction(tr("&Quit"), this);
    m_quit->setShortcut(QKeySequence::Quit);
}

void ServerActions::fillServerMenu(QMenu *menu) const
{
    menu->addAction(m_start);
    menu->addAction(m_stop);
    menu->addAction(m_drain);
    menu->addSeparator();
    menu->addAction(m_applyToOpen);
    menu->addSeparator();
    menu->addAction(m_attach);
    menu->addAction(m_attachFleet);
    menu->addAction(m_detach);
    menu->addSeparator();
    menu->addAction(m_exportConnections);
    menu->addAction(m_exportHistory);
    menu->addAction(m_exportTraffic);
    menu->addSeparator();
    menu->addAction(m_quit);
}

void ServerActions::fillConnectionMenu(QMenu *menu) const
{
    menu->addAction(m_kick);
    menu->addAction(m_kickMatching);
    menu->addAction(m_copyPeer);
    menu->addAction(m_details);
    menu->addAction(m_showTraffic);
}

void ServerActions::fillToolBar(QToolBar *toolbar) const
{
    toolbar->addAction(m_start);
    toolbar->addAction(m_stop);
    toolbar->addAction(m_drain);
    toolbar->addSeparator();
    toolbar->addAction(m_applyToOpen);
    toolbar->addAction(m_kick);
    toolbar->addSeparator();
    toolbar->addAction(m_attach);
}

void ServerActions::update(const ServerView *view, bool closable, bool settingsValid)
{
    if (!view)
        return;
    const ServerSource *source = view->source();
    using Capability = ServerSource::Capability;
    const bool stopped = source->state() == ServerSource::State::Stopped;
    const bool live = source->state() == ServerSource::State::Connected;
    const bool configurable = source->can(Capability::ApplyConfig);
    m_start->setEnabled(source->can(Capability::StartStop) && stopped && (!configurable || settingsValid));
    m_stop->setEnabled(source->can(Capability::StartStop) && !stopped);
    m_drain->setEnabled(source->can(Capability::Drain) && live && !source->lastStats().draining);
    m_applyToOpen->setEnabled(configurable && live && settingsValid);
    const bool selected = view->hasSelection();
    m_kick->setEnabled(live && selected);
    const int matching = view->matchingConnectionCount();
    m_kickMatching->setEnabled(live && matching > 0 && view->isFiltered());
    m_kickMatching->setText(view->isFiltered() && matching > 0
                                ? tr("Kick %1 &Matching Connections…").arg(matching)
                                : tr("Kick &Matching Connections…"));
    m_detach->setEnabled(closable);
    m_copyPeer->setEnabled(selected);
    m_details->setEnabled(selected);
    m_showTraffic->setEnabled(selected);
}

} // namespace Vigil
