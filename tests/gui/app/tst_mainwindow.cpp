// MainWindow against a real embedded server and real QTcpSocket clients on
// 127.0.0.1: actions, rows, countdowns, idle timeouts, kicks, the bounded
// log, settings persistence and refusal, bind errors.
#include "closedconnectionmodel.h"
#include "connectiondetails.h"
#include "connectionfilterproxy.h"
#include "connectiontablemodel.h"
#include "drainprogress.h"
#include "mainwindow.h"
#include "server.h"
#include "serverview.h"
#include "settingsform.h"
#include "statspanel.h"
#include "trafficpanel.h"
#include "trafficfilterproxy.h"
#include "trafficlogmodel.h"
#include "vigildhelper.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QTabWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>
#include <memory>

using namespace Vigil;

namespace {
using VigilTest::frame;

QByteArray bye(quint8 reason)
{
    return frame(0x06, QByteArray(1, char(reason)));
}
} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void startAndStopThroughActions();
    void clientRowAppearsAndCountsDown();
    void idleTimeoutRemovesRow();
    void kickClosesWithByeKicked();
    void applyToOpenConnections();
    void filterAndSortFollowBatches();
    void trafficLogStaysBounded();
    void trafficLogIsInTimeOrder();
    void settingsSurviveRestart();
    void firstStartFitsTheScreen();
    void invalidSettingsAreRefused();
    void bindErrorIsShown();
    void oneViewClassForEveryServer();
    void kickMatchingAsksWithTheCount();
    void exportAndEmptyStates();
    void drainThroughTheAction();
    void drainStopNowEndsAtOnce();
    void closingWithAFocusedSettingsField();

private:
    DrainDialog *openDrainDialog();
    void createWindow(const ServerConfig *config);
    void start();
    quint16 port() const;
    std::unique_ptr<QTcpSocket> connectClient(const QByteArray &hello = QByteArray());

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void tst_MainWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.threads = 2; // batches from several threads, as in production
    config.idleTimeoutMs = 30000;
    createWindow(&config);
}

void tst_MainWindow::cleanup()
{
    m_window.reset();
    m_dir.reset();
}

void tst_MainWindow::createWindow(const ServerConfig *config)
{
    MainWindow::Options options;
    if (config)
        options.config = *config;
    options.settingsPath = m_dir->filePath(QStringLiteral("vigil-monitor.ini"));
    m_window = std::make_unique<MainWindow>(options);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_MainWindow::start()
{
    QVERIFY(m_window->startAction()->isEnabled());
    m_window->startAction()->trigger();
    QVERIFY(m_window->server().isRunning());
    QTRY_VERIFY(m_window->stopAction()->isEnabled());
}

quint16 tst_MainWindow::port() const
{
    return m_window->server().boundAddresses().value(0).port;
}

std::unique_ptr<QTcpSocket> tst_MainWindow::connectClient(const QByteArray &hello)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, port());
    if (!hello.isEmpty())
        socket->write(frame(0x04, hello));
    return socket;
}

void tst_MainWindow::startAndStopThroughActions()
{
    QVERIFY(!m_window->stopAction()->isEnabled());
    start();
    QVERIFY(port() != 0);
    QTRY_VERIFY(m_window->statusText().contains(QStringLiteral("Listening on 127.0.0.1:%1").arg(port())));
    // The title names the server and its state.
    QVERIFY2(m_window->windowTitle().startsWith(QStringLiteral("127.0.0.1:%1").arg(port()))
                 && m_window->windowTitle().contains(QStringLiteral(" — listening — Vigil Monitor")),
             qPrintable(m_window->windowTitle()));
    QVERIFY(!m_window->startAction()->isEnabled());

    // Stop sends BYE server-shutdown to an open connection.
    auto client = connectClient();
    QTRY_COMPARE(m_window->connectionModel()->rowCount(), 1);
    QSignalSpy stopped(&m_window->server(), &Server::stopped);
    m_window->stopAction()->trigger();
    // With a connection open, Stop asks first.
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY((confirm = m_window->findChild<QMessageBox *>(QStringLiteral("stopConfirmation"))));
    QVERIFY2(confirm->text().contains(QLatin1String("1 connection is open")), qPrintable(confirm->text()));
    QVERIFY(m_window->server().isRunning());
    confirm->findChild<QPushButton *>(QStringLiteral("confirmButton"))->click();
    QTRY_COMPARE(stopped.count(), 1);
    QVERIFY(!m_window->server().isRunning());
    QTRY_VERIFY(client->bytesAvailable() >= 9 || client->state() == QAbstractSocket::UnconnectedState);
    QCOMPARE(client->readAll(), bye(6));
    QTRY_VERIFY(m_window->startAction()->isEnabled());
    QCOMPARE(m_window->connectionModel()->rowCount(), 0);
    QVERIFY(m_window->statusText().contains(QStringLiteral("Stopped")));
}

