// ServerView over real sources: an EmbeddedServerSource on 127.0.0.1:0 with
// real QTcpSocket clients (rows, status line, kick, stop empties the
// table), a RemoteServerSource to a port nobody answers (banner, greyed
// table), and the dock pages that go with the view wherever they live.
#include "closedconnectionmodel.h"
#include "connectiondetails.h"
#include "connectiontablemodel.h"
#include "embeddedserversource.h"
#include "historypanel.h"
#include "payloaddialog.h"
#include "remoteserversource.h"
#include "serverview.h"
#include "tlsfiles.h"
#include "statspanel.h"
#include "trafficfilterproxy.h"
#include "trafficlogmodel.h"
#include "trafficpanel.h"
#include "vigildhelper.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QSslCipher>
#include <QSslSocket>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QHeaderView>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <memory>

using namespace Vigil;
using namespace VigilTest;

// An embedded server's source with config, watched (it publishes) but
// not started; the ServerView given it owns it.
static EmbeddedServerSource *watchedSource(const ServerConfig &config)
{
    auto *source = new EmbeddedServerSource;
    source->applyConfig(config, false);
    source->setWatched(true);
    return source;
}

class tst_ServerView : public QObject
{
    Q_OBJECT

private slots:
    void embeddedRowsKickAndStop();
    void lostContactShowsBannerAndGreys();
    void pagesGoWithTheView();
    void closedRowStaysInHistory();
    void givenUpBannerOffersRetry();
    void copiesWholeLogRows();
    void detailsShowRateAndProbeRoundTrip();
    void inspectorShowsWhatTheLogKeeps();
    void forwardModeShowsTheUpstream();
    void proxiedRowsShowTheClientAndTheProxy();
    void tlsRowsShowVersionAndCipher();
};

