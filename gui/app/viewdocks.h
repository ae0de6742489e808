// The window's docks around the tabs: settings, connection details,
// statistics, traffic and the closed-connections history. Each shows the page of the view in front; the
// settings dock shows the form for a server that takes a config from
// here, a note for one configured where it runs.
#pragma once

#include <QObject>

class QAction;
class QLabel;
class QMainWindow;
class QScrollArea;

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
    // Side docks wider than maxWidth go back to their first-start width
    // (or maxWidth, if that is less).
    void limitWidths(int maxWidth);

    static constexpr int SettingsWidth = 290; // and details, in the same column
    static constexpr int StatsWidth = 250;
    static constexpr int SettingsHeight = 330; // first start; the form scrolls
    static constexpr int DetailsHeight = 420;

private:
    QMainWindow *m_window;
    SettingsForm *m_settings;
    QScrollArea *m_settingsPage;
    QLabel *m_noSettings;
    DockStack *m_settingsDock;
    DockStack *m_detailsDock;
    DockStack *m_statsDock;
    DockStack *m_trafficDock;
    DockStack *m_historyDock;
};

} // namespace Vigil