void tst_MainWindow::clientRowAppearsAndCountsDown()
{
    start();
    auto client = connectClient(R"({"client": "sensor-17"})");
    ConnectionTableModel *model = m_window->connectionModel();
    QTRY_COMPARE(model->rowCount(), 1);
    QTRY_COMPARE(model->index(0, ConnectionTableModel::ClientColumn).data().toString(), QStringLiteral("sensor-17"));
    QCOMPARE(model->index(0, ConnectionTableModel::PeerColumn).data().toString(),
             QStringLiteral("127.0.0.1:%1").arg(client->localPort()));
    // The proxy shows it too, and the filter box narrows it away.
    QCOMPARE(m_window->connectionProxy()->rowCount(), 1);
    m_window->connectionProxy()->setFilterText(QStringLiteral("nobody"));
    QCOMPARE(m_window->connectionProxy()->rowCount(), 0);
    m_window->connectionProxy()->setFilterText(QStringLiteral("sensor"));
    QCOMPARE(m_window->connectionProxy()->rowCount(), 1);

    const QModelIndex idle = model->index(0, ConnectionTableModel::IdleLeftColumn);
    const qint64 first = idle.data(ConnectionTableModel::RemainingMsRole).toLongLong();
    QVERIFY2(first > 25000 && first <= 30000, QByteArray::number(first));
    QTRY_VERIFY(idle.data(ConnectionTableModel::RemainingMsRole).toLongLong() < first - 300);
    // A message resets the idle watchdog: the countdown jumps back up.
    const qint64 before = idle.data(ConnectionTableModel::RemainingMsRole).toLongLong();
    client->write(frame(0x01, "hello"));
    QTRY_VERIFY(idle.data(ConnectionTableModel::RemainingMsRole).toLongLong() > before);
    // HELLO and DATA are both inbound messages.
    QTRY_COMPARE(model->index(0, ConnectionTableModel::MessagesInColumn).data().toString(), QStringLiteral("2"));
    QTRY_COMPARE(model->index(0, ConnectionTableModel::PreviewColumn).data().toString(), QStringLiteral("hello"));

    // Selecting the row fills the details pane.
    m_window->connectionView()->selectRow(0);
    QTRY_VERIFY(m_window->details()->text().contains(QStringLiteral("sensor-17")));
    QVERIFY(m_window->details()->text().contains(QStringLiteral("30s")));
    // "Show Traffic" narrows the log to this connection.
    auto *showTraffic = m_window->findChild<QAction *>(QStringLiteral("showTrafficAction"));
    QVERIFY(showTraffic);
    showTraffic->trigger();
    QCOMPARE(m_window->trafficProxy()->connection(), model->index(0, 0).data(ConnectionTableModel::IdRole).toULongLong());
}

void tst_MainWindow::idleTimeoutRemovesRow()
{
    m_window->settingsForm()->idleTimeoutEdit()->setText(QStringLiteral("500ms"));
    start();
    auto client = connectClient();
    ConnectionTableModel *model = m_window->connectionModel();
    QTRY_COMPARE(model->rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 0, 5000);
    QTRY_VERIFY(client->bytesAvailable() >= 9 || client->state() == QAbstractSocket::UnconnectedState);
    QCOMPARE(client->readAll(), bye(1));

    TrafficLogModel *log = m_window->trafficModel();
    auto logHas = [log](const QString &text) {
        for (int r = 0; r < log->rowCount(); ++r) {
            if (log->index(r, TrafficLogModel::DetailColumn).data().toString() == text)
                return true;
        }
        return false;
    };
    // The "closed" row: the reason, then duration and totals.
    auto logStartsWith = [log](const QString &text) {
        for (int r = 0; r < log->rowCount(); ++r) {
            if (log->index(r, TrafficLogModel::DetailColumn).data().toString().startsWith(text))
                return true;
        }
        return false;
    };
    QTRY_VERIFY(logStartsWith(QStringLiteral("idle-timeout · after ")));
    QVERIFY(logHas(QStringLiteral("idle watchdog fired")));
}

