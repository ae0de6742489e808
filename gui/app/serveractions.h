// The window's actions on the server and the connections of the tab in
// front, enabled from what that server can do and is doing; the window
// decides what a triggered action does.
#pragma once

#include <QObject>

class QAction;
class QMenu;
class QToolBar;
class QWidget;

namespace Vigil {

class ServerView;

class ServerActions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerActions)
public:
    explicit ServerActions(QWidget *window);

    QAction *start() const { return m_start; }
    QAction *stop() const { return m_stop; }
    QAction *drain() const { return m_drain; }
    QAction *applyToOpen() const { return m_applyToOpen; }
    QAction *kick() const { return m_kick; }
    QAction *kickMatching() const { return m_kickMatching; }
    QAction *exportConnections() const { return m_exportConnections; }
    QAction *exportHistory() const { return m_exportHistory; }
    QAction *exportTraffic() const { return m_exportTraffic; }
    QAction *attach() const { return m_attach; }
    QAction *attachFleet() const { return m_attachFleet; }
    QAction *detach() const { return m_detach; }
    QAction *copyPeer() const { return m_copyPeer; }
    QAction *details() const { return m_details; }
    QAction *showTraffic() const { return m_showTraffic; }
    QAction *quit() const { return m_quit; }

    void fillServerMenu(QMenu *menu) const;
    void fillConnectionMenu(QMenu *menu) const;
    void fillToolBar(QToolBar *toolbar) const;

    // view: the tab in front; closable: whether it can be detached;
    // settingsValid: whether the settings form would be accepted.
    void update(const ServerView *view, bool closable, bool settingsValid);

private:
    QAction *m_start;
    QAction *m_stop;
    QAction *m_drain;
    QAction *m_applyToOpen;
    QAction *m_kick;
    QAction *m_kickMatching;
    QAction *m_exportConnections;
    QAction *m_exportHistory;
    QAction *m_exportTraffic;
    QAction *m_attach;
    QAction *m_attachFleet;
    QAction *m_detach;
    QAction *m_copyPeer;
    QAction *m_details;
    QAction *m_showTraffic;
    QAction *m_quit;
};

} // namespace Vigil
