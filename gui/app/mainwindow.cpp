// MainWindow: hosts the views, points the docks and actions at the one in
// front, and keeps the settings, the attached servers and the window's
// layout across runs. What a server does is its ServerSource's business.
#include "mainwindow.h"

#include "applypreview.h"
#include "attachdialog.h"
#include "connectiondetails.h"
#include "connectionfilterproxy.h"
#include "connectionpanel.h"
#include "connectiontablemodel.h"
#include "drainprogress.h"
#include "embeddedserversource.h"
#include "feedtext.h"
#include "fleetdialog.h"
#include "fleetsource.h"
#include "historypanel.h"
#include "monitorsettings.h"
#include "monotonicclock.h"
#include "monitortray.h"
#include "remoteserversource.h"
#include "serveractions.h"
#include "servertabs.h"
#include "serverview.h"
#include "settingsform.h"
#include "statspanel.h"
#include "tableexport.h"
#include "trafficfilterproxy.h"
#include "trafficpanel.h"
#include "viewdocks.h"

#include <QAction>
#include <QCloseEvent>
#include <QFileDialog>
#include <QHeaderView>
#include <QTabWidget>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QScreen>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>

#include <algorithm>
#include <utility>

// Resources live in the static vigil_gui library: register them once.
static void initVigilResources()
{
    Q_INIT_RESOURCE(vigil);
}