void tst_MainWindow::kickClosesWithByeKicked()
{
    start();
    auto client = connectClient();
    auto other = connectClient();
    QTRY_COMPARE(m_window->connectionModel()->rowCount(), 2);
    QTableView *view = m_window->connectionView();
    // Select the row of `client` (sorted by id, either may be first).
    const QString peer = QStringLiteral("127.0.0.1:%1").arg(client->localPort());
    const int row = m_window->connectionProxy()
                        ->match(m_window->connectionProxy()->index(0, ConnectionTableModel::PeerColumn), Qt::DisplayRole,
                                peer, 1, Qt::MatchExactly)
                        .value(0)
                        .row();
    view->selectRow(row);
    QTRY_VERIFY(m_window->kickAction()->isEnabled());
    m_window->kickAction()->trigger();
    QTRY_VERIFY(client->bytesAvailable() >= 9 || client->state() == QAbstractSocket::UnconnectedState);
    QCOMPARE(client->readAll(), bye(7));
    QTRY_COMPARE(m_window->connectionModel()->rowCount(), 1);
    QCOMPARE(m_window->connectionModel()->index(0, ConnectionTableModel::PeerColumn).data().toString(),
             QStringLiteral("127.0.0.1:%1").arg(other->localPort()));
    QCOMPARE(other->state(), QAbstractSocket::ConnectedState);
}

void tst_MainWindow::applyToOpenConnections()
{
    start();
    auto client = connectClient();
    ConnectionTableModel *model = m_window->connectionModel();
    QTRY_COMPARE(model->rowCount(), 1);
    const QModelIndex idle = model->index(0, ConnectionTableModel::IdleLeftColumn);
    QCOMPARE(idle.data(ConnectionTableModel::TotalMsRole).toLongLong(), 30000);
    QLineEdit *edit = m_window->settingsForm()->idleTimeoutEdit();
    edit->setText(QStringLiteral("20s"));
    emit edit->editingFinished();
    // New connections get it at once; the open one keeps 30 s ...
    auto newer = connectClient();
    QTRY_COMPARE(model->rowCount(), 2);
    const int newerRow = model->rowCount() - 1;
    QTRY_COMPARE(model->index(newerRow, ConnectionTableModel::IdleLeftColumn).data(ConnectionTableModel::TotalMsRole).toLongLong(),
                 20000);
    QCOMPARE(model->index(0, ConnectionTableModel::IdleLeftColumn).data(ConnectionTableModel::TotalMsRole).toLongLong(),
             30000);
    // ... until "Apply to Open Connections", which first says what it does.
    m_window->applyToOpenAction()->trigger();
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY((confirm = m_window->findChild<QMessageBox *>(QStringLiteral("applyToOpenConfirmation"))));
    QVERIFY2(confirm->text().contains(QLatin1String("2 open connections")), qPrintable(confirm->text()));
    QVERIFY2(confirm->text().contains(QLatin1String("1 get the new idle timeout")), qPrintable(confirm->text()));
    QCOMPARE(model->index(0, ConnectionTableModel::IdleLeftColumn).data(ConnectionTableModel::TotalMsRole).toLongLong(),
             30000);
    auto *apply = confirm->findChild<QPushButton *>(QStringLiteral("confirmButton"));
    QVERIFY(apply);
    apply->click();
    QTRY_COMPARE(model->index(0, ConnectionTableModel::IdleLeftColumn).data(ConnectionTableModel::TotalMsRole).toLongLong(),
                 20000);
}

