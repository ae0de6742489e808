// "Attach to Fleet…" in MainWindow against two real `vigild --admin`: the
// Summary page's rows, one table of both instances' connections with an
// Instance column, filter and Kick Matching across the instances, a lost
// instance shown down while the other stays live, the fleet remembered.
#include "closedconnectionmodel.h"
#include "connectiondetails.h"
#include "connectionfilterproxy.h"
#include "connectiontablemodel.h"
#include "fleetdialog.h"
#include "fleetsource.h"
#include "fleetsummarymodel.h"
#include "fleetsummarypanel.h"
#include "mainwindow.h"
#include "remoteserversource.h"
#include "serverview.h"
#include "vigildhelper.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace Vigil;
using namespace VigilTest;

class tst_FleetView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void summaryAndMergedTable();
    void filterAndKickMatchingAcrossInstances();
    void lostInstanceIsDown();
    void fleetIsRemembered();
    void fleetDialog();

private:
    void createWindow();
    ServerView *attachFleet(const QString &token = QString(), bool remember = false);
    std::unique_ptr<QTcpSocket> connectClient(const Vigild &vigild, const QByteArray &name);
    QString summaryCell(ServerView *view, int row, int column) const
    {
        return view->fleetSummary()->model()->index(row, column).data().toString();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Vigild> m_a;
    std::unique_ptr<Vigild> m_b;
    std::unique_ptr<MainWindow> m_window;
};

void tst_FleetView::init()
{
    if (!VigildHasAdmin)
        QSKIP("vigild is built without its admin endpoint (Qt HttpServer)");
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_a = std::make_unique<Vigild>();
    m_b = std::make_unique<Vigild>();
    m_a->start(0, QString(), QStringLiteral("edge-a"));
    m_b->start(0, QString(), QStringLiteral("edge-b"));
    QTRY_VERIFY_WITH_TIMEOUT(m_a->ready() && m_b->ready(), 10000);
    createWindow();
}

void tst_FleetView::cleanup()
{
    m_window.reset();
    m_a.reset();
    m_b.reset();
    m_dir.reset();
}

void tst_FleetView::createWindow()
{
    MainWindow::Options options;
    options.settingsPath = m_dir->filePath(QStringLiteral("vigil-monitor.ini"));
    m_window = std::make_unique<MainWindow>(options);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

ServerView *tst_FleetView::attachFleet(const QString &token, bool remember)
{
    ServerView *view = m_window->attachFleet(QStringLiteral("edge"), {m_a->adminAddress(), m_b->adminAddress()},
                                             token, remember);
    if (view) {
        auto *fleet = qobject_cast<FleetSource *>(view->source());
        for (int i = 0; i < 2; ++i)
            fleet->member(i)->setRetryDelays(200, 1000);
    }
    return view;
}

std::unique_ptr<QTcpSocket> tst_FleetView::connectClient(const Vigild &vigild, const QByteArray &name)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, vigild.listenPort);
    socket->write(frame(0x04, R"({"client": ")" + name + R"("})"));
    socket->write(frame(0x01, "hello"));
    return socket;
}