void tst_ServerView::embeddedRowsKickAndStop()
{
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.idleTimeoutMs = 30000;
    auto *source = watchedSource(config);
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

void tst_ServerView::closedRowStaysInHistory()
{
    // A selected connection that closes keeps its details, now with its
    // reason and totals; the history and the log's "closed" row keep them.
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.idleTimeoutMs = 30000;
    auto *source = watchedSource(config);
    ServerView view(source);
    view.show();
    view.details()->show();
    QVERIFY(source->start());
    const quint16 port = source->server().boundAddresses().value(0).port;

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    client.write(frame(0x04, R"({"client": "sensor-17"})"));
    for (int i = 0; i < 3; ++i)
        client.write(frame(0x01, "reading 21.5"));
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->rowCount(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->index(0, ConnectionTableModel::MessagesInColumn).data().toString(),
                              QStringLiteral("4"), 5000);
    const quint64 id = view.connectionModel()->index(0, 0).data(ConnectionTableModel::IdRole).toULongLong();
    view.connectionView()->selectRow(0);
    QTRY_VERIFY(view.details()->text().contains(QLatin1String("sensor-17")));

    // The client says goodbye: BYE normal (11), then closes.
    client.write(frame(0x06, QByteArray(1, char(11))));
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->rowCount(), 0, 5000);

    // The history has it, with reason and totals.
    ClosedConnectionModel *history = view.historyModel();
    QTRY_COMPARE(history->rowCount(), 1);
    const ClosedRecord *record = history->recordFor(id);
    QVERIFY(record);
    QCOMPARE(record->reason, CloseReason::Normal);
    QCOMPARE(record->last.client, QStringLiteral("sensor-17"));
    // HELLO, three readings and the BYE: the totals at the close, as the
    // `closed` log line counts them, however the close and the view's
    // tick fall.
    QCOMPARE(record->last.messagesIn, quint64(5));
    QVERIFY(record->last.bytesIn > 0);
    QVERIFY(record->durationMs() >= 0);
    QCOMPARE(history->index(0, ClosedConnectionModel::ReasonColumn).data().toString(), QStringLiteral("normal"));
    QCOMPARE(history->index(0, ClosedConnectionModel::MessagesInColumn).data().toString(), QStringLiteral("5"));

    // The details pane did not reset: it says how the connection ended.
    QCOMPARE(view.details()->connection(), id);
    QTRY_VERIFY(view.details()->text().contains(QLatin1String("(closed)")));
    const QString details = view.details()->text();
    QVERIFY2(details.contains(QLatin1String("(closed)")), qPrintable(details));
    QVERIFY2(details.contains(QLatin1String("normal")), qPrintable(details));
    QVERIFY2(details.contains(QLatin1String("sensor-17")), qPrintable(details));
    QVERIFY2(details.contains(QLatin1String("5 / ")), qPrintable(details));

    // The log's "closed" row carries duration and counts, like vigild's log.
    TrafficLogModel *log = view.trafficModel();
    auto closedDetail = [log, id] {
        for (int r = log->rowCount() - 1; r >= 0; --r) {
            const ServerEvent *e = log->eventAt(r);
            if (e && e->kind == EventKind::Closed && e->conn == id)
                return log->index(r, TrafficLogModel::DetailColumn).data().toString();
        }
        return QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!closedDetail().isEmpty(), 5000);
    QVERIFY2(closedDetail().startsWith(QStringLiteral("normal · after ")), qPrintable(closedDetail()));
    QVERIFY2(closedDetail().contains(QLatin1String("msgs 5 in")), qPrintable(closedDetail()));

    // The log names the client of each event, so it can be searched by it.
    bool named = false;
    for (int r = 0; r < log->rowCount() && !named; ++r) {
        const ServerEvent *e = log->eventAt(r);
        named = e && e->kind == EventKind::Closed
            && log->index(r, TrafficLogModel::ClientColumn).data().toString() == QLatin1String("sensor-17");
    }
    QVERIFY(named);

    // Filterable: by client name and by reason.
    HistoryPanel *panel = view.historyPanel();
    panel->filter()->setText(QStringLiteral("sensor-17"));
    QCOMPARE(panel->proxy()->rowCount(), 1);
    panel->filter()->setText(QStringLiteral("idle-timeout"));
    QCOMPARE(panel->proxy()->rowCount(), 0);
    panel->filter()->setText(QStringLiteral("normal"));
    QCOMPARE(panel->proxy()->rowCount(), 1);

    // Stop: the connections still open go to the history as server-shutdown.
    QTcpSocket other;
    other.connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->rowCount(), 1, 5000);
    source->stop();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), ServerSource::State::Stopped, 5000);
    QCOMPARE(history->rowCount(), 2);
    QCOMPARE(history->recordAt(1)->reason, CloseReason::ServerShutdown);
}

void tst_ServerView::givenUpBannerOffersRetry()
{
    // A data port given instead of the admin port: the banner says why it
    // stopped and offers "Retry Now"; the statistics are greyed.
    QTcpServer dataPort;
    QVERIFY(dataPort.listen(QHostAddress::LocalHost, 0));
    connect(&dataPort, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *s = dataPort.nextPendingConnection()) {
            connect(s, &QTcpSocket::readyRead, s, [s] {
                s->readAll();
                s->write(frame(0x06, QByteArray(1, char(3))));
                s->disconnectFromHost();
            });
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    auto *source = new RemoteServerSource(QStringLiteral("127.0.0.1:%1").arg(dataPort.serverPort()));
    ServerView view(source);
    view.show();
    source->start();
    QTRY_VERIFY_WITH_TIMEOUT(source->hasGivenUp(), 5000);
    QVERIFY2(view.bannerText().contains(QLatin1String("not retrying")), qPrintable(view.bannerText()));
    QVERIFY(view.retryButton()->isVisible());
    QVERIFY(!view.tokenButton()->isVisible());
    QVERIFY(!view.statsPanel()->findChild<QLabel *>()->isEnabled());
    // The system turns dark while the banner shows (and nothing else
    // changes: no retries): it repaints in the dark colours, and back.
    auto *banner = view.findChild<QLabel *>(QStringLiteral("serverBanner"));
    QVERIFY(banner);
    auto isDark = [banner] { return banner->styleSheet().contains(QLatin1String("#5c1a14")); };
    QVERIFY2(!isDark(), qPrintable(banner->styleSheet()));
    const QPalette light = QApplication::palette();
    QPalette dark = light;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::Text, Qt::white);
    dark.setColor(QPalette::WindowText, Qt::white);
    QApplication::setPalette(dark);
    QTRY_VERIFY2(isDark(), qPrintable(banner->styleSheet()));
    QApplication::setPalette(light);
    QTRY_VERIFY2(!isDark(), qPrintable(banner->styleSheet()));
    QSignalSpy more(&dataPort, &QTcpServer::newConnection);
    view.retryButton()->click();
    QVERIFY(more.wait(5000));
}