void tst_MainWindow::filterAndSortFollowBatches()
{
    start();
    ConnectionFilterProxy *proxy = m_window->connectionProxy();
    m_window->connectionView()->sortByColumn(ConnectionTableModel::MessagesInColumn, Qt::DescendingOrder);
    auto quiet = connectClient();
    QTRY_COMPARE(proxy->rowCount(), 1);
    // The filter names a client whose HELLO has not been sent yet.
    m_window->findChild<QLineEdit *>(QStringLiteral("connectionFilter"))->setText(QStringLiteral("chatty"));
    auto chatty = connectClient();
    QTRY_COMPARE(m_window->connectionModel()->rowCount(), 2);
    QCOMPARE(proxy->rowCount(), 0);
    chatty->write(frame(0x04, R"({"client": "chatty"})") + frame(0x01, "a") + frame(0x01, "b"));
    QTRY_COMPARE(proxy->rowCount(), 1);
    QCOMPARE(proxy->index(0, ConnectionTableModel::ClientColumn).data().toString(), QStringLiteral("chatty"));
    // Without the filter, the busier connection sorts first.
    m_window->findChild<QLineEdit *>(QStringLiteral("connectionFilter"))->clear();
    QTRY_COMPARE(proxy->rowCount(), 2);
    QTRY_COMPARE(proxy->index(0, ConnectionTableModel::ClientColumn).data().toString(), QStringLiteral("chatty"));
}

void tst_MainWindow::trafficLogStaysBounded()
{
    TrafficLogModel *log = m_window->trafficModel();
    log->setCapacity(50);
    int maxRows = 0;
    connect(log, &QAbstractItemModel::rowsInserted, this, [&] { maxRows = std::max(maxRows, log->rowCount()); });
    start();
    auto client = connectClient();
    QByteArray burst;
    for (int i = 0; i < 300; ++i)
        burst += frame(0x01, QByteArray::number(i));
    client->write(burst);
    QTRY_VERIFY(m_window->server().stats().messagesIn >= 300);
    // Echoes come back too: in + out + connect = 601 events, 50 kept.
    QTRY_COMPARE(log->rowCount(), 50);
    QTRY_VERIFY(log->eventAt(49) && log->eventAt(49)->preview == "299");
    QVERIFY(maxRows <= 50);
}

void tst_MainWindow::trafficLogIsInTimeOrder()
{
    start();
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 4; ++i) // ids alternate between the two network threads
        clients.push_back(connectClient());
    QTRY_COMPARE(m_window->connectionModel()->rowCount(), 4);
    for (int round = 0; round < 5; ++round) {
        for (auto &c : clients)
            c->write(frame(0x01, "tick"));
        QTRY_VERIFY(m_window->server().stats().messagesIn >= quint64(4 * (round + 1)));
    }
    TrafficLogModel *log = m_window->trafficModel();
    QTRY_VERIFY(log->rowCount() >= 4 + 20);
    for (int r = 1; r < log->rowCount(); ++r)
        QVERIFY2(log->eventAt(r - 1)->atMs <= log->eventAt(r)->atMs, qPrintable(QString::number(r)));
}

void tst_MainWindow::settingsSurviveRestart()
{
    SettingsForm *form = m_window->settingsForm();
    form->idleTimeoutEdit()->setText(QStringLiteral("7s"));
    form->probeIntervalEdit()->setText(QStringLiteral("2s"));
    form->policyBox()->setCurrentIndex(form->policyBox()->findText(QStringLiteral("short")));
    form->listenEdit()->setText(QStringLiteral("127.0.0.1:7611, 127.0.0.1:7612,proxy"));
    form->lifetimeGraceEdit()->setText(QStringLiteral("3s"));
    form->frameTimeoutEdit()->setText(QStringLiteral("4s"));
    form->drainTimeEdit()->setText(QStringLiteral("20s"));
    // A size that fits the 1366x768 screen comes back as it was.
    m_window->resize(1111, 707);
    QVERIFY(m_window->close());
    m_window.reset();

    createWindow(nullptr); // no command-line config: the saved one
    form = m_window->settingsForm();
    QCOMPARE(form->idleTimeoutEdit()->text(), QStringLiteral("7s"));
    QCOMPARE(form->probeIntervalEdit()->text(), QStringLiteral("2s"));
    QCOMPARE(form->policyBox()->currentText(), QStringLiteral("short"));
    QCOMPARE(form->listenEdit()->text(), QStringLiteral("127.0.0.1:7611, 127.0.0.1:7612,proxy"));
    QCOMPARE(form->lifetimeGraceEdit()->text(), QStringLiteral("3s"));
    QCOMPARE(form->frameTimeoutEdit()->text(), QStringLiteral("4s"));
    QCOMPARE(form->drainTimeEdit()->text(), QStringLiteral("20s"));
    QCOMPARE(m_window->size(), QSize(1111, 707));
}

