// vigil-monitor's window: runs an embedded Vigil server and shows its
// connections, traffic and statistics live; running vigild processes can
// be attached through their admin endpoint, each in a tab of its own.
#pragma once

#include "server.h"
#include "serverconfig.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>
#include <memory>
#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QMessageBox;
class QSystemTrayIcon;
class QTabWidget;
class QTableView;

namespace Vigil {

class ConnectionDetails;
class ConnectionFilterProxy;
class ConnectionPanel;
class ConnectionTableModel;
class MonitorSettings;
class ServerView;
class SettingsForm;
class StatsPanel;
class TrafficFilterProxy;
class TrafficLogModel;
class TrafficPanel;

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

    // Starts with the form's settings; false (and an error dialog) when
    // the form is invalid or an address cannot be bound.
    bool startServer();
    void stopServer();

    Server &server() { return m_server; }
    SettingsForm *settingsForm() const { return m_settings; }
    ConnectionTableModel *connectionModel() const { return m_connectionModel; }
    ConnectionFilterProxy *connectionProxy() const;
    TrafficLogModel *trafficModel() const { return m_trafficModel; }
    TrafficFilterProxy *trafficProxy() const;
    QTableView *connectionView() const;
    QTableView *trafficView() const;
    ConnectionDetails *details() const { return m_details; }
    StatsPanel *statsPanel() const { return m_stats; }
    QAction *startAction() const { return m_startAction; }
    QAction *stopAction() const { return m_stopAction; }
    QAction *applyToOpenAction() const { return m_applyToOpenAction; }
    QAction *kickAction() const { return m_kickAction; }
    QAction *attachAction() const { return m_attachAction; }
    QAction *detachAction() const { return m_detachAction; }
    // Tab 0 is the embedded server; every further tab is a ServerView.
    QTabWidget *tabs() const { return m_tabs; }
    QList<ServerView *> attachedViews() const;

    // Opens a tab that follows the vigild admin endpoint at address
    // (HOST:PORT), or switches to the one already open for it. The token
    // is saved in the settings only with rememberToken.
    ServerView *attachServer(const QString &address, const QString &token = QString(), bool rememberToken = false);
    void detachServer(ServerView *view);
    // "Attach to Server…": the dialog, non-blocking.
    void showAttachDialog();
    // The last error shown in a dialog (empty if none).
    QString lastError() const { return m_lastError; }
    QString statusText() const;

    // Publish ticks while the window is visible (10 Hz).
    static constexpr int PublishIntervalMs = 100;
    static constexpr int PreferredWidth = 1500; // first start, where the screen has room
    static constexpr int PreferredHeight = 900;

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void createActions();
    void createMenus();
    QWidget *createConnectionsPanel();
    QWidget *createTrafficPanel();
    void createDocks();
    void createStatusBar();
    void createTray();
    void restoreSettings(const Options &options);
    void fitToScreen();
    void restoreAttachedServers();
    void saveSettings();
    void saveAttachedServers();
    ServerView *currentAttachedView() const;
    void handleAttachedStatus(ServerView *view);
    void handleCurrentTabChanged();

    void handleBatch(const ServerBatch &batch);
    void handleStarted();
    void handleStopped();
    void handleConfigEdited();
    void handleCountdownTick();
    void handleStatsTick();
    void handleSelectionChanged();
    void applyToOpenConnections();
    void kickSelected();
    void copyPeer();
    void showDetails();
    void showTrafficOfSelected();
    void flushTraffic(bool all);
    void updateActions();
    void showError(const QString &title, const QString &text);

    Server m_server;
    FeedSubscription m_feed{&m_server}; // paused while the window is hidden
    std::unique_ptr<MonitorSettings> m_persist;
    ConnectionTableModel *m_connectionModel;
    TrafficLogModel *m_trafficModel;
    ConnectionPanel *m_connections = nullptr;
    TrafficPanel *m_traffic = nullptr;
    SettingsForm *m_settings = nullptr;
    StatsPanel *m_stats = nullptr;
    ConnectionDetails *m_details = nullptr;
    QDockWidget *m_detailsDock = nullptr;
    QLabel *m_listenLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_rateLabel = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_connectionMenu = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_applyToOpenAction = nullptr;
    QAction *m_kickAction = nullptr;
    QAction *m_attachAction = nullptr;
    QAction *m_detachAction = nullptr;
    QTabWidget *m_tabs = nullptr;
    // Attached views whose token the user asked to remember.
    QHash<ServerView *, bool> m_rememberToken;
    // The embedded server's docks step aside while an attached server's
    // tab is in front (it has its own traffic and statistics); the layout
    // saved is the one from before.
    QList<QDockWidget *> m_docks;
    QList<QDockWidget *> m_docksHiddenForRemote;
    QByteArray m_embeddedState;
    bool m_remoteInFront = false;
    QLabel *m_remoteLabel = nullptr;
    QAction *m_copyPeerAction = nullptr;
    QAction *m_detailsAction = nullptr;
    QAction *m_showTrafficAction = nullptr;
    QAction *m_quitAction = nullptr;
    QTimer m_countdownTimer;
    QTimer m_statsTimer;
    QPointer<QMessageBox> m_errorBox;
    QString m_lastError;
    // Events of every network thread's batches, merged in time order.
    QVector<ServerEvent> m_pendingEvents;
    quint64 m_pendingDropped = 0;
    bool m_trafficFlushScheduled = false;
};

} // namespace Vigil
