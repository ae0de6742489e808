// The window's docks around the tabs: settings, connection details,
// statistics and traffic. Each shows the page of the view in front; the
// settings dock shows the form for a server that takes a config from
// here, a note for one configured where it runs.
#pragma once

#include <QObject>

class QAction;
class QLabel;
class QMainWindow;

namespace Vigil {

class DockStack;
class ServerView;
class SettingsForm;

class ViewDocks final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ViewDocks)
public:
    // Adds the docks to window in their first-start layout; settings is
    // the window's form (it stays the window's).
    ViewDocks(QMainWindow *window, SettingsForm *settings);

    // The View menu's show/hide switches.
    QList<QAction *> toggleActions() const;

    void addView(const ServerView *view);
    // Shows view's pages; a dock the user hid stays hidden.
    void follow(const ServerView *view);
    void showDetails();

private:
    SettingsForm *m_settings;
    QLabel *m_noSettings;
    DockStack *m_settingsDock;
    DockStack *m_detailsDock;
    DockStack *m_statsDock;
    DockStack *m_trafficDock;
};

} // namespace Vigil