// No saved geometry: the window opens at its preferred size only where that
// fits, else at most 90 % of the screen, and centred on it; a window taller
// than a laptop's screen hides its status bar and the bottom of the log.
void tst_MainWindow::firstStartFitsTheScreen()
{
    QScreen *screen = m_window->screen();
    QVERIFY(screen);
    const QRect available = screen->availableGeometry();
    const QString sizes = QStringLiteral("%1x%2 on %3x%4").arg(m_window->width()).arg(m_window->height())
                              .arg(available.width()).arg(available.height());
    QVERIFY2(available.contains(m_window->geometry()), qPrintable(sizes));
    // ... and no smaller than it needs to be.
    QVERIFY2(m_window->width() >= std::min(MainWindow::PreferredWidth, available.width() * 8 / 10), qPrintable(sizes));
    QVERIFY2(m_window->height() >= std::min(MainWindow::PreferredHeight, available.height() * 8 / 10), qPrintable(sizes));
}

void tst_MainWindow::invalidSettingsAreRefused()
{
    SettingsForm *form = m_window->settingsForm();
    QSignalSpy validity(form, &SettingsForm::validityChanged);
    form->idleTimeoutEdit()->setText(QStringLiteral("5 parsecs"));
    QVERIFY(!form->isValid());
    QCOMPARE(validity.count(), 1);
    QVERIFY2(form->errorString().startsWith(QStringLiteral("Idle timeout:")), qPrintable(form->errorString()));
    QVERIFY(!m_window->startAction()->isEnabled());
    QVERIFY(!m_window->startServer());
    QVERIFY(!m_window->server().isRunning());
    QCOMPARE(m_window->lastError(), form->errorString());

    form->idleTimeoutEdit()->setText(QStringLiteral("5s"));
    QVERIFY(form->isValid());
    QVERIFY(m_window->startAction()->isEnabled());

    form->listenEdit()->setText(QStringLiteral("example.com:80"));
    QVERIFY(!form->isValid());
    QVERIFY(form->errorString().startsWith(QStringLiteral("Listen on:")));
    form->listenEdit()->setText(QStringLiteral("127.0.0.1:0"));
    // ServerConfig::validate's reasons reach the form too.
    SettingsForm *f = form;
    f->setConfig([] {
        ServerConfig c;
        c.maxPayload = 0;
        return c;
    }());
    QVERIFY(!f->isValid());
    QVERIFY2(f->errorString().contains(QStringLiteral("max-payload")), qPrintable(f->errorString()));
}

void tst_MainWindow::bindErrorIsShown()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    m_window->settingsForm()->listenEdit()->setText(QStringLiteral("127.0.0.1:%1").arg(occupier.serverPort()));
    m_window->startAction()->trigger();
    QVERIFY(!m_window->server().isRunning());
    QVERIFY2(m_window->lastError().contains(QStringLiteral("cannot listen on 127.0.0.1:%1").arg(occupier.serverPort())),
             qPrintable(m_window->lastError()));
    auto *box = m_window->findChild<QMessageBox *>();
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QCOMPARE(box->text(), m_window->lastError());
    QVERIFY(m_window->startAction()->isEnabled());
}

