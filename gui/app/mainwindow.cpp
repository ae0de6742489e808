// MainWindow: wires the core's batches into the models, the actions into
// the core, and keeps every periodic repaint on two view timers.
#include "mainwindow.h"

#include "attachdialog.h"
#include "connectiondetails.h"
#include "connectionpanel.h"
#include "connectiontablemodel.h"
#include "monitorsettings.h"
#include "monotonicclock.h"
#include "serverview.h"
#include "settingsform.h"
#include "statspanel.h"
#include "trafficlogmodel.h"
#include "trafficpanel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>

#include <algorithm>
#include <limits>
#include <utility>

// Resources live in the static vigil_gui library: register them once.
static void initVigilResources()
{
    Q_INIT_RESOURCE(vigil);
}

namespace Vigil {

namespace {
// How often held-back traffic events are released into the log.
constexpr int TrafficMergeMs = MainWindow::PublishIntervalMs;
// Statistics, rates and the status bar.
constexpr int StatsSampleMs = 500;
} // namespace

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_persist(std::make_unique<MonitorSettings>(options.settingsPath))
    , m_connectionModel(new ConnectionTableModel(this))
    , m_trafficModel(new TrafficLogModel(this))
{
    initVigilResources();
    setWindowTitle(tr("Vigil Monitor"));
    setWindowIcon(QIcon(QStringLiteral(":/vigil/vigil-monitor.png")));

    createActions();
    createMenus();
    // Tabs: the embedded server first, then one per attached vigild. The
    // bar shows only once something is attached, so the window looks as
    // before for those who never attach.
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("serverTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabBarAutoHide(true);
    m_tabs->setTabsClosable(true);
    m_tabs->addTab(createConnectionsPanel(), tr("Embedded server"));
    for (QTabBar::ButtonPosition side : {QTabBar::LeftSide, QTabBar::RightSide})
        m_tabs->tabBar()->setTabButton(0, side, nullptr);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        if (auto *view = qobject_cast<ServerView *>(m_tabs->widget(index)))
            detachServer(view);
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::handleCurrentTabChanged);
    setCentralWidget(m_tabs);
    createDocks();
    createStatusBar();
    restoreSettings(options);

    connect(&m_server, &Server::batchPublished, this, &MainWindow::handleBatch);
    connect(&m_server, &Server::started, this, &MainWindow::handleStarted);
    connect(&m_server, &Server::stopped, this, &MainWindow::handleStopped);
    // The pause lasts until acceptResumed, so its message has no timeout.
    connect(&m_server, &Server::acceptPaused, this, [this](const QString &error) {
        statusBar()->showMessage(tr("Accepting paused: %1 (retrying)").arg(error));
    });
    connect(&m_server, &Server::acceptResumed, this, [this](qint64 pausedMs) {
        statusBar()->showMessage(tr("Accepting resumed after %1 s").arg(double(pausedMs) / 1000.0, 0, 'f', 1), 5000);
    });
    connect(m_settings, &SettingsForm::configEdited, this, &MainWindow::handleConfigEdited);
    connect(m_settings, &SettingsForm::validityChanged, this, &MainWindow::updateActions);

    m_countdownTimer.setInterval(ConnectionPanel::CountdownRepaintMs);
    m_countdownTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_countdownTimer, &QTimer::timeout, this, &MainWindow::handleCountdownTick);
    m_statsTimer.setInterval(StatsSampleMs);
    m_statsTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_statsTimer, &QTimer::timeout, this, &MainWindow::handleStatsTick);

    createTray();
    restoreAttachedServers();
    updateActions();
    if (options.start)
        QTimer::singleShot(0, this, [this] { startServer(); });
}

MainWindow::~MainWindow()
{
    m_server.stopAndWait();
}