void tst_ServerView::copiesWholeLogRows()
{
    auto *source = new EmbeddedServerSource;
    ServerView view(source);
    ServerEvent e;
    e.kind = EventKind::Connected;
    e.conn = 7;
    e.peer = QStringLiteral("127.0.0.1:4000");
    e.wallMs = 0;
    view.trafficModel()->appendEvents({e});
    view.trafficView()->selectRow(0);
    const QStringList cells = view.trafficPanel()->selectedRowsText().split(QLatin1Char('\t'));
    QCOMPARE(cells.size(), int(TrafficLogModel::ColumnCount));
    QCOMPARE(cells.value(1), QStringLiteral("7"));
    QCOMPARE(cells.value(2), QStringLiteral("127.0.0.1:4000"));
    QCOMPARE(cells.value(3), QString()); // no HELLO name
    QCOMPARE(cells.value(4), QStringLiteral("connected"));

    // A message's payload opens in hex and ASCII, with offsets.
    ServerEvent m;
    m.kind = EventKind::MessageIn;
    m.conn = 7;
    m.size = 18;
    m.preview = QByteArray("sensor-17 temp=21") + char(0x01);
    view.trafficModel()->appendEvents({m});
    const QModelIndex row = view.trafficProxy()->index(1, 0);
    QVERIFY(!view.trafficPanel()->inspectPayload(view.trafficProxy()->index(0, 0))); // no payload
    PayloadDialog *dialog = view.trafficPanel()->inspectPayload(row);
    QVERIFY(dialog);
    const QStringList dump = dialog->dumpText().split(QLatin1Char('\n'));
    QCOMPARE(dump.size(), 2);
    QVERIFY2(dump[0].startsWith(QLatin1String("00000000  73 65 6e 73 6f 72 2d 31  37 20 74 65")), qPrintable(dump[0]));
    QVERIFY2(dump[0].endsWith(QLatin1String("|sensor-17 temp=2|")), qPrintable(dump[0]));
    QVERIFY2(dump[1].startsWith(QLatin1String("00000010  31 01 ")) && dump[1].endsWith(QLatin1String("|1.|")),
             qPrintable(dump[1]));
    delete dialog;
}

void tst_ServerView::detailsShowRateAndProbeRoundTrip()
{
    // A client that answers the server's probe PINGs with PONG: Details
    // shows the round trip, and its message rate.
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.idleTimeoutMs = 30000;
    config.probeIntervalMs = 200;
    auto *source = watchedSource(config);
    ServerView view(source);
    view.show();
    view.details()->show();
    QVERIFY(source->start());
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, source->server().boundAddresses().value(0).port);
    QByteArray in;
    connect(&client, &QTcpSocket::readyRead, this, [&] {
        in += client.readAll();
        // PING (type 2) -> PONG (type 3) with the same payload.
        while (in.size() >= 8) {
            const quint32 length = (quint8(in[4]) << 24) | (quint8(in[5]) << 16) | (quint8(in[6]) << 8) | quint8(in[7]);
            if (in.size() < qsizetype(8 + length))
                break;
            if (in[3] == char(0x02))
                client.write(frame(0x03, in.mid(8, length)));
            in.remove(0, 8 + length);
        }
    });
    client.write(frame(0x01, "a"));
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->rowCount(), 1, 5000);
    view.connectionView()->selectRow(0);
    QTRY_VERIFY_WITH_TIMEOUT(view.details()->probeRoundTripMs() >= 0, 10000);
    QTRY_VERIFY(view.details()->text().contains(QLatin1String("Probe round trip")));
    // The messages so far show as a rate once two samples are in.
    for (int i = 0; i < 5; ++i)
        client.write(frame(0x01, "b"));
    QTRY_VERIFY_WITH_TIMEOUT(view.details()->messageRate() > 0, 5000);
}