// The embedded server and an attached one (here one that never answers)
// are the same kind of view; the docks show the pages of the tab in front
// and the actions follow what its server can do and is doing.
void tst_MainWindow::oneViewClassForEveryServer()
{
    start();
    auto client = connectClient();
    ServerView *embedded = m_window->currentView();
    QVERIFY(embedded);
    QCOMPARE(m_window->views().size(), 1);
    QCOMPARE(m_window->views().constFirst(), embedded);
    QTRY_COMPARE(embedded->connectionModel()->rowCount(), 1);
    auto *traffic = m_window->findChild<QDockWidget *>(QStringLiteral("trafficDock"));
    auto *stats = m_window->findChild<QDockWidget *>(QStringLiteral("statsDock"));
    auto *details = m_window->findChild<QDockWidget *>(QStringLiteral("detailsDock"));
    QVERIFY(traffic && stats && details);
    QVERIFY(embedded->trafficPanel()->isVisible());
    QVERIFY(stats->isAncestorOf(embedded->statsPanel()));

    ServerView *lost = m_window->attachServer(QStringLiteral("127.0.0.1:1"));
    QVERIFY(lost);
    QCOMPARE(m_window->tabs()->count(), 2);
    QCOMPARE(lost->metaObject(), embedded->metaObject());
    QCOMPARE(m_window->currentView(), lost);
    QVERIFY(lost->trafficPanel()->isVisible());
    QVERIFY(lost->statsPanel()->isVisible());
    QVERIFY(details->isAncestorOf(lost->details()));
    QVERIFY(!embedded->trafficPanel()->isVisible());
    QCOMPARE(m_window->connectionModel(), lost->connectionModel());
    QCOMPARE(m_window->trafficView(), lost->trafficView());
    // Nothing to start, stop or configure there; the banner tells why it is empty.
    QVERIFY(!m_window->startAction()->isEnabled());
    QVERIFY(!m_window->stopAction()->isEnabled());
    QVERIFY(!m_window->applyToOpenAction()->isEnabled());
    QVERIFY(m_window->detachAction()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(lost->bannerText().startsWith(QStringLiteral("Connection lost")), 10000);
    QVERIFY(!lost->connectionView()->isEnabled());
    QTRY_VERIFY(m_window->statusText().startsWith(QStringLiteral("connection lost")));

    // Back on the embedded tab: its pages, its actions, its status line,
    // and its table kept up while it was behind.
    m_window->tabs()->setCurrentIndex(0);
    QVERIFY(embedded->trafficPanel()->isVisible());
    QVERIFY(!lost->trafficPanel()->isVisible());
    QVERIFY(embedded->statsPanel()->isVisible());
    QVERIFY(m_window->stopAction()->isEnabled());
    QVERIFY(!m_window->detachAction()->isEnabled());
    QVERIFY(m_window->statusText().contains(QStringLiteral("Listening on 127.0.0.1:%1").arg(port())));
    QVERIFY(embedded->bannerText().isEmpty());
    auto other = connectClient();
    QTRY_COMPARE(m_window->connectionModel()->rowCount(), 2);

    // The first tab cannot be closed, the attached one can.
    emit m_window->tabs()->tabCloseRequested(0);
    QCOMPARE(m_window->tabs()->count(), 2);
    emit m_window->tabs()->tabCloseRequested(1);
    QCOMPARE(m_window->tabs()->count(), 1);
    QCOMPARE(m_window->currentView(), embedded);
}

void tst_MainWindow::kickMatchingAsksWithTheCount()
{
    start();
    auto a = connectClient(R"({"client": "sensor-1"})");
    auto b = connectClient(R"({"client": "sensor-2"})");
    auto c = connectClient(R"({"client": "gateway"})");
    ConnectionTableModel *model = m_window->connectionModel();
    QTRY_COMPARE(model->rowCount(), 3);
    auto *kickMatching = m_window->findChild<QAction *>(QStringLiteral("kickMatchingAction"));
    QVERIFY(kickMatching);
    QVERIFY(!kickMatching->isEnabled()); // no filter: no bulk kick
    auto named = [model] {
        int n = 0;
        for (int r = 0; r < model->rowCount(); ++r)
            n += model->index(r, ConnectionTableModel::ClientColumn).data().toString() != QLatin1String("-") ? 1 : 0;
        return n;
    };
    QTRY_COMPARE(named(), 3);
    m_window->findChild<QLineEdit *>(QStringLiteral("connectionFilter"))->setText(QStringLiteral("sensor"));
    QTRY_COMPARE(m_window->connectionProxy()->rowCount(), 2);
    QTRY_VERIFY(kickMatching->isEnabled());
    QCOMPARE(kickMatching->text(), QStringLiteral("Kick 2 &Matching Connections…"));
    kickMatching->trigger();
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY((confirm = m_window->findChild<QMessageBox *>(QStringLiteral("kickMatchingConfirmation"))));
    QVERIFY2(confirm->text().startsWith(QLatin1String("Kick 2 of 3 connections")), qPrintable(confirm->text()));
    QCOMPARE(model->rowCount(), 3); // nothing happens before the answer
    confirm->findChild<QPushButton *>(QStringLiteral("confirmButton"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 5000);
    QCOMPARE(model->index(0, ConnectionTableModel::ClientColumn).data().toString(), QStringLiteral("gateway"));
    QTRY_COMPARE(m_window->currentView()->historyModel()->rowCount(), 2);
}

void tst_MainWindow::exportAndEmptyStates()
{
    // The empty table says what to do; a filter that matches nothing says so.
    auto *empty = m_window->findChild<QLabel *>(QStringLiteral("connectionEmptyState"));
    QVERIFY(empty);
    QVERIFY(empty->isVisible());
    QVERIFY2(empty->text().startsWith(QLatin1String("No connections yet")), qPrintable(empty->text()));
    start();
    auto client = connectClient(R"({"client": "sensor-17"})");
    QTRY_COMPARE(m_window->connectionModel()->rowCount(), 1);
    QTRY_VERIFY(!empty->isVisible());
    auto *filter = m_window->findChild<QLineEdit *>(QStringLiteral("connectionFilter"));
    filter->setText(QStringLiteral("nobody"));
    QTRY_VERIFY(empty->isVisible());
    QCOMPARE(empty->text(), QStringLiteral("0 of 1 match \"nobody\""));
    filter->clear();
    QTRY_COMPARE(m_window->connectionProxy()->rowCount(), 1);
    QTRY_COMPARE(m_window->connectionModel()->index(0, ConnectionTableModel::ClientColumn).data().toString(),
                 QStringLiteral("sensor-17"));

    // Export writes what the table shows, CSV or JSON by the suffix.
    const QString csv = m_dir->filePath(QStringLiteral("connections.csv"));
    QString error;
    QVERIFY2(MainWindow::exportTo(*m_window->connectionProxy(), csv, &error), qPrintable(error));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QVERIFY(lines.value(0).startsWith("ID,Peer,Client,"));
    QVERIFY2(lines.value(1).contains(",sensor-17,"), lines.value(1).constData());
    const QString json = m_dir->filePath(QStringLiteral("traffic.json"));
    QVERIFY2(MainWindow::exportTo(*m_window->trafficProxy(), json, &error), qPrintable(error));
    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    QVERIFY(jsonFile.readAll().contains("\"Event\": \"connected\""));
    QVERIFY(!MainWindow::exportTo(*m_window->connectionProxy(), m_dir->filePath(QStringLiteral("no/such/dir.csv")), &error));
    QVERIFY(!error.isEmpty());
}

// Drain… asks for the time, refuses what is not one, and opens the
// progress window that follows the drain to the server's stop.
DrainDialog *tst_MainWindow::openDrainDialog()
{
    auto *drain = m_window->findChild<QAction *>(QStringLiteral("drainAction"));
    if (!drain || !drain->isEnabled())
        return nullptr;
    drain->trigger();
    DrainDialog *ask = nullptr;
    (void)QTest::qWaitFor([&] { return (ask = m_window->findChild<DrainDialog *>(QStringLiteral("drainDialog"))) != nullptr; }, 5000);
    return ask;
}

namespace {
// What a client read up to its close: the GOAWAY's reason and ms, and
// whether the last frame was BYE server-shutdown.
struct DrainSeen
{
    int goAwayReason = -1;
    qint64 goAwayMs = -1;
    bool byeServerShutdown = false;
};

DrainSeen readDrain(const QByteArray &bytes)
{
    DrainSeen seen;
    for (qsizetype at = 0; at + 8 <= bytes.size();) {
        const quint32 length = qFromBigEndian<quint32>(bytes.constData() + at + 4);
        const QByteArray payload = bytes.mid(at + 8, qsizetype(length));
        if (bytes.at(at + 3) == char(0x07) && payload.size() >= 5) {
            seen.goAwayReason = quint8(payload.at(0));
            seen.goAwayMs = qFromBigEndian<quint32>(payload.constData() + 1);
        }
        seen.byeServerShutdown = bytes.at(at + 3) == char(0x06) && payload == QByteArray(1, char(6));
        at += 8 + qsizetype(length);
    }
    return seen;
}
} // namespace

void tst_MainWindow::drainThroughTheAction()
{
    start();
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 3; ++i)
        clients.push_back(connectClient(QByteArrayLiteral(R"({"client": "drained"})")));
    QTRY_COMPARE(m_window->connectionModel()->rowCount(), 3);

    DrainDialog *ask = openDrainDialog();
    QVERIFY(ask);
    QPushButton *ok = ask->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    // Not a time, or no time at all: refused with a reason, nothing starts.
    ask->durationEdit()->setText(QStringLiteral("soon"));
    QVERIFY(!ok->isEnabled());
    ask->durationEdit()->setText(QStringLiteral("0"));
    QVERIFY(!ok->isEnabled());
    QVERIFY(m_window->server().isRunning());
    QVERIFY(!m_window->server().isDraining());
    ask->durationEdit()->setText(QStringLiteral("1500ms"));
    QVERIFY(ok->isEnabled());
    QSignalSpy stopped(&m_window->server(), &Server::stopped);
    ok->click();

    QPointer<DrainProgress> progress;
    QTRY_VERIFY_WITH_TIMEOUT((progress = m_window->findChild<DrainProgress *>(QStringLiteral("drainProgress"))), 5000);
    QVERIFY(m_window->server().isDraining());
    QVERIFY2(progress->text().contains(QLatin1String("left")), qPrintable(progress->text()));
    QTRY_VERIFY(!m_window->findChild<QAction *>(QStringLiteral("drainAction"))->isEnabled());
    QTRY_VERIFY2(m_window->statusText().contains(QLatin1String("Draining")), qPrintable(m_window->statusText()));

    // Every client: GOAWAY server-shutdown within the drain time, then BYE
    // server-shutdown; the server stops when the last is gone.
    for (auto &c : clients)
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), QAbstractSocket::UnconnectedState, 1500 + 5000);
    for (auto &c : clients) {
        const DrainSeen seen = readDrain(c->readAll());
        QCOMPARE(seen.goAwayReason, 6);
        QVERIFY(seen.goAwayMs >= 0 && seen.goAwayMs <= 1500);
        QVERIFY(seen.byeServerShutdown);
    }
    QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 5000);
    // The progress window says so and goes; the server can start again.
    QTRY_VERIFY_WITH_TIMEOUT(progress.isNull(), 5000);
    QTRY_VERIFY(m_window->startAction()->isEnabled());
    QCOMPARE(m_window->connectionModel()->rowCount(), 0);
}