void MainWindow::createActions()
{
    m_startAction = new QAction(QIcon(QStringLiteral(":/vigil/start.png")), tr("&Start"), this);
    m_startAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_startAction->setToolTip(tr("Start serving with the current settings (Ctrl+R)"));
    connect(m_startAction, &QAction::triggered, this, [this] { startServer(); });

    m_stopAction = new QAction(QIcon(QStringLiteral(":/vigil/stop.png")), tr("S&top"), this);
    m_stopAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_stopAction->setToolTip(tr("Stop: BYE server-shutdown to every connection (Ctrl+.)"));
    connect(m_stopAction, &QAction::triggered, this, &MainWindow::stopServer);

    m_applyToOpenAction = new QAction(QIcon(QStringLiteral(":/vigil/apply.png")), tr("&Apply to Open Connections"), this);
    m_applyToOpenAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_applyToOpenAction->setToolTip(
        tr("Edited timeouts reach new connections at once; this applies them to the open ones too"));
    connect(m_applyToOpenAction, &QAction::triggered, this, &MainWindow::applyToOpenConnections);

    m_kickAction = ConnectionPanel::createKickAction(this);
    connect(m_kickAction, &QAction::triggered, this, &MainWindow::kickSelected);

    const QIcon attachIcon =
        QIcon::fromTheme(QStringLiteral("network-connect"), style()->standardIcon(QStyle::SP_DriveNetIcon));
    m_attachAction = new QAction(attachIcon, tr("A&ttach to Server…"), this);
    m_attachAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_attachAction->setToolTip(
        tr("Watch a running vigild through its admin endpoint, in a tab of its own (Ctrl+Shift+O)"));
    connect(m_attachAction, &QAction::triggered, this, &MainWindow::showAttachDialog);

    m_detachAction = new QAction(tr("&Detach"), this);
    m_detachAction->setToolTip(tr("Stop watching the attached server of the current tab"));
    connect(m_detachAction, &QAction::triggered, this, [this] {
        if (ServerView *view = currentAttachedView())
            detachServer(view);
    });

    m_copyPeerAction = new QAction(tr("&Copy Peer"), this);
    m_copyPeerAction->setShortcut(QKeySequence::Copy);
    m_copyPeerAction->setShortcutContext(Qt::WidgetShortcut);
    connect(m_copyPeerAction, &QAction::triggered, this, &MainWindow::copyPeer);

    m_detailsAction = new QAction(tr("Show &Details"), this);
    connect(m_detailsAction, &QAction::triggered, this, &MainWindow::showDetails);

    m_showTrafficAction = new QAction(tr("Show &Traffic"), this);
    m_showTrafficAction->setObjectName(QStringLiteral("showTrafficAction"));
    m_showTrafficAction->setToolTip(tr("Filter the traffic log to the selected connection"));
    connect(m_showTrafficAction, &QAction::triggered, this, &MainWindow::showTrafficOfSelected);

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createMenus()
{
    QMenu *server = menuBar()->addMenu(tr("&Server"));
    server->addAction(m_startAction);
    server->addAction(m_stopAction);
    server->addSeparator();
    server->addAction(m_applyToOpenAction);
    server->addSeparator();
    server->addAction(m_attachAction);
    server->addAction(m_detachAction);
    server->addSeparator();
    server->addAction(m_quitAction);

    QMenu *connection = menuBar()->addMenu(tr("&Connection"));
    connection->addAction(m_kickAction);
    connection->addAction(m_copyPeerAction);
    connection->addAction(m_detailsAction);
    connection->addAction(m_showTrafficAction);

    m_connectionMenu = new QMenu(this);
    m_connectionMenu->addAction(m_kickAction);
    m_connectionMenu->addAction(m_copyPeerAction);
    m_connectionMenu->addAction(m_detailsAction);
    m_connectionMenu->addAction(m_showTrafficAction);

    QToolBar *toolbar = addToolBar(tr("Server"));
    toolbar->setObjectName(QStringLiteral("serverToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setMovable(false);
    toolbar->addAction(m_startAction);
    toolbar->addAction(m_stopAction);
    toolbar->addSeparator();
    toolbar->addAction(m_applyToOpenAction);
    toolbar->addAction(m_kickAction);
    toolbar->addSeparator();
    toolbar->addAction(m_attachAction);
}

QWidget *MainWindow::createConnectionsPanel()
{
    // The shared panel plus what only the embedded server offers: Copy
    // Peer, Details on double-click and the details pane following the
    // selection.
    m_connections = new ConnectionPanel(m_connectionModel, this);
    m_connections->filter()->setObjectName(QStringLiteral("connectionFilter"));
    QTableView *view = m_connections->view();
    view->setObjectName(QStringLiteral("connectionView"));
    m_connections->setContextMenu(m_connectionMenu);
    view->addAction(m_kickAction);
    view->addAction(m_copyPeerAction);
    connect(view, &QAbstractItemView::doubleClicked, this, &MainWindow::showDetails);
    connect(m_connections, &ConnectionPanel::selectionChanged, this, &MainWindow::handleSelectionChanged);
    return m_connections;
}

QWidget *MainWindow::createTrafficPanel()
{
    m_traffic = new TrafficPanel(m_trafficModel, TrafficPanel::Controls::WithConnectionFilter, this);
    m_traffic->view()->setObjectName(QStringLiteral("trafficView"));
    return m_traffic;
}

void MainWindow::createDocks()
{
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

    m_settings = new SettingsForm(this);
    auto *settingsDock = new QDockWidget(tr("Settings"), this);
    settingsDock->setObjectName(QStringLiteral("settingsDock"));
    settingsDock->setWidget(m_settings);
    addDockWidget(Qt::LeftDockWidgetArea, settingsDock);

    m_details = new ConnectionDetails(m_connectionModel, m_trafficModel, this);
    m_detailsDock = new QDockWidget(tr("Connection Details"), this);
    m_detailsDock->setObjectName(QStringLiteral("detailsDock"));
    m_detailsDock->setWidget(m_details);
    addDockWidget(Qt::LeftDockWidgetArea, m_detailsDock);

    m_stats = new StatsPanel(this);
    auto *statsDock = new QDockWidget(tr("Statistics"), this);
    statsDock->setObjectName(QStringLiteral("statsDock"));
    statsDock->setWidget(m_stats);
    addDockWidget(Qt::RightDockWidgetArea, statsDock);

    auto *trafficDock = new QDockWidget(tr("Traffic"), this);
    trafficDock->setObjectName(QStringLiteral("trafficDock"));
    trafficDock->setWidget(createTrafficPanel());
    addDockWidget(Qt::BottomDockWidgetArea, trafficDock);
    resizeDocks({trafficDock}, {340}, Qt::Vertical);
    resizeDocks({settingsDock, statsDock}, {290, 250}, Qt::Horizontal);
    // The form keeps its own height (no scroll area); details take the rest.
    resizeDocks({settingsDock, m_detailsDock}, {1, 600}, Qt::Vertical);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    m_docks = {settingsDock, m_detailsDock, statsDock, trafficDock};
    for (QDockWidget *dock : std::as_const(m_docks))
        view->addAction(dock->toggleViewAction());
}

void MainWindow::createStatusBar()
{
    m_listenLabel = new QLabel(tr("Stopped"), this);
    m_countLabel = new QLabel(this);
    m_rateLabel = new QLabel(this);
    statusBar()->addWidget(m_listenLabel, 1);
    statusBar()->addPermanentWidget(m_countLabel);
    statusBar()->addPermanentWidget(m_rateLabel);
    m_remoteLabel = new QLabel(this);
    m_remoteLabel->setObjectName(QStringLiteral("remoteStatusLabel"));
    m_remoteLabel->hide();
    statusBar()->addWidget(m_remoteLabel, 1);
}

void MainWindow::createTray()
{
    // Only where a tray exists; the window works the same without one.
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(windowIcon(), this);
    m_tray->setToolTip(tr("Vigil Monitor"));
    auto *menu = new QMenu(this);
    menu->addAction(m_startAction);
    menu->addAction(m_stopAction);
    menu->addSeparator();
    menu->addAction(m_quitAction);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger) {
            showNormal();
            raise();
            activateWindow();
        }
    });
    m_tray->show();
    if (!m_persist->trayWelcomed()) {
        m_tray->showMessage(tr("Vigil Monitor"),
                            tr("Vigil Monitor watches every connection's idle, lifetime and write watchdogs. "
                               "Press Start (Ctrl+R) to serve."),
                            QSystemTrayIcon::Information, 6000);
        m_persist->setTrayWelcomed();
    }
}