void tst_FleetView::summaryAndMergedTable()
{
    auto a1 = connectClient(*m_a, "sensor-a1");
    auto b1 = connectClient(*m_b, "sensor-b1");
    auto b2 = connectClient(*m_b, "sensor-b2");
    ServerView *view = attachFleet();
    QVERIFY(view);
    QCOMPARE(m_window->tabs()->count(), 2);
    QCOMPARE(m_window->tabs()->tabText(1), QStringLiteral("Fleet edge"));
    QVERIFY(view->fleetPages());
    QCOMPARE(view->fleetPages()->tabText(0), QStringLiteral("Summary"));
    QCOMPARE(view->fleetPages()->currentIndex(), 0);

    // Summary: one row per instance, named once it said, and the Total.
    FleetSummaryModel *summary = view->fleetSummary()->model();
    QCOMPARE(summary->rowCount(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(summaryCell(view, 0, FleetSummaryModel::InstanceColumn), QStringLiteral("edge-a"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(summaryCell(view, 1, FleetSummaryModel::InstanceColumn), QStringLiteral("edge-b"), 5000);
    QCOMPARE(summaryCell(view, 0, FleetSummaryModel::AddressColumn), m_a->adminAddress());
    QTRY_COMPARE_WITH_TIMEOUT(summaryCell(view, 0, FleetSummaryModel::ConnectionsColumn), QStringLiteral("1"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(summaryCell(view, 1, FleetSummaryModel::ConnectionsColumn), QStringLiteral("2"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(summaryCell(view, 2, FleetSummaryModel::ConnectionsColumn), QStringLiteral("3"), 5000);
    QCOMPARE(summaryCell(view, 0, FleetSummaryModel::StateColumn), QStringLiteral("up"));
    QCOMPARE(summaryCell(view, 2, FleetSummaryModel::StateColumn), QStringLiteral("2 of 2 up"));

    // The merged table: every connection once, its instance beside it, the
    // vigild's own id in the ID column (both have an id 1).
    ConnectionTableModel *model = view->connectionModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 5000);
    QVERIFY(!view->connectionView()->horizontalHeader()->isSectionHidden(ConnectionTableModel::InstanceColumn));
    QTRY_VERIFY_WITH_TIMEOUT(model->index(0, ConnectionTableModel::ClientColumn).data().toString() != QLatin1String("-")
                                 && model->index(2, ConnectionTableModel::ClientColumn).data().toString() != QLatin1String("-"),
                             5000);
    QMap<QString, QString> instanceOf;
    int ones = 0;
    for (int r = 0; r < model->rowCount(); ++r) {
        instanceOf[model->index(r, ConnectionTableModel::ClientColumn).data().toString()] =
            model->index(r, ConnectionTableModel::InstanceColumn).data().toString();
        ones += model->index(r, ConnectionTableModel::IdColumn).data().toString() == QLatin1String("1") ? 1 : 0;
    }
    // Beside the ID, whatever the saved header of the first tab says.
    QCOMPARE(view->connectionView()->horizontalHeader()->visualIndex(ConnectionTableModel::InstanceColumn),
             view->connectionView()->horizontalHeader()->visualIndex(ConnectionTableModel::IdColumn) + 1);
    // The details pane names the vigild's own id and the instance.
    view->fleetPages()->setCurrentIndex(1);
    view->connectionView()->selectRow(0);
    const QString details = view->details()->findChild<QLabel *>(QStringLiteral("detailsSummary"))->toolTip();
    QVERIFY2(details.contains(QStringLiteral("Connection: ") + model->index(0, ConnectionTableModel::IdColumn).data().toString() + QLatin1Char('\n'))
                 && details.contains(QStringLiteral("Instance: edge-")),
             qPrintable(details));
    view->fleetPages()->setCurrentIndex(0);
    QCOMPARE(instanceOf.value(QStringLiteral("sensor-a1")), QStringLiteral("edge-a"));
    QCOMPARE(instanceOf.value(QStringLiteral("sensor-b2")), QStringLiteral("edge-b"));
    QCOMPARE(ones, 2);

    // Double-clicking an instance shows its connections.
    QTableView *summaryView = view->fleetSummary()->view();
    const QRect cell = summaryView->visualRect(summary->index(1, 0));
    QVERIFY(cell.isValid());
    QTest::mouseClick(summaryView->viewport(), Qt::LeftButton, {}, cell.center());
    QTest::mouseDClick(summaryView->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(view->fleetPages()->currentIndex(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(view->connectionProxy()->rowCount(), 2, 3000);
    // --show-tab's way to the front: a tab, and a fleet's page.
    m_window->showTab(0);
    QCOMPARE(m_window->tabs()->currentIndex(), 0);
    m_window->showTab(1, QStringLiteral("summary"));
    QCOMPARE(m_window->currentView(), view);
    QCOMPARE(view->fleetPages()->currentIndex(), 0);
    m_window->showTab(1, QStringLiteral("connections"));
    QCOMPARE(view->fleetPages()->currentIndex(), 1);
    m_window->showTab(7); // no such tab: nothing changes
    QCOMPARE(m_window->currentView(), view);
    // The window's status line speaks of the fleet.
    QVERIFY2(m_window->statusText().contains(QStringLiteral("2 of 2 instances up")), qPrintable(m_window->statusText()));
}

void tst_FleetView::filterAndKickMatchingAcrossInstances()
{
    auto a1 = connectClient(*m_a, "sensor-1");
    auto a2 = connectClient(*m_a, "gateway-a");
    auto b1 = connectClient(*m_b, "sensor-2");
    auto b2 = connectClient(*m_b, "sensor-3");
    ServerView *view = attachFleet();
    ConnectionTableModel *model = view->connectionModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 4, 5000);
    auto named = [model] {
        int n = 0;
        for (int r = 0; r < model->rowCount(); ++r)
            n += model->index(r, ConnectionTableModel::ClientColumn).data().toString() != QLatin1String("-") ? 1 : 0;
        return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(named(), 4, 5000);
    view->fleetPages()->setCurrentIndex(1);
    QLineEdit *filter = nullptr;
    for (QLineEdit *edit : view->findChildren<QLineEdit *>()) {
        if (edit->objectName() == QLatin1String("connectionFilter"))
            filter = edit;
    }
    QVERIFY(filter);
    // Sorting by instance groups the rows by fleet order.
    view->connectionView()->sortByColumn(ConnectionTableModel::InstanceColumn, Qt::AscendingOrder);
    QTRY_COMPARE(view->connectionProxy()->index(0, ConnectionTableModel::InstanceColumn).data().toString(),
                 QStringLiteral("edge-a"));
    QCOMPARE(view->connectionProxy()->index(3, ConnectionTableModel::InstanceColumn).data().toString(),
             QStringLiteral("edge-b"));

    filter->setText(QStringLiteral("sensor"));
    QTRY_COMPARE_WITH_TIMEOUT(view->connectionProxy()->rowCount(), 3, 3000);
    QCOMPARE(view->matchingConnectionCount(), 3);
    auto *kickMatching = m_window->findChild<QAction *>(QStringLiteral("kickMatchingAction"));
    QTRY_VERIFY(kickMatching->isEnabled());
    QCOMPARE(kickMatching->text(), QStringLiteral("Kick 3 &Matching Connections…"));
    kickMatching->trigger();
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY((confirm = m_window->findChild<QMessageBox *>(QStringLiteral("kickMatchingConfirmation"))));
    QVERIFY2(confirm->text().startsWith(QLatin1String("Kick 3 of 4 connections")), qPrintable(confirm->text()));
    confirm->findChild<QPushButton *>(QStringLiteral("confirmButton"))->click();
    // Each kick reached the vigild that holds the connection.
    for (QTcpSocket *kicked : {a1.get(), b1.get(), b2.get()})
        QTRY_VERIFY_WITH_TIMEOUT(kicked->readAll().contains(byeKicked()) || kicked->state() == QAbstractSocket::UnconnectedState, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 5000);
    QCOMPARE(model->index(0, ConnectionTableModel::ClientColumn).data().toString(), QStringLiteral("gateway-a"));
    QCOMPARE(a2->state(), QAbstractSocket::ConnectedState);
    QVERIFY(view->lastKickError().isEmpty());
    // The history keeps them, with the instance's own ids.
    QTRY_COMPARE_WITH_TIMEOUT(view->historyModel()->rowCount(), 3, 5000);
}

void tst_FleetView::lostInstanceIsDown()
{
    auto a1 = connectClient(*m_a, "a1");
    auto b1 = connectClient(*m_b, "b1");
    ServerView *view = attachFleet();
    QTRY_COMPARE_WITH_TIMEOUT(summaryCell(view, 2, FleetSummaryModel::ConnectionsColumn), QStringLiteral("2"), 5000);
    m_b->stop();
    QTRY_VERIFY_WITH_TIMEOUT(summaryCell(view, 1, FleetSummaryModel::StateColumn).startsWith(QStringLiteral("down: ")), 10000);
    QCOMPARE(summaryCell(view, 1, FleetSummaryModel::ConnectionsColumn), QStringLiteral("—"));
    QCOMPARE(summaryCell(view, 2, FleetSummaryModel::StateColumn), QStringLiteral("1 of 2 up"));
    QTRY_COMPARE_WITH_TIMEOUT(summaryCell(view, 2, FleetSummaryModel::ConnectionsColumn), QStringLiteral("1"), 5000);
    // The table stays live on the instance that answers: no banner, no grey.
    QCOMPARE(view->source()->state(), ServerSource::State::Connected);
    QVERIFY(view->connectionView()->isEnabled());
    QVERIFY(view->bannerText().isEmpty());
    QVERIFY2(m_window->statusText().contains(QStringLiteral("1 of 2 instances up")), qPrintable(m_window->statusText()));
}

void tst_FleetView::fleetIsRemembered()
{
    attachFleet(QStringLiteral("fleet-token"), true);
    m_window->attachFleet(QStringLiteral("other"), {QStringLiteral("127.0.0.1:1")}, QStringLiteral("forget-me"), false);
    m_window->close();
    m_window.reset();
    {
        QSettings settings(m_dir->filePath(QStringLiteral("vigil-monitor.ini")), QSettings::IniFormat);
        const int n = settings.beginReadArray(QStringLiteral("fleets"));
        QCOMPARE(n, 2);
        settings.setArrayIndex(1);
        QVERIFY(settings.value(QStringLiteral("token")).toString().isEmpty()); // not remembered
        settings.endArray();
    }
    createWindow();
    const QList<ServerView *> views = m_window->attachedViews();
    QCOMPARE(views.size(), 2);
    auto *fleet = qobject_cast<FleetSource *>(views.at(0)->source());
    QVERIFY(fleet);
    QCOMPARE(fleet->name(), QStringLiteral("edge"));
    QCOMPARE(fleet->addresses(), (QStringList{m_a->adminAddress(), m_b->adminAddress()}));
    QCOMPARE(fleet->token(), QStringLiteral("fleet-token"));
    QCOMPARE(qobject_cast<FleetSource *>(views.at(1)->source())->token(), QString());
    // The same fleet again switches to its tab instead of opening another.
    m_window->attachFleet(QStringLiteral("edge"), {m_a->adminAddress(), m_b->adminAddress()}, QStringLiteral("fleet-token"));
    QCOMPARE(m_window->attachedViews().size(), 2);
    QCOMPARE(m_window->currentView(), views.at(0));
    // Detach forgets it.
    m_window->detachServer(views.at(1));
    QCOMPARE(m_window->attachedViews().size(), 1);
}

void tst_FleetView::fleetDialog()
{
    m_window->attachFleetAction()->trigger();
    auto *dialog = m_window->findChild<FleetDialog *>(QStringLiteral("fleetDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    auto *problem = dialog->findChild<QLabel *>(QStringLiteral("fleetProblem"));
    QVERIFY(!ok->isEnabled());
    QCOMPARE(problem->text(), QStringLiteral("Give the fleet a name."));
    dialog->setName(QStringLiteral("edge"));
    QVERIFY(!ok->isEnabled());
    dialog->setAddresses({m_a->adminAddress(), QStringLiteral("localhost"), m_b->adminAddress()});
    QVERIFY(!ok->isEnabled());
    QCOMPARE(problem->text(), QStringLiteral("\"localhost\" is not HOST:PORT."));
    QStringList tooMany;
    for (int i = 0; i <= FleetSource::MaxInstances; ++i)
        tooMany << QStringLiteral("127.0.0.1:%1").arg(9000 + i);
    dialog->setAddresses(tooMany);
    QVERIFY(!ok->isEnabled());
    QVERIFY2(problem->text().contains(QStringLiteral("at most 32")), qPrintable(problem->text()));
    // Blank lines and repeats do not count.
    dialog->setAddresses({m_a->adminAddress(), QString(), m_b->adminAddress(), m_a->adminAddress()});
    QVERIFY(ok->isEnabled());
    QCOMPARE(problem->text(), QString());
    QCOMPARE(dialog->addresses(), (QStringList{m_a->adminAddress(), m_b->adminAddress()}));
    ok->click();
    QCOMPARE(m_window->attachedViews().size(), 1);
    auto *fleet = qobject_cast<FleetSource *>(m_window->attachedViews().constFirst()->source());
    QVERIFY(fleet);
    QCOMPARE(fleet->members().size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(fleet->upCount(), 2, 5000);
}

QTEST_MAIN(tst_FleetView)
#include "tst_fleetview.moc"
