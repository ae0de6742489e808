// "Attach to Server…" in MainWindow against a real `vigild --admin`: the
// attached tab shows rows, kicks remotely, shows and recovers from a lost
// server, reports a rejected token, detaches, is remembered, and the docks
// follow it while it is in front.
#include "attachdialog.h"
#include "connectiontablemodel.h"
#include "feedtext.h"
#include "mainwindow.h"
#include "remoteserversource.h"
#include "serverview.h"
#include "settingsform.h"
#include "connectiondetails.h"
#include "trafficpanel.h"
#include "statspanel.h"
#include "trafficfilterproxy.h"
#include "trafficlogmodel.h"
#include "vigildhelper.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace Vigil;
using namespace VigilTest;

namespace {
// The attached views' sources are vigild's admin clients.
RemoteServerSource *remote(const ServerView *view)
{
    return qobject_cast<RemoteServerSource *>(view->source());
}
} // namespace

class tst_RemoteAttach : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void attachShowsRowsTrafficAndStats();
    void kickFromTheToolbar();
    void lostStateAndReconnect();
    void tokenRejectedThenAccepted();
    void detachClosesTheTab();
    void docksFollowTheCurrentTab();
    void attachedServersAreRemembered();
    void attachDialog();

private:
    void createWindow();
    void startVigild(quint16 adminPort = 0, const QString &tokenFile = QString());
    ServerView *attach(const QString &token = QString(), bool remember = false);
    std::unique_ptr<QTcpSocket> connectClient();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Vigild> m_vigild;
    std::unique_ptr<MainWindow> m_window;
};

void tst_RemoteAttach::init()
{
    if (!VigildHasAdmin)
        QSKIP("vigild is built without its admin endpoint (Qt HttpServer)");
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_vigild = std::make_unique<Vigild>();
    createWindow();
}

void tst_RemoteAttach::cleanup()
{
    m_window.reset();
    m_vigild.reset();
    m_dir.reset();
}

void tst_RemoteAttach::createWindow()
{
    MainWindow::Options options;
    options.settingsPath = m_dir->filePath(QStringLiteral("vigil-monitor.ini"));
    m_window = std::make_unique<MainWindow>(options);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_RemoteAttach::startVigild(quint16 adminPort, const QString &tokenFile)
{
    m_vigild->start(adminPort, tokenFile);
    QTRY_VERIFY_WITH_TIMEOUT(m_vigild->ready(), 10000);
}

ServerView *tst_RemoteAttach::attach(const QString &token, bool remember)
{
    ServerView *view = m_window->attachServer(m_vigild->adminAddress(), token, remember);
    if (view)
        remote(view)->setRetryDelays(200, 1000);
    return view;
}

std::unique_ptr<QTcpSocket> tst_RemoteAttach::connectClient()
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, m_vigild->listenPort);
    return socket;
}

