// ServerView over real sources: an EmbeddedServerSource on 127.0.0.1:0 with
// real QTcpSocket clients (rows, status line, kick, stop empties the
// table), a RemoteServerSource to a port nobody answers (banner, greyed
// table), and the dock pages that go with the view wherever they live.
#include "connectiondetails.h"
#include "connectiontablemodel.h"
#include "embeddedserversource.h"
#include "remoteserversource.h"
#include "serverview.h"
#include "statspanel.h"
#include "trafficlogmodel.h"
#include "trafficpanel.h"
#include "vigildhelper.h"

#include <QPointer>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTableView>
#include <QTcpSocket>
#include <QTest>
#include <memory>

using namespace Vigil;
using namespace VigilTest;

class tst_ServerView : public QObject
{
    Q_OBJECT

private slots:
    void embeddedRowsKickAndStop();
    void lostContactShowsBannerAndGreys();
    void pagesGoWithTheView();
};

void tst_ServerView::embeddedRowsKickAndStop()
{
    auto *source = new EmbeddedServerSource;
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.idleTimeoutMs = 30000;
    source->applyConfig(config, false);
    source->setWatched(true);
    ServerView view(source);
    view.show();
    QCOMPARE(view.statusText(), QStringLiteral("Stopped"));
    QVERIFY(view.bannerText().isEmpty()); // stopped is not trouble
    QVERIFY(view.connectionView()->isEnabled());

    QVERIFY(source->start());
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, source->server().boundAddresses().value(0).port);
    client.write(frame(0x04, R"({"client": "sensor-17"})"));
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->rowCount(), 1, 5000);
    QTRY_COMPARE(view.connectionModel()->index(0, ConnectionTableModel::ClientColumn).data().toString(),
                 QStringLiteral("sensor-17"));
    QTRY_VERIFY_WITH_TIMEOUT(view.statusText().contains(QLatin1String("1 connection")), 5000);
    QVERIFY(view.statusText().startsWith(QLatin1String("Listening on 127.0.0.1:")));
    QTRY_VERIFY_WITH_TIMEOUT(view.trafficModel()->rowCount() >= 2, 5000); // connected, hello

    // Selecting fills the details page; a kick closes with BYE kicked.
    view.connectionView()->selectRow(0);
    QTRY_VERIFY(view.details()->text().contains(QLatin1String("sensor-17")));
    QByteArray received;
    connect(&client, &QTcpSocket::readyRead, this, [&] { received += client.readAll(); });
    view.kickSelected();
    QTRY_VERIFY_WITH_TIMEOUT(received.contains(byeKicked()), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->rowCount(), 0, 5000);
    QVERIFY(view.lastKickError().isEmpty());

    // Another client, then Stop: every connection got its BYE, the table empties.
    QTcpSocket other;
    other.connectToHost(QHostAddress::LocalHost, source->server().boundAddresses().value(0).port);
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->rowCount(), 1, 5000);
    source->stop();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), ServerSource::State::Stopped, 5000);
    QCOMPARE(view.connectionModel()->rowCount(), 0);
    QCOMPARE(view.statusText(), QStringLiteral("Stopped"));
    QVERIFY(view.bannerText().isEmpty());
}

void tst_ServerView::lostContactShowsBannerAndGreys()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    auto *source = new RemoteServerSource(QStringLiteral("127.0.0.1:%1").arg(port));
    source->setRetryDelays(200, 1000);
    ServerView view(source);
    view.show();
    QVERIFY(source->start());
    QTRY_VERIFY_WITH_TIMEOUT(view.bannerText().startsWith(QLatin1String("Connection lost")), 10000);
    QVERIFY(!view.connectionView()->isEnabled());
    QVERIFY(view.statusText().startsWith(QLatin1String("connection lost")));
    // Kicks go to the source, whose refusal is reported.
    QSignalSpy failed(&view, &ServerView::kickFailed);
    source->kick(1);
    QVERIFY(failed.wait(10000));
    QVERIFY(!view.lastKickError().isEmpty());
}

void tst_ServerView::pagesGoWithTheView()
{
    auto view = std::make_unique<ServerView>(new EmbeddedServerSource);
    QStackedWidget dock; // where a window would put the pages
    dock.addWidget(view->trafficPanel());
    dock.addWidget(view->statsPanel());
    dock.addWidget(view->details());
    QPointer<QWidget> traffic(view->trafficPanel());
    QPointer<QWidget> stats(view->statsPanel());
    QPointer<QWidget> details(view->details());
    QCOMPARE(dock.count(), 3);
    view.reset();
    QVERIFY(traffic.isNull());
    QVERIFY(stats.isNull());
    QVERIFY(details.isNull());
    QCOMPARE(dock.count(), 0);
}

QTEST_MAIN(tst_ServerView)
#include "tst_serverview.moc"