// The payload inspector shows a message up to the limit vigild's own log
// keeps (ServerEvent::PayloadBytes), both ways, not the table's preview.
void tst_ServerView::inspectorShowsWhatTheLogKeeps()
{
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    auto *source = watchedSource(config);
    ServerView view(source);
    view.show();
    QVERIFY(source->start());
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, source->server().boundAddresses().value(0).port);
    QByteArray medium(900, 'm');
    medium[899] = 'M';
    QByteArray large(3000, 'L');
    client.write(frame(0x01, medium) + frame(0x01, large));
    auto payloadsOf = [&view](EventKind kind) {
        QVector<QByteArray> out;
        for (int r = 0; r < view.trafficModel()->rowCount(); ++r) {
            if (const ServerEvent *e = view.trafficModel()->eventAt(r); e && e->kind == kind)
                out.append(e->preview);
        }
        return out;
    };
    QTRY_COMPARE_WITH_TIMEOUT(payloadsOf(EventKind::MessageIn).size(), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(payloadsOf(EventKind::MessageOut).size(), 2, 5000);
    for (EventKind kind : {EventKind::MessageIn, EventKind::MessageOut}) {
        const QVector<QByteArray> payloads = payloadsOf(kind);
        QCOMPARE(payloads[0], medium);
        QCOMPARE(payloads[1], large.left(ServerEvent::PayloadBytes));
    }
    PayloadDialog dialog(QStringLiteral("large"), payloadsOf(EventKind::MessageIn)[1]);
    QCOMPARE(dialog.dumpText().split(QLatin1Char('\n')).size(), ServerEvent::PayloadBytes / 16);
    source->stop();
}

// Forward mode (PROTOCOL.md §8): the Upstream column, hidden for other
// servers, appears with the first relayed client and names the service and
// the connection's state; Details has the bytes each way.
void tst_ServerView::forwardModeShowsTheUpstream()
{
    QTcpServer service;
    QVERIFY(service.listen(QHostAddress::LocalHost, 0));
    QTcpSocket *relayed = nullptr;
    connect(&service, &QTcpServer::newConnection, &service, [&] { relayed = service.nextPendingConnection(); });
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.mode = Mode::Forward;
    config.upstream = *UpstreamAddress::parse(QStringLiteral("127.0.0.1:%1").arg(service.serverPort()));
    auto *source = watchedSource(config);
    ServerView view(source);
    view.show();
    view.details()->show();
    QTableView *table = view.connectionView();
    QVERIFY(table->horizontalHeader()->isSectionHidden(ConnectionTableModel::UpstreamColumn));
    QVERIFY(source->start());

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, source->server().boundAddresses().value(0).port);
    client.write(frame(0x01, "to the service"));
    QTRY_VERIFY_WITH_TIMEOUT(relayed, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(relayed->bytesAvailable(), qint64(14), 5000);
    const QString expected = QStringLiteral("127.0.0.1:%1 · open").arg(service.serverPort());
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->index(0, ConnectionTableModel::UpstreamColumn).data().toString(),
                              expected, 5000);
    QVERIFY(!table->horizontalHeader()->isSectionHidden(ConnectionTableModel::UpstreamColumn));
    table->selectRow(0);
    auto upstreamRows = [&view] { return view.details()->text().mid(view.details()->text().indexOf(QLatin1String("Upstream"))); };
    QTRY_VERIFY2(upstreamRows().contains(QLatin1String("14 B / 0 B")), qPrintable(upstreamRows()));
    QVERIFY2(upstreamRows().contains(QStringLiteral("127.0.0.1:%1, open").arg(service.serverPort())), qPrintable(upstreamRows()));
    // The service answers: the bytes from it count.
    relayed->write("reply");
    QTRY_VERIFY2(upstreamRows().contains(QLatin1String("14 B / 5 B")), qPrintable(upstreamRows()));
    QTRY_VERIFY_WITH_TIMEOUT(view.connectionModel()->index(0, ConnectionTableModel::UpstreamColumn).data(Qt::ToolTipRole).toString()
                                 .contains(QLatin1String("14 B to it, 5 B from it")), 5000);
    source->stop();
}