void tst_RemoteAttach::attachShowsRowsTrafficAndStats()
{
    startVigild();
    QCOMPARE(m_window->tabs()->count(), 1);
    QVERIFY(!m_window->detachAction()->isEnabled());
    auto client = connectClient();
    client->write(frame(0x04, R"({"client": "sensor-17"})"));
    client->write(frame(0x01, "hello"));

    ServerView *view = attach();
    QVERIFY(view);
    QCOMPARE(m_window->tabs()->count(), 2);
    QCOMPARE(m_window->tabs()->currentWidget(), view);
    QCOMPARE(m_window->tabs()->tabText(1), m_vigild->adminAddress());
    QVERIFY(m_window->detachAction()->isEnabled());
    // The embedded server's tab is first and cannot be closed.
    QCOMPARE(m_window->tabs()->indexOf(view), 1);

    ConnectionTableModel *model = view->connectionModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(model->index(0, ConnectionTableModel::ClientColumn).data().toString(),
                              QStringLiteral("sensor-17"), 5000);
    QCOMPARE(model->index(0, ConnectionTableModel::PeerColumn).data().toString(),
             QStringLiteral("127.0.0.1:%1").arg(client->localPort()));
    QTRY_COMPARE_WITH_TIMEOUT(model->index(0, ConnectionTableModel::PreviewColumn).data().toString(),
                              QString(), 5000); // the admin API carries no payload previews
    const qint64 idleLeft = model->index(0, ConnectionTableModel::IdleLeftColumn)
                                .data(ConnectionTableModel::RemainingMsRole)
                                .toLongLong();
    QVERIFY2(idleLeft > 60000 && idleLeft <= 120000, QByteArray::number(idleLeft));
    QVERIFY(view->bannerText().isEmpty());
    QVERIFY(view->connectionView()->isEnabled());
    // The embedded server's table is untouched; the window's accessors
    // speak of the tab in front.
    QCOMPARE(m_window->views().constFirst()->connectionModel()->rowCount(), 0);
    QCOMPARE(m_window->connectionModel(), model);

    // Traffic: the connect and the messages, from the event stream.
    TrafficLogModel *log = view->trafficModel();
    QTRY_VERIFY_WITH_TIMEOUT(log->rowCount() >= 3, 5000);
    QCOMPARE(log->index(0, TrafficLogModel::EventColumn).data().toString(), FeedText::eventKind(EventKind::Connected));
    QTRY_VERIFY_WITH_TIMEOUT(view->statusText().contains(QLatin1String("1 connection")), 5000);
    // Its --instance-name, once the stats said it, names the tab and the window.
    QTRY_COMPARE_WITH_TIMEOUT(m_window->tabs()->tabText(1), Vigild::InstanceName + QStringLiteral(" · ") + m_vigild->adminAddress(), 5000);
    QVERIFY2(m_window->windowTitle().startsWith(Vigild::InstanceName + QStringLiteral(" · ")), qPrintable(m_window->windowTitle()));
}