namespace Vigil {

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_persist(std::make_unique<MonitorSettings>(options.settingsPath))
{
    initVigilResources();
    setWindowTitle(tr("Vigil Monitor"));
    setWindowIcon(QIcon(QStringLiteral(":/vigil/vigil-monitor.png")));

    createActions();
    createMenus();
    m_tabs = new ServerTabs(this);
    connect(m_tabs, &ServerTabs::closeRequested, this, &MainWindow::detachServer);
    setCentralWidget(m_tabs);
    createDocks();
    createStatusBar();

    // The embedded server is the first view, and the only one no one closes.
    m_embedded = new EmbeddedServerSource;
    addView(new ServerView(m_embedded), false);
    restoreSettings(options);
    connect(m_settings, &SettingsForm::configEdited, this, &MainWindow::handleConfigEdited);
    connect(m_settings, &SettingsForm::validityChanged, this, &MainWindow::updateActions);

    createTray();
    restoreAttachedServers();
    connect(m_tabs, &ServerTabs::currentViewChanged, this, &MainWindow::handleCurrentViewChanged);
    handleCurrentViewChanged();
    if (options.start)
        QTimer::singleShot(0, this, [this] { startServer(); });
}

MainWindow::~MainWindow()
{
    // The views stop their sources; the embedded one waits for its BYEs.
    // QWidget's destructor hides the window, which takes the focus from a
    // settings field: its editingFinished must not reach a window whose
    // QMainWindow part is already gone.
    disconnect(m_tabs, nullptr, this, nullptr);
    disconnect(m_settings, nullptr, this, nullptr);
}

void MainWindow::createActions()
{
    m_actions = new ServerActions(this);
    connect(m_actions->start(), &QAction::triggered, this, [this] { startServer(); });
    connect(m_actions->stop(), &QAction::triggered, this, &MainWindow::stopServer);
    connect(m_actions->drain(), &QAction::triggered, this, &MainWindow::drainServer);
    connect(m_actions->applyToOpen(), &QAction::triggered, this, &MainWindow::applyToOpenConnections);
    connect(m_actions->attach(), &QAction::triggered, this, &MainWindow::showAttachDialog);
    connect(m_actions->attachFleet(), &QAction::triggered, this, &MainWindow::showAttachFleetDialog);
    connect(m_actions->detach(), &QAction::triggered, this, [this] { detachServer(currentView()); });
    connect(m_actions->details(), &QAction::triggered, this, &MainWindow::showDetails);
    connect(m_actions->kickMatching(), &QAction::triggered, this, &MainWindow::kickMatchingConnections);
    connect(m_actions->exportConnections(), &QAction::triggered, this,
            [this] { exportTable(tr("Export Connections"), QStringLiteral("connections"), ExportWhat::Connections); });
    connect(m_actions->exportHistory(), &QAction::triggered, this,
            [this] { exportTable(tr("Export Closed History"), QStringLiteral("closed-connections"), ExportWhat::History); });
    connect(m_actions->exportTraffic(), &QAction::triggered, this,
            [this] { exportTable(tr("Export Traffic Log"), QStringLiteral("traffic"), ExportWhat::Traffic); });
    connect(m_actions->quit(), &QAction::triggered, this, &QWidget::close);
    // The connection actions act on the tab in front.
    const std::pair<QAction *, void (ServerView::*)()> onView[] = {
        {m_actions->kick(), &ServerView::kickSelected},
        {m_actions->copyPeer(), &ServerView::copySelectedPeers},
        {m_actions->showTraffic(), &ServerView::showTrafficOfSelected},
    };
    for (const auto &[action, method] : onView) {
        connect(action, &QAction::triggered, this, [this, method = method] {
            if (ServerView *view = currentView())
                (view->*method)();
        });
    }
}

void MainWindow::createMenus()
{
    m_actions->fillServerMenu(menuBar()->addMenu(tr("&Server")));
    m_actions->fillConnectionMenu(menuBar()->addMenu(tr("&Connection")));
    m_connectionMenu = new QMenu(this);
    m_actions->fillConnectionMenu(m_connectionMenu);

    QToolBar *toolbar = addToolBar(tr("Server"));
    toolbar->setObjectName(QStringLiteral("serverToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setMovable(false);
    m_actions->fillToolBar(toolbar);
}

void MainWindow::updateWindowTitle(const ServerView *view)
{
    // "127.0.0.1:7600 — listening — Vigil Monitor": which server, and how it is.
    const ServerSource *source = view->source();
    QString where = source->displayName();
    if (source->can(ServerSource::Capability::StartStop) && source->state() == ServerSource::State::Connected) {
        const QString status = source->statusText();
        const QString prefix = QStringLiteral("Listening on ");
        if (status.startsWith(prefix))
            where = status.mid(prefix.size());
    }
    QString state;
    switch (source->state()) {
    case ServerSource::State::Stopped: state = source->can(ServerSource::Capability::StartStop) ? tr("stopped") : tr("detached"); break;
    case ServerSource::State::Connecting: state = tr("connecting"); break;
    case ServerSource::State::Connected: state = source->can(ServerSource::Capability::StartStop) ? tr("listening") : tr("attached"); break;
    case ServerSource::State::Lost: state = tr("connection lost"); break;
    case ServerSource::State::Unauthorized: state = tr("token rejected"); break;
    case ServerSource::State::BadResponse: state = tr("bad response"); break;
    }
    setWindowTitle(tr("%1 — %2 — Vigil Monitor").arg(where, state));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Vigil Monitor"),
                       tr("<h3>Vigil Monitor %1</h3>"
                          "<p>Watches Vigil servers: the embedded one, and vigild instances through their admin "
                          "endpoint. Every connection's watchdogs, traffic, and why each one closed.</p>"
                          "<p>Built with Qt %2. Documentation: <a href='file:///usr/share/doc/vigil/'>"
                          "/usr/share/doc/vigil</a> (README.md, admin.md), or README.md and docs/ in the "
                          "sources; <code>vigild --help</code> for its flags.</p>")
                           .arg(QStringLiteral(VIGIL_VERSION), QString::fromLatin1(qVersion())));
}

void MainWindow::createDocks()
{
    // The form is the window's server settings, saved with the window.
    m_settings = new SettingsForm(this);
    m_docks = new ViewDocks(this, m_settings);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addActions(m_docks->toggleActions());
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Vigil Monitor"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
}

void MainWindow::createStatusBar()
{
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("serverStatusLabel"));
    statusBar()->addWidget(m_statusLabel, 1);
}

void MainWindow::createTray()
{
    m_tray = new MonitorTray(this, *m_persist, {m_actions->start(), m_actions->stop(), nullptr, m_actions->quit()});
    handleViewStatus(views().constFirst());
}

ServerView *MainWindow::addView(ServerView *view, bool closable)
{
    // Every view gets the same window-wide actions and dock pages.
    view->setContextMenu(m_connectionMenu);
    view->connectionView()->addAction(m_actions->kick());
    view->connectionView()->addAction(m_actions->copyPeer());
    view->restoreConnectionHeader(m_persist->connectionHeader());
    m_docks->addView(view);
    connect(view, &ServerView::statusChanged, this, [this, view] { handleViewStatus(view); });
    connect(view, &ServerView::selectionChanged, this, &MainWindow::updateActions);
    connect(view, &ServerView::matchingChanged, this, &MainWindow::updateActions);
    connect(view, &ServerView::detailsRequested, this, &MainWindow::showDetails);
    connect(view, &ServerView::kickFailed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(view->source(), &ServerSource::notice, this,
            [this](const QString &message, int timeoutMs) { statusBar()->showMessage(message, timeoutMs); });
    view->source()->setWatched(isVisible());
    m_tabs->addView(view, closable);
    return view;
}

void MainWindow::restoreSettings(const Options &options)
{
    ServerConfig config = options.config ? *options.config : m_persist->serverConfig();
    config.logToStdout = false;
    m_settings->setConfig(config);
    const QByteArray geometry = m_persist->windowGeometry();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        fitToScreen();
    else
        keepOnScreen();
    restoreState(m_persist->windowState());
}

// A geometry saved on a larger screen (or grown by a long value in an
// older version) is brought inside this screen's available area.
void MainWindow::keepOnScreen()
{
    const QScreen *screen = this->screen();
    if (!screen)
        return;
    const QRect available = screen->availableGeometry();
    const QMargins frame = frameGeometry().size() == size()
        ? QMargins()
        : QMargins(geometry().left() - frameGeometry().left(), geometry().top() - frameGeometry().top(),
                   frameGeometry().right() - geometry().right(), frameGeometry().bottom() - geometry().bottom());
    const QSize room = available.size().shrunkBy(frame);
    if (width() > room.width() || height() > room.height())
        resize(size().boundedTo(room));
    QRect placed = frameGeometry();
    if (!available.contains(placed)) {
        placed.moveLeft(std::clamp(placed.left(), available.left(), std::max(available.left(), available.right() - placed.width() + 1)));
        placed.moveTop(std::clamp(placed.top(), available.top(), std::max(available.top(), available.bottom() - placed.height() + 1)));
        move(placed.topLeft());
    }
}

// Side docks restored wider than a third of the window leave the table
// too little room: back to their first-start widths.
void MainWindow::keepDocksNarrow()
{
    m_docks->limitWidths(width() / 3);
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
    m_persist->setWindow(saveGeometry(), saveState());
    m_persist->setConnectionHeader(views().constFirst()->connectionView()->horizontalHeader()->saveState());
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
    const QList<SavedFleet> fleets = m_persist->fleets();
    for (const SavedFleet &fleet : fleets) {
        if (FleetSource::problem(fleet.name, fleet.addresses).isEmpty())
            attachFleet(fleet.name, fleet.addresses, fleet.token, !fleet.token.isEmpty());
    }
    m_tabs->setCurrentIndex(0);
}

void MainWindow::saveAttachedServers()
{
    QList<AttachedServer> servers;
    QList<SavedFleet> fleets;
    for (ServerView *view : attachedViews()) {
        const Attachment a = m_attachments.value(view);
        const QString token = a.remember ? a.token : QString();
        if (a.fleet.isEmpty())
            servers.append({a.address, token});
        else
            fleets.append({a.fleet, a.addresses, token});
    }
    m_persist->setAttachedServers(servers);
    m_persist->setFleets(fleets);
}

Server &MainWindow::server()
{
    return m_embedded->server();
}

QTabWidget *MainWindow::tabs() const
{
    return m_tabs;
}

QList<ServerView *> MainWindow::views() const
{
    return m_tabs->views();
}

ServerView *MainWindow::currentView() const
{
    return m_tabs->currentView();
}

QList<ServerView *> MainWindow::attachedViews() const
{
    QList<ServerView *> out;
    for (ServerView *view : views()) {
        if (m_tabs->isClosable(view))
            out.append(view);
    }
    return out;
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
        const Attachment a = m_attachments.value(view);
        if (!a.fleet.isEmpty() || a.address != trimmed)
            continue;
        // The same server again: show it, or start over with the new
        // token (the way to correct a rejected one).
        if (a.token == token.trimmed()) {
            m_tabs->setCurrentWidget(view);
            return view;
        }
        detachServer(view);
        break;
    }
    auto *view = addView(new ServerView(new RemoteServerSource(trimmed, token)), true);
    Attachment attachment;
    attachment.address = trimmed;
    startAttached(view, attachment, token, rememberToken);
    return view;
}

void MainWindow::startAttached(ServerView *view, Attachment attachment, const QString &token, bool rememberToken)
{
    attachment.token = token.trimmed();
    attachment.remember = rememberToken && !attachment.token.isEmpty();
    m_attachments.insert(view, attachment);
    // A token corrected from the tab is saved the way the first one was.
    connect(view, &ServerView::tokenChanged, this, [this, view](const QString &newToken) {
        auto it = m_attachments.find(view);
        if (it == m_attachments.end())
            return;
        it->token = newToken;
        saveAttachedServers();
    });
    view->source()->start();
    m_tabs->setCurrentWidget(view);
    saveAttachedServers();
}

void MainWindow::showTab(int index, const QString &page)
{
    ServerView *view = m_tabs->viewAt(index);
    if (!view)
        return;
    m_tabs->setCurrentWidget(view);
    if (view->fleetPages() && !page.isEmpty())
        view->fleetPages()->setCurrentIndex(page == QLatin1String("connections") ? 1 : 0);
}

void MainWindow::showAttachFleetDialog()
{
    auto *dialog = new FleetDialog(this);
    dialog->setObjectName(QStringLiteral("fleetDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        attachFleet(dialog->name(), dialog->addresses(), dialog->token(), dialog->rememberToken());
    });
    dialog->open();
}

ServerView *MainWindow::attachFleet(const QString &name, const QStringList &addresses, const QString &token,
                                    bool rememberToken)
{
    const QString trimmed = name.trimmed();
    if (const QString problem = FleetSource::problem(trimmed, addresses); !problem.isEmpty()) {
        showError(tr("Cannot attach"), problem);
        return nullptr;
    }
    for (ServerView *view : attachedViews()) {
        const Attachment a = m_attachments.value(view);
        if (a.fleet != trimmed)
            continue;
        // The same fleet again: show it; changed, start it over.
        if (a.addresses == addresses && a.token == token.trimmed()) {
            m_tabs->setCurrentWidget(view);
            return view;
        }
        detachServer(view);
        break;
    }
    auto *view = addView(new ServerView(new FleetSource(trimmed, addresses, token)), true);
    Attachment attachment;
    attachment.fleet = trimmed;
    attachment.addresses = addresses;
    startAttached(view, attachment, token, rememberToken);
    return view;
}

void MainWindow::detachServer(ServerView *view)
{
    if (!m_tabs->removeView(view))
        return;
    m_attachments.remove(view);
    disconnect(view, nullptr, this, nullptr);
    disconnect(view->source(), nullptr, this, nullptr);
    view->source()->stop();
    view->deleteLater();
    saveAttachedServers();
    updateActions();
}

void MainWindow::handleCurrentViewChanged()
{
    ServerView *view = currentView();
    if (!view)
        return;
    handleViewStatus(view);
}

void MainWindow::handleViewStatus(ServerView *view)
{
    if (m_tray && view == views().constFirst())
        m_tray->setStatus(view->statusText());
    if (view != currentView())
        return;
    // The status bar, the title and the docks speak of the tab in front.
    m_statusLabel->setText(view->statusText());
    updateWindowTitle(view);
    m_docks->follow(view);
    updateActions();
}

bool MainWindow::startServer()
{
    ServerView *view = currentView();
    if (!view || !view->source()->can(ServerSource::Capability::StartStop))
        return false;
    ServerSource *source = view->source();
    if (source->state() != ServerSource::State::Stopped)
        return true;
    if (source->can(ServerSource::Capability::ApplyConfig)) {
        QString error;
        const auto config = m_settings->config(&error);
        if (!config) {
            showError(tr("Settings not accepted"), error);
            return false;
        }
        source->applyConfig(*config, false);
    }
    if (!source->start()) {
        showError(tr("Cannot start the server"), source->errorString());
        updateActions();
        return false;
    }
    saveSettings();
    return true;
}

void MainWindow::stopServer()
{
    ServerView *view = currentView();
    if (!view || !view->source()->can(ServerSource::Capability::StartStop))
        return;
    // With connections open, Stop says what it does first: each of them
    // gets BYE server-shutdown.
    const int open = view->connectionModel()->rowCount();
    if (open == 0) {
        view->source()->stop();
        updateActions();
        return;
    }
    QPointer<ServerView> target = view;
    confirm(QStringLiteral("stopConfirmation"), tr("Stop the Server"),
            open == 1 ? tr("1 connection is open. Stopping sends it BYE server-shutdown and closes it.")
                      : tr("%1 connections are open. Stopping sends each BYE server-shutdown and closes it.")
                            .arg(FeedText::count(quint64(open))),
            tr("Stop and Close %1").arg(open), [this, target] {
                if (target)
                    target->source()->stop();
                updateActions();
            });
}

void MainWindow::kickMatchingConnections()
{
    ServerView *view = currentView();
    if (!view || view->source()->state() != ServerSource::State::Connected || !view->isFiltered())
        return;
    const int matching = view->matchingConnectionCount();
    if (matching == 0)
        return;
    QPointer<ServerView> target = view;
    confirm(QStringLiteral("kickMatchingConfirmation"), tr("Kick Matching Connections"),
            tr("Kick %1 of %2 connections (those the filter matches)? Each gets BYE kicked.")
                .arg(FeedText::count(quint64(matching)), FeedText::count(quint64(view->connectionModel()->rowCount()))),
            tr("Kick %1").arg(matching), [this, target] {
                if (!target)
                    return;
                const int kicked = target->kickMatching();
                statusBar()->showMessage(tr("Kicked %1 connections").arg(kicked), 5000);
            });
}

void MainWindow::confirm(const QString &name, const QString &title, const QString &text, const QString &doIt,
                         std::function<void()> action)
{
    // Window-modal and non-blocking, like the error box; Cancel is the default.
    if (m_confirmBox)
        m_confirmBox->close();
    m_confirmBox = new QMessageBox(QMessageBox::Question, title, text, QMessageBox::Cancel, this);
    m_confirmBox->setObjectName(name);
    m_confirmBox->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *ok = m_confirmBox->addButton(doIt, QMessageBox::AcceptRole);
    ok->setObjectName(QStringLiteral("confirmButton"));
    m_confirmBox->setDefaultButton(QMessageBox::Cancel);
    connect(ok, &QPushButton::clicked, this, std::move(action));
    m_confirmBox->open();
}

void MainWindow::exportTable(const QString &title, const QString &baseName, ExportWhat what)
{
    ServerView *view = currentView();
    if (!view)
        return;
    const QAbstractItemModel *model = nullptr;
    switch (what) {
    case ExportWhat::Connections: model = view->connectionProxy(); break;
    case ExportWhat::History: model = view->historyPanel()->proxy(); break;
    case ExportWhat::Traffic: model = view->trafficProxy(); break;
    }
    auto *dialog = new QFileDialog(this, title, baseName + QStringLiteral(".csv"));
    dialog->setObjectName(QStringLiteral("exportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({tr("CSV (*.csv)"), tr("JSON (*.json)")});
    QPointer<const QAbstractItemModel> source = model;
    connect(dialog, &QFileDialog::fileSelected, this, [this, source](const QString &file) {
        if (!source)
            return;
        QString error;
        if (!exportTo(*source, file, &error))
            showError(tr("Export failed"), error);
        else
            statusBar()->showMessage(tr("Saved %1 rows to %2").arg(source->rowCount()).arg(file), 5000);
    });
    dialog->open();
}

bool MainWindow::exportTo(const QAbstractItemModel &model, const QString &file, QString *error)
{
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly)) {
        *error = tr("%1: %2").arg(file, out.errorString());
        return false;
    }
    if (!TableExport::write(model, out, TableExport::formatFor(file), error) || !out.commit()) {
        *error = tr("%1: %2").arg(file, out.errorString());
        return false;
    }
    return true;
}

// Asks for the drain time (the embedded server's --drain-time setting as
// the default), starts the drain and follows it in a DrainProgress.
void MainWindow::drainServer()
{
    ServerView *view = currentView();
    if (!view || !view->source()->can(ServerSource::Capability::Drain))
        return;
    // Window-modal and open(), as the confirmations: no nested event loop
    // while the server's batches keep arriving.
    auto *ask = new DrainDialog(int(view->source()->lastStats().open), m_embedded ? m_embedded->config().drainTimeMs : 0, this);
    ask->setObjectName(QStringLiteral("drainDialog"));
    ask->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<ServerSource> source = view->source();
    connect(ask, &QDialog::accepted, this, [this, ask, source] {
        const std::optional<qint64> ms = ask->drainMs();
        if (!source || !ms || !source->drain(*ms))
            return;
        auto *progress = new DrainProgress(source, *ms, this);
        progress->setObjectName(QStringLiteral("drainProgress"));
        progress->show();
        updateActions();
    });
    ask->open();
}

void MainWindow::handleConfigEdited()
{
    // While running, edited timeouts and limits reach new connections at
    // once; "Apply to Open Connections" extends them to the open ones.
    ServerView *view = currentView();
    if (!view || !view->source()->can(ServerSource::Capability::ApplyConfig)
        || view->source()->state() != ServerSource::State::Connected)
        return;
    if (const auto config = m_settings->config()) {
        view->source()->applyConfig(*config, false);
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
    ServerView *view = currentView();
    if (!view || !view->source()->can(ServerSource::Capability::ApplyConfig)
        || view->source()->state() != ServerSource::State::Connected)
        return;
    // Say what it will do first: how many it closes at once, which keep
    // the keepalive their HELLO negotiated.
    const ConnectionTableModel *model = view->connectionModel();
    QVector<const ConnectionSnapshot *> open;
    open.reserve(model->rowCount());
    for (int r = 0; r < model->rowCount(); ++r)
        open.append(model->snapshotAt(r));
    const ApplyPreview preview = ApplyPreview::of(open, *config, MonotonicClock::nowMs());
    QPointer<ServerView> target = view;
    const ServerConfig chosen = *config;
    auto apply = [this, target, chosen, preview] {
        if (!target || target->source()->state() != ServerSource::State::Connected)
            return;
        target->source()->applyConfig(chosen, true);
        statusBar()->showMessage(preview.doneText(), 8000);
        saveSettings();
    };
    if (preview.open == 0) {
        apply();
        return;
    }
    confirm(QStringLiteral("applyToOpenConfirmation"), tr("Apply to Open Connections"), preview.text(),
            preview.closeAtOnceMax ? tr("Apply and Close %1").arg(preview.closeAtOnceMax) : tr("Apply"), apply);
}

QAction *MainWindow::startAction() const { return m_actions->start(); }
QAction *MainWindow::stopAction() const { return m_actions->stop(); }
QAction *MainWindow::applyToOpenAction() const { return m_actions->applyToOpen(); }
QAction *MainWindow::kickAction() const { return m_actions->kick(); }
QAction *MainWindow::attachAction() const { return m_actions->attach(); }
QAction *MainWindow::attachFleetAction() const { return m_actions->attachFleet(); }
QAction *MainWindow::detachAction() const { return m_actions->detach(); }

ConnectionTableModel *MainWindow::connectionModel() const
{
    return currentView()->connectionModel();
}

ConnectionFilterProxy *MainWindow::connectionProxy() const
{
    return currentView()->connectionProxy();
}

TrafficLogModel *MainWindow::trafficModel() const
{
    return currentView()->trafficModel();
}

TrafficFilterProxy *MainWindow::trafficProxy() const
{
    return currentView()->trafficProxy();
}

QTableView *MainWindow::connectionView() const
{
    return currentView()->connectionView();
}

QTableView *MainWindow::trafficView() const
{
    return currentView()->trafficView();
}

ConnectionDetails *MainWindow::details() const
{
    return currentView()->details();
}

StatsPanel *MainWindow::statsPanel() const
{
    return currentView()->statsPanel();
}

void MainWindow::showDetails()
{
    m_docks->showDetails();
    if (ServerView *view = currentView())
        view->refreshDetails();
}

void MainWindow::updateActions()
{
    ServerView *view = currentView();
    m_actions->update(view, m_tabs->isClosable(view), m_settings->isValid());
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
    return m_statusLabel->text();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // Restored dock sizes take effect with the first layout.
    if (!m_shownOnce) {
        m_shownOnce = true;
        QTimer::singleShot(0, this, [this] {
            keepOnScreen();
            keepDocksNarrow();
        });
    }
    // Batches cost the servers work: only while someone can see them.
    for (ServerView *view : views())
        view->source()->setWatched(true);
}

void MainWindow::hideEvent(QHideEvent *event)
{
    QMainWindow::hideEvent(event);
    if (isMinimized())
        return;
    for (ServerView *view : views())
        view->source()->setWatched(false);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    m_embedded->stopAndWait();
    event->accept();
}

} // namespace Vigil
