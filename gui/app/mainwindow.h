// vigil-monitor's window: equal ServerViews in tabs, the first one the
// embedded Vigil server, every further one a vigild attached through its
// admin endpoint; the docks and actions follow the tab in front.
#pragma once

#include "serverconfig.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QStringList>
#include <functional>
#include <memory>
#include <optional>

class QAbstractItemModel;
class QAction;
class QLabel;
class QMenu;
class QMessageBox;
class QTabWidget;
class QTableView;

namespace Vigil {

class ConnectionDetails;
class ConnectionFilterProxy;
class ConnectionTableModel;
class EmbeddedServerSource;
class MonitorSettings;
class MonitorTray;
class Server;
class ServerActions;
class ServerTabs;
class ServerView;
class SettingsForm;
class StatsPanel;
class TrafficFilterProxy;
class TrafficLogModel;
class ViewDocks;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    struct Options
    {
        // Set when the command line gave server flags: they win over the
        // saved settings.
        std::optional<ServerConfig> config;
        bool start = false;
        QString settingsPath; // empty: the user's settings
    };

    explicit MainWindow(const Options &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Starts the current tab's server with the form's settings; false (and
    // an error dialog) when the form is invalid or an address cannot be bound.
    bool startServer();
    void stopServer();
    void drainServer();

    // The embedded server, the first tab's.
    Server &server();
    EmbeddedServerSource *embeddedSource() const { return m_embedded; }
    SettingsForm *settingsForm() const { return m_settings; }

    // Every tab is a ServerView; the first one cannot be closed.
    QTabWidget *tabs() const;
    QList<ServerView *> views() const;
    ServerView *currentView() const;
    // The views after the first: the attached vigilds.
    QList<ServerView *> attachedViews() const;

    // The current tab's models and widgets.
    ConnectionTableModel *connectionModel() const;
    ConnectionFilterProxy *connectionProxy() const;
    TrafficLogModel *trafficModel() const;
    TrafficFilterProxy *trafficProxy() const;
    QTableView *connectionView() const;
    QTableView *trafficView() const;
    ConnectionDetails *details() const;
    StatsPanel *statsPanel() const;

    QAction *startAction() const;
    QAction *stopAction() const;
    QAction *applyToOpenAction() const;
    QAction *kickAction() const;
    QAction *attachAction() const;
    QAction *attachFleetAction() const;
    QAction *detachAction() const;

    // Opens a tab that follows the vigild admin endpoint at address
    // (HOST:PORT), or switches to the one already open for it. The token
    // is saved in the settings only with rememberToken.
    ServerView *attachServer(const QString &address, const QString &token = QString(), bool rememberToken = false);
    void detachServer(ServerView *view);
    // Opens a tab that follows several vigild as the fleet name (a summary
    // page and one merged connection table), or switches to the one open
    // under that name with the same addresses and token.
    ServerView *attachFleet(const QString &name, const QStringList &addresses, const QString &token = QString(),
                            bool rememberToken = false);
    // Brings tab index to the front (if there is one), a fleet's on page
    // "summary" or "connections" (empty: the one it shows).
    void showTab(int index, const QString &page = QString());
    // "Attach to Fleet…": the dialog, non-blocking.
    void showAttachFleetDialog();
    // "Attach to Server…": the dialog, non-blocking.
    void showAttachDialog();
    // Writes model (as shown) to file, CSV or JSON by its suffix.
    static bool exportTo(const QAbstractItemModel &model, const QString &file, QString *error);
    void kickMatchingConnections();
    // The last error shown in a dialog (empty if none).
    QString lastError() const { return m_lastError; }
    // The status line of the tab in front.
    QString statusText() const;

    static constexpr int PreferredWidth = 1500; // first start, where the screen has room
    static constexpr int PreferredHeight = 900;

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createDocks();
    void createStatusBar();
    void createTray();
    ServerView *addView(ServerView *view, bool closable);
    void restoreSettings(const Options &options);
    void fitToScreen();
    void keepOnScreen();
    void keepDocksNarrow();
    void restoreAttachedServers();
    void saveSettings();
    void saveAttachedServers();
    struct Attachment;
    void startAttached(ServerView *view, Attachment attachment, const QString &token, bool rememberToken);

    void handleCurrentViewChanged();
    void handleViewStatus(ServerView *view);
    void handleConfigEdited();
    void applyToOpenConnections();
    // A window-modal question; action runs only on doIt.
    void confirm(const QString &name, const QString &title, const QString &text, const QString &doIt,
                 std::function<void()> action);
    enum class ExportWhat { Connections, History, Traffic };
    void exportTable(const QString &title, const QString &baseName, ExportWhat what);
    void showDetails();
    void showAbout();
    void updateWindowTitle(const ServerView *view);
    void updateActions();
    void showError(const QString &title, const QString &text);

    std::unique_ptr<MonitorSettings> m_persist;
    EmbeddedServerSource *m_embedded = nullptr; // owned by the first view
    ServerTabs *m_tabs = nullptr;
    SettingsForm *m_settings = nullptr;
    ViewDocks *m_docks = nullptr;
    QLabel *m_statusLabel = nullptr;
    ServerActions *m_actions = nullptr;
    MonitorTray *m_tray = nullptr;
    QMenu *m_connectionMenu = nullptr;
    // What each attached view was opened with, for the settings and for
    // finding it again; the token is saved only where remember is set.
    struct Attachment
    {
        QString address;
        QString token;
        bool remember = false;
        QString fleet;         // a fleet's name; then address is empty
        QStringList addresses; // a fleet's instances
    };
    QHash<ServerView *, Attachment> m_attachments;
    QPointer<QMessageBox> m_errorBox;
    QPointer<QMessageBox> m_confirmBox;
    QString m_lastError;
    bool m_shownOnce = false;
};

} // namespace Vigil