void tst_RemoteAttach::kickFromTheToolbar()
{
    startVigild();
    auto keep = connectClient();
    ServerView *view = attach();
    QTRY_COMPARE_WITH_TIMEOUT(view->connectionModel()->rowCount(), 1, 5000);
    auto victim = connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(view->connectionModel()->rowCount(), 2, 5000);
    QByteArray received;
    connect(victim.get(), &QTcpSocket::readyRead, this, [&] { received += victim->readAll(); });

    // Select the victim's row through the view's (sorted) proxy.
    const QString peer = QStringLiteral("127.0.0.1:%1").arg(victim->localPort());
    QAbstractItemModel *proxy = view->connectionView()->model();
    int row = -1;
    for (int r = 0; r < proxy->rowCount(); ++r) {
        if (proxy->index(r, ConnectionTableModel::PeerColumn).data().toString() == peer)
            row = r;
    }
    QVERIFY(row >= 0);
    QVERIFY(!m_window->kickAction()->isEnabled());
    view->connectionView()->selectRow(row);
    QTRY_VERIFY(m_window->kickAction()->isEnabled());
    // "Show Traffic" narrows this server's log to the selected connection.
    auto *showTraffic = m_window->findChild<QAction *>(QStringLiteral("showTrafficAction"));
    QVERIFY(showTraffic && showTraffic->isEnabled());
    showTraffic->trigger();
    QCOMPARE(m_window->trafficProxy()->connection(), view->selectedConnections().value(0));
    QVERIFY(m_window->trafficProxy()->connection() != 0);
    m_window->kickAction()->trigger();

    QTRY_VERIFY_WITH_TIMEOUT(received.contains(byeKicked()), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(victim->state(), QAbstractSocket::UnconnectedState, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(view->connectionModel()->rowCount(), 1, 5000);
    QCOMPARE(view->connectionModel()->index(0, ConnectionTableModel::PeerColumn).data().toString(),
             QStringLiteral("127.0.0.1:%1").arg(keep->localPort()));
    QCOMPARE(keep->state(), QAbstractSocket::ConnectedState);
    QVERIFY(view->lastKickError().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(view->source()->lastStats().closesFor(CloseReason::Kicked), 1u, 5000);

    // A kick the server refuses (already closed: 404) is reported.
    QSignalSpy failed(view, &ServerView::kickFailed);
    QVERIFY(failed.isValid());
    view->source()->kick(999999);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
    QVERIFY2(view->lastKickError().contains(QLatin1String("not open")), qPrintable(view->lastKickError()));
}

void tst_RemoteAttach::lostStateAndReconnect()
{
    const quint16 adminPort = freePort();
    QVERIFY(adminPort != 0);
    startVigild(adminPort);
    auto client = connectClient();
    ServerView *view = attach();
    QTRY_COMPARE_WITH_TIMEOUT(view->connectionModel()->rowCount(), 1, 5000);

    m_vigild->stop();
    QTRY_VERIFY_WITH_TIMEOUT(view->bannerText().startsWith(QStringLiteral("Connection lost — retrying in ")), 10000);
    QVERIFY(!view->connectionView()->isEnabled()); // greyed
    QTRY_VERIFY_WITH_TIMEOUT(!m_vigild->running(), 5000);
    QVERIFY(m_window->tabs()->tabBar()->tabTextColor(1) != QColor());

    m_vigild = std::make_unique<Vigild>();
    startVigild(adminPort);
    auto again = connectClient();
    QTRY_VERIFY_WITH_TIMEOUT(view->bannerText().isEmpty(), 10000);
    QVERIFY(view->connectionView()->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(view->connectionModel()->rowCount(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(view->connectionModel()->index(0, ConnectionTableModel::PeerColumn).data().toString(),
                              QStringLiteral("127.0.0.1:%1").arg(again->localPort()), 5000);
}

void tst_RemoteAttach::tokenRejectedThenAccepted()
{
    const QString tokenFile = m_dir->filePath(QStringLiteral("token"));
    QFile file(tokenFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("  open-sesame \n");
    file.close();
    startVigild(0, tokenFile);

    ServerView *view = attach(QStringLiteral("wrong"));
    QTRY_VERIFY_WITH_TIMEOUT(view->bannerText().startsWith(QLatin1String("Token rejected")), 5000);
    QVERIFY(!view->connectionView()->isEnabled());

    // Attaching the same address with another token replaces the tab.
    auto client = connectClient();
    view = attach(QStringLiteral("open-sesame"));
    QCOMPARE(m_window->tabs()->count(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(view->connectionModel()->rowCount(), 1, 5000);
    QVERIFY(view->bannerText().isEmpty());
}

void tst_RemoteAttach::detachClosesTheTab()
{
    startVigild();
    ServerView *view = attach();
    QPointer<ServerView> guard(view);
    QPointer<ServerSource> source(view->source());
    QCOMPARE(m_window->tabs()->count(), 2);
    // Attaching the same address again just shows its tab.
    QCOMPARE(attach(), view);
    QCOMPARE(m_window->tabs()->count(), 2);
    m_window->tabs()->setCurrentIndex(0);
    QVERIFY(!m_window->detachAction()->isEnabled());
    m_window->tabs()->setCurrentIndex(1);
    m_window->detachAction()->trigger();
    QCOMPARE(m_window->tabs()->count(), 1);
    QTRY_VERIFY(guard.isNull());
    QVERIFY(source.isNull());
    // The close button of a tab detaches too.
    view = attach();
    QCOMPARE(m_window->tabs()->count(), 2);
    emit m_window->tabs()->tabCloseRequested(1);
    QCOMPARE(m_window->tabs()->count(), 1);
    // The embedded tab has no close button and ignores the request.
    emit m_window->tabs()->tabCloseRequested(0);
    QCOMPARE(m_window->tabs()->count(), 1);
}

// One view class for every server: the docks show the pages of the tab in
// front, a dock the user hid stays hidden, and the actions follow what the
// server in front can do.
void tst_RemoteAttach::docksFollowTheCurrentTab()
{
    startVigild();
    auto *traffic = m_window->findChild<QDockWidget *>(QStringLiteral("trafficDock"));
    auto *stats = m_window->findChild<QDockWidget *>(QStringLiteral("statsDock"));
    auto *details = m_window->findChild<QDockWidget *>(QStringLiteral("detailsDock"));
    auto *settings = m_window->findChild<QDockWidget *>(QStringLiteral("settingsDock"));
    QVERIFY(traffic && stats && details && settings);
    stats->hide(); // the user's choice survives the round trip
    QVERIFY(traffic->isVisible());
    QVERIFY(m_window->startAction()->isEnabled());
    ServerView *embedded = m_window->currentView();
    QVERIFY(embedded);
    QVERIFY(traffic->isAncestorOf(embedded->trafficPanel()));
    QVERIFY(embedded->trafficPanel()->isVisible());

    ServerView *view = attach();
    QCOMPARE(m_window->tabs()->widget(0)->metaObject(), view->metaObject());
    QCOMPARE(m_window->currentView(), view);
    QVERIFY(traffic->isVisible());
    QVERIFY(!stats->isVisible());
    QVERIFY(traffic->isAncestorOf(view->trafficPanel()));
    QVERIFY(stats->isAncestorOf(view->statsPanel()));
    QVERIFY(details->isAncestorOf(view->details()));
    QVERIFY(view->trafficPanel()->isVisible());
    QVERIFY(!embedded->trafficPanel()->isVisible());
    QCOMPARE(m_window->trafficView(), view->trafficView());
    QVERIFY(!m_window->startAction()->isEnabled()); // vigild is not started from here
    QVERIFY(!m_window->applyToOpenAction()->isEnabled());
    // Its settings are its own: the form steps aside for a note.
    auto *note = m_window->findChild<QLabel *>(QStringLiteral("noSettingsLabel"));
    QVERIFY(note);
    QVERIFY(note->isVisible());
    QVERIFY(!m_window->settingsForm()->isVisible());
    auto *status = m_window->findChild<QLabel *>(QStringLiteral("serverStatusLabel"));
    QVERIFY(status);
    const QString attached = QStringLiteral("attached to %1").arg(m_vigild->adminAddress());
    QTRY_VERIFY_WITH_TIMEOUT(status->text().startsWith(attached), 5000);
    QVERIFY(view->isVisible());

    m_window->tabs()->setCurrentIndex(0);
    QVERIFY(traffic->isVisible());
    QVERIFY(!stats->isVisible());
    QVERIFY(embedded->trafficPanel()->isVisible());
    QVERIFY(!view->trafficPanel()->isVisible());
    QVERIFY(m_window->settingsForm()->isVisible());
    QVERIFY(m_window->startAction()->isEnabled());
    QVERIFY(m_window->statusText().contains(QLatin1String("Stopped")));
}

void tst_RemoteAttach::attachedServersAreRemembered()
{
    startVigild();
    m_window->attachServer(QStringLiteral("127.0.0.1:1"), QStringLiteral("forget-me"), false);
    m_window->attachServer(m_vigild->adminAddress(), QStringLiteral("keep-me"), true);
    m_window->close();
    m_window.reset();

    // The token is stored only where the user ticked "remember".
    {
        QSettings settings(m_dir->filePath(QStringLiteral("vigil-monitor.ini")), QSettings::IniFormat);
        const QString all = settings.allKeys().join(QLatin1Char(' '));
        QVERIFY2(!all.isEmpty(), "nothing saved");
        bool forgotten = true;
        const int n = settings.beginReadArray(QStringLiteral("attached"));
        for (int i = 0; i < n; ++i) {
            settings.setArrayIndex(i);
            if (settings.value(QStringLiteral("token")).toString() == QLatin1String("forget-me"))
                forgotten = false;
        }
        settings.endArray();
        QCOMPARE(n, 2);
        QVERIFY(forgotten);
    }

    createWindow();
    const QList<ServerView *> views = m_window->attachedViews();
    QCOMPARE(views.size(), 2);
    QCOMPARE(remote(views.at(0))->address(), QStringLiteral("127.0.0.1:1"));
    QCOMPARE(remote(views.at(0))->token(), QString());
    QCOMPARE(remote(views.at(1))->address(), m_vigild->adminAddress());
    QCOMPARE(remote(views.at(1))->token(), QStringLiteral("keep-me"));
    // The embedded server stays in front after a restart.
    QCOMPARE(m_window->tabs()->currentIndex(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(views.at(1)->source()->state(), ServerSource::State::Connected, 5000);
}

void tst_RemoteAttach::attachDialog()
{
    startVigild();
    m_window->attachAction()->trigger();
    auto *dialog = m_window->findChild<AttachDialog *>(QStringLiteral("attachDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    dialog->setAddress(QStringLiteral("not an address"));
    QVERIFY(!ok->isEnabled());
    dialog->setAddress(m_vigild->adminAddress());
    QVERIFY(ok->isEnabled());
    ok->click();
    QCOMPARE(m_window->tabs()->count(), 2);
    QCOMPARE(remote(m_window->attachedViews().constFirst())->address(), m_vigild->adminAddress());
}

QTEST_MAIN(tst_RemoteAttach)
#include "tst_remoteattach.moc"