void MainWindow::restoreSettings(const Options &options)
{
    ServerConfig config = options.config ? *options.config : m_persist->serverConfig();
    config.logToStdout = false;
    m_settings->setConfig(config);
    const QByteArray geometry = m_persist->windowGeometry();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        fitToScreen();
    restoreState(m_persist->windowState());
    const QByteArray header = m_persist->connectionHeader();
    if (!header.isEmpty())
        connectionView()->horizontalHeader()->restoreState(header);
}

// The first start: the preferred size (the table's columns, the traffic log
// and both side docks side by side) where the screen has room, else 90 % of
// it; centred. A saved geometry is left to restoreGeometry(), which moves a
// window that would be off-screen.
void MainWindow::fitToScreen()
{
    QSize size(PreferredWidth, PreferredHeight);
    const QScreen *screen = this->screen();
    if (!screen) {
        resize(size);
        return;
    }
    const QRect available = screen->availableGeometry();
    size = size.boundedTo(available.size() * 0.9);
    resize(size);
    move(available.center() - QPoint(size.width() / 2, size.height() / 2));
}

void MainWindow::saveSettings()
{
    if (const auto config = m_settings->config())
        m_persist->setServerConfig(*config);
    m_persist->setWindow(saveGeometry(), m_remoteInFront ? m_embeddedState : saveState());
    m_persist->setConnectionHeader(connectionView()->horizontalHeader()->saveState());
    saveAttachedServers();
    m_persist->sync();
}