// Behind a ,proxy listener (PROTOCOL.md §9) the row's peer is the client
// the PROXY header named; the proxy shows in Details, the tooltip and the
// filter.
void tst_ServerView::proxiedRowsShowTheClientAndTheProxy()
{
    ServerConfig config;
    config.listen = {*ListenAddress::parseListener(QStringLiteral("127.0.0.1:0,proxy"))};
    auto *source = watchedSource(config);
    ServerView view(source);
    view.show();
    view.details()->show();
    QVERIFY(source->start());
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, source->server().boundAddresses().value(0).port);
    QVERIFY(client.waitForConnected(5000));
    client.write("PROXY TCP4 203.0.113.7 127.0.0.1 51000 7600\r\n" + frame(0x01, "through the balancer"));
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->rowCount(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->index(0, ConnectionTableModel::PeerColumn).data().toString(),
                              QStringLiteral("203.0.113.7:51000"), 5000);
    const QString proxy = QStringLiteral("127.0.0.1:%1").arg(client.localPort());
    QCOMPARE(view.connectionModel()->index(0, ConnectionTableModel::PeerColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("203.0.113.7:51000, via proxy %1").arg(proxy));
    view.connectionView()->selectRow(0);
    QTRY_VERIFY2(view.details()->text().contains(proxy), qPrintable(view.details()->text()));
    QVERIFY(view.connectionModel()->index(0, 0).data(ConnectionTableModel::SearchTextRole).toString().contains(proxy));
    source->stop();
}

// A ,tls listener's connection shows the negotiated version and cipher in
// Details and the peer's tooltip (PROTOCOL.md §9's `tls` event, per row).
void tst_ServerView::tlsRowsShowVersionAndCipher()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    TlsFiles files;
    QVERIFY2(files.make(), qPrintable(files.error()));
    ServerConfig config;
    config.listen = {*ListenAddress::parseListener(QStringLiteral("127.0.0.1:0,tls"))};
    config.tlsCert = files.path("ec.crt");
    config.tlsKey = files.path("ec.key");
    auto *source = watchedSource(config);
    ServerView view(source);
    view.show();
    view.details()->show();
    QVERIFY2(source->start(), qPrintable(source->errorString()));
    QSslSocket client;
    client.setPeerVerifyMode(QSslSocket::VerifyNone);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), source->server().boundAddresses().value(0).port);
    QVERIFY(client.waitForEncrypted(10000));
    client.write(frame(0x01, "secret"));
    QTRY_COMPARE_WITH_TIMEOUT(view.connectionModel()->rowCount(), 1, 5000);
    const QString cipher = client.sessionCipher().name();
    auto peerTip = [&view] {
        return view.connectionModel()->index(0, ConnectionTableModel::PeerColumn).data(Qt::ToolTipRole).toString();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(peerTip().contains(QStringLiteral(" · TLSv1.")), qPrintable(peerTip()), 5000);
    view.connectionView()->selectRow(0);
    QTRY_VERIFY2(view.details()->text().contains(cipher), qPrintable(view.details()->text()));
    source->stop();
}

QTEST_MAIN(tst_ServerView)
#include "tst_serverview.moc"