// Stop Now in the progress window is the second SIGTERM: BYE to everyone
// left at once, not at their drawn close times a minute away.
void tst_MainWindow::drainStopNowEndsAtOnce()
{
    start();
    auto client = connectClient(QByteArrayLiteral(R"({"client": "patient"})"));
    QTRY_COMPARE(m_window->connectionModel()->rowCount(), 1);
    DrainDialog *ask = openDrainDialog();
    QVERIFY(ask);
    ask->durationEdit()->setText(QStringLiteral("10m"));
    ask->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QPointer<DrainProgress> progress;
    QTRY_VERIFY_WITH_TIMEOUT((progress = m_window->findChild<DrainProgress *>(QStringLiteral("drainProgress"))), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(client->bytesAvailable() >= 8 + 5, 5000); // the GOAWAY
    QVERIFY(progress->stopNowButton()->isVisible());
    QCOMPARE(progress->percent() < 100, true);
    progress->stopNowButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
    const DrainSeen seen = readDrain(client->readAll());
    QCOMPARE(seen.goAwayReason, 6);
    QVERIFY(seen.goAwayMs <= 10 * 60 * 1000);
    QVERIFY(seen.byeServerShutdown);
    QTRY_VERIFY(!m_window->server().isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(progress.isNull(), 5000);
}

// Closing the window takes the focus from a settings field, and its
// editingFinished reached the window after QMainWindow's own part was gone
// (a crash in statusBar(), seen now and then in cleanup()).
void tst_MainWindow::closingWithAFocusedSettingsField()
{
    start();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QLineEdit *field = nullptr;
    for (QLineEdit *edit : m_window->settingsForm()->findChildren<QLineEdit *>()) {
        if (edit->isEnabled() && edit->isVisible() && !field)
            field = edit;
    }
    QVERIFY(field);
    field->setFocus();
    QTRY_VERIFY(field->hasFocus());
    m_window.reset(); // must not crash
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