void MainWindow::restoreAttachedServers()
{
    const QList<AttachedServer> servers = m_persist->attachedServers();
    for (const AttachedServer &server : servers) {
        if (RemoteServerSource::isValidAddress(server.address))
            attachServer(server.address, server.token, !server.token.isEmpty());
    }
    m_tabs->setCurrentIndex(0);
}

void MainWindow::saveAttachedServers()
{
    QList<AttachedServer> servers;
    for (ServerView *view : attachedViews())
        servers.append({view->source()->address(), m_rememberToken.value(view) ? view->source()->token() : QString()});
    m_persist->setAttachedServers(servers);
}

QList<ServerView *> MainWindow::attachedViews() const
{
    QList<ServerView *> views;
    for (int i = 1; i < m_tabs->count(); ++i) {
        if (auto *view = qobject_cast<ServerView *>(m_tabs->widget(i)))
            views.append(view);
    }
    return views;
}

ServerView *MainWindow::currentAttachedView() const
{
    return qobject_cast<ServerView *>(m_tabs->currentWidget());
}

void MainWindow::showAttachDialog()
{
    auto *dialog = new AttachDialog(this);
    dialog->setObjectName(QStringLiteral("attachDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        attachServer(dialog->address(), dialog->token(), dialog->rememberToken());
    });
    dialog->open();
}

ServerView *MainWindow::attachServer(const QString &address, const QString &token, bool rememberToken)
{
    const QString trimmed = address.trimmed();
    if (!RemoteServerSource::isValidAddress(trimmed)) {
        showError(tr("Cannot attach"), tr("\"%1\" is not HOST:PORT").arg(trimmed));
        return nullptr;
    }
    for (ServerView *view : attachedViews()) {
        if (view->source()->address() != trimmed)
            continue;
        // The same server again: show it, or start over with the new
        // token (the way to correct a rejected one).
        if (view->source()->token() == token.trimmed()) {
            m_tabs->setCurrentWidget(view);
            return view;
        }
        detachServer(view);
        break;
    }
    auto *view = new ServerView(new RemoteServerSource(trimmed, token), m_tabs);
    m_rememberToken.insert(view, rememberToken && !token.trimmed().isEmpty());
    const int index = m_tabs->addTab(view, trimmed);
    m_tabs->setTabToolTip(index, view->statusText());
    connect(view, &ServerView::statusChanged, this, [this, view] { handleAttachedStatus(view); });
    connect(view, &ServerView::selectionChanged, this, &MainWindow::updateActions);
    connect(view, &ServerView::kickFailed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    m_tabs->setCurrentIndex(index);
    handleAttachedStatus(view);
    saveAttachedServers();
    return view;
}

void MainWindow::detachServer(ServerView *view)
{
    const int index = m_tabs->indexOf(view);
    if (index <= 0)
        return;
    m_tabs->removeTab(index);
    m_rememberToken.remove(view);
    disconnect(view, nullptr, this, nullptr);
    view->source()->stop();
    view->deleteLater();
    saveAttachedServers();
    updateActions();
}

void MainWindow::handleCurrentTabChanged()
{
    const bool remote = currentAttachedView() != nullptr;
    if (remote && !m_remoteInFront) {
        m_embeddedState = saveState();
        for (QDockWidget *dock : std::as_const(m_docks)) {
            if (!dock->isHidden()) {
                m_docksHiddenForRemote.append(dock);
                dock->hide();
            }
        }
    } else if (!remote && m_remoteInFront) {
        for (QDockWidget *dock : std::as_const(m_docksHiddenForRemote))
            dock->show();
        m_docksHiddenForRemote.clear();
    }
    m_remoteInFront = remote;
    // The status bar speaks of the tab in front.
    for (QLabel *label : {m_listenLabel, m_countLabel, m_rateLabel})
        label->setVisible(!remote);
    m_remoteLabel->setVisible(remote);
    if (ServerView *view = currentAttachedView())
        m_remoteLabel->setText(view->statusText());
    updateActions();
}

void MainWindow::handleAttachedStatus(ServerView *view)
{
    // The tab title turns red while its server is out of reach.
    const int index = m_tabs->indexOf(view);
    if (index < 0)
        return;
    const bool connected = view->source()->state() == RemoteServerSource::State::Connected;
    m_tabs->tabBar()->setTabTextColor(index, connected ? QColor() : QColor(0xb0, 0x2a, 0x1e));
    m_tabs->setTabToolTip(index, view->statusText());
    if (view == currentAttachedView()) {
        m_remoteLabel->setText(view->statusText());
        updateActions();
    }
}

bool MainWindow::startServer()
{
    if (m_server.isRunning())
        return true;
    QString error;
    const auto config = m_settings->config(&error);
    if (!config) {
        showError(tr("Settings not accepted"), error);
        return false;
    }
    m_connectionModel->clear();
    m_details->setConnection(0);
    m_stats->reset();
    m_feed.setInterval(isVisible() ? PublishIntervalMs : 0);
    if (!m_server.start(*config)) {
        showError(tr("Cannot start the server"), m_server.errorString());
        updateActions();
        return false;
    }
    saveSettings();
    return true;
}

void MainWindow::stopServer()
{
    // Server::stop sends BYE server-shutdown to every connection.
    m_server.stop();
    updateActions();
}

void MainWindow::handleStarted()
{
    QStringList addresses;
    for (const ListenAddress &a : m_server.boundAddresses())
        addresses << a.toString();
    m_listenLabel->setText(tr("Listening on %1 (%2)")
                               .arg(addresses.join(QStringLiteral(", ")), framingName(m_server.config().framing)));
    m_settings->setRunning(true);
    m_countdownTimer.start();
    m_statsTimer.start();
    handleStatsTick();
    updateActions();
    if (m_tray)
        m_tray->setToolTip(tr("Vigil Monitor: %1").arg(m_listenLabel->text()));
}

void MainWindow::handleStopped()
{
    flushTraffic(true); // the closes of the shutdown, without waiting
    m_countdownTimer.stop();
    handleStatsTick();
    m_statsTimer.stop();
    // Every connection got BYE server-shutdown; the table starts empty next time.
    m_connectionModel->clear();
    m_details->refresh();
    m_settings->setRunning(false);
    m_listenLabel->setText(tr("Stopped"));
    updateActions();
    if (m_tray)
        m_tray->setToolTip(tr("Vigil Monitor: stopped"));
}

void MainWindow::handleBatch(const ServerBatch &batch)
{
    m_connections->applyBatch(batch);
    if (batch.events.isEmpty() && !batch.eventsDropped)
        return;
    // Each thread's batch is in order, but threads publish independently:
    // hold events briefly and release them merged, so the log's times
    // never go back.
    m_pendingEvents += batch.events;
    m_pendingDropped += batch.eventsDropped;
    if (!m_trafficFlushScheduled) {
        m_trafficFlushScheduled = true;
        QTimer::singleShot(TrafficMergeMs, this, [this] { flushTraffic(false); });
    }
}

void MainWindow::flushTraffic(bool all)
{
    m_trafficFlushScheduled = false;
    std::stable_sort(m_pendingEvents.begin(), m_pendingEvents.end(),
                     [](const ServerEvent &a, const ServerEvent &b) { return a.atMs < b.atMs; });
    // Every thread publishes at least once per interval, so an event older
    // than one and a half intervals has all its contemporaries here.
    const qint64 cutoff = all ? std::numeric_limits<qint64>::max()
                              : MonotonicClock::nowMs() - PublishIntervalMs * 3 / 2;
    const auto split = std::upper_bound(m_pendingEvents.begin(), m_pendingEvents.end(), cutoff,
                                        [](qint64 t, const ServerEvent &e) { return t < e.atMs; });
    QVector<ServerEvent> ready(m_pendingEvents.begin(), split);
    m_pendingEvents.erase(m_pendingEvents.begin(), split);
    // 50,000 msgs/s would be 100,000 rows a second: show a sample.
    const quint64 sampledOut = TrafficLogModel::keepNewest(ready);
    if (!ready.isEmpty() || m_pendingDropped || sampledOut)
        m_trafficModel->appendEvents(ready, m_pendingDropped, sampledOut);
    m_pendingDropped = 0;
    if (!m_pendingEvents.isEmpty()) {
        m_trafficFlushScheduled = true;
        QTimer::singleShot(TrafficMergeMs, this, [this] { flushTraffic(false); });
    }
}

void MainWindow::handleConfigEdited()
{
    // While running, edited timeouts and limits reach new connections at
    // once; "Apply to Open Connections" extends them to the open ones.
    if (!m_server.isRunning())
        return;
    if (const auto config = m_settings->config()) {
        m_server.applyConfig(*config, false);
        statusBar()->showMessage(tr("New settings apply to new connections"), 3000);
    }
}

void MainWindow::applyToOpenConnections()
{
    QString error;
    const auto config = m_settings->config(&error);
    if (!config) {
        showError(tr("Settings not accepted"), error);
        return;
    }
    if (!m_server.isRunning())
        return;
    m_server.applyConfig(*config, true);
    statusBar()->showMessage(tr("Settings applied to open connections"), 3000);
    saveSettings();
}

void MainWindow::handleCountdownTick()
{
    m_connectionModel->refreshCountdowns();
    if (m_detailsDock->isVisible())
        m_details->refresh();
}

void MainWindow::handleStatsTick()
{
    const ServerStats stats = m_server.stats();
    m_stats->addSample(stats);
    m_countLabel->setText(StatsPanel::connectionCountText(stats.open));
    m_rateLabel->setText(m_stats->rateText());
}

ConnectionFilterProxy *MainWindow::connectionProxy() const
{
    return m_connections->proxy();
}

TrafficFilterProxy *MainWindow::trafficProxy() const
{
    return m_traffic->proxy();
}

QTableView *MainWindow::connectionView() const
{
    return m_connections->view();
}

QTableView *MainWindow::trafficView() const
{
    return m_traffic->view();
}

void MainWindow::handleSelectionChanged()
{
    const QList<quint64> ids = m_connections->selectedConnections();
    m_details->setConnection(ids.isEmpty() ? 0 : ids.constFirst());
    updateActions();
}

void MainWindow::kickSelected()
{
    // The toolbar's Kick acts on the tab in front.
    if (ServerView *view = currentAttachedView()) {
        view->kickSelected();
        return;
    }
    for (quint64 id : m_connections->selectedConnections())
        m_server.closeConnection(id);
}

void MainWindow::copyPeer()
{
    QStringList peers;
    const QModelIndexList rows = connectionView()->selectionModel()->selectedRows(ConnectionTableModel::PeerColumn);
    for (const QModelIndex &index : rows)
        peers << index.data().toString();
    if (!peers.isEmpty())
        QApplication::clipboard()->setText(peers.join(QLatin1Char('\n')));
}

void MainWindow::showDetails()
{
    m_detailsDock->show();
    m_detailsDock->raise();
    m_details->refresh();
}

void MainWindow::showTrafficOfSelected()
{
    const QList<quint64> ids = m_connections->selectedConnections();
    if (!ids.isEmpty())
        m_traffic->showConnection(ids.constFirst());
}

void MainWindow::updateActions()
{
    // Start, Stop and Apply belong to the embedded server: only on its tab.
    const bool running = m_server.isRunning();
    const bool embedded = !currentAttachedView();
    m_startAction->setEnabled(embedded && !running && m_settings->isValid());
    m_stopAction->setEnabled(embedded && running);
    m_applyToOpenAction->setEnabled(embedded && running && m_settings->isValid());
    const bool selected = m_connections->hasSelection();
    if (ServerView *view = currentAttachedView())
        m_kickAction->setEnabled(view->hasSelection()
                                 && view->source()->state() == RemoteServerSource::State::Connected);
    else
        m_kickAction->setEnabled(running && selected);
    m_detachAction->setEnabled(currentAttachedView() != nullptr);
    m_copyPeerAction->setEnabled(selected);
    m_detailsAction->setEnabled(selected);
    m_showTrafficAction->setEnabled(selected);
}

void MainWindow::showError(const QString &title, const QString &text)
{
    m_lastError = text;
    statusBar()->showMessage(text, 10000);
    // Window-modal and non-blocking: the server and views keep running.
    if (m_errorBox)
        m_errorBox->close();
    m_errorBox = new QMessageBox(QMessageBox::Critical, title, text, QMessageBox::Ok, this);
    m_errorBox->setAttribute(Qt::WA_DeleteOnClose);
    m_errorBox->open();
}

QString MainWindow::statusText() const
{
    return m_listenLabel->text() + QLatin1Char(' ') + m_countLabel->text() + QLatin1Char(' ') + m_rateLabel->text();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // Batches cost the core work: only while someone can see them. The
    // first batch after this is a full snapshot, so the table catches up.
    m_feed.setInterval(PublishIntervalMs);
}

void MainWindow::hideEvent(QHideEvent *event)
{
    QMainWindow::hideEvent(event);
    if (!isMinimized())
        m_feed.setInterval(0);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    m_server.stopAndWait();
    event->accept();
}

} // namespace Vigil
