// Server, the in-process facade the monitor uses: start/stop, batches of
// snapshots and events, kick, and new timeouts for open connections.
#include "server.h"
#include "testwire.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace Vigil;
using namespace VigilTest;

namespace {
constexpr int WaitMs = 5000;

ServerConfig testConfig()
{
    ServerConfig c;
    c.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    c.logToStdout = false;
    c.threads = 2;
    return c;
}

QList<ServerBatch> batches(const QSignalSpy &spy)
{
    QList<ServerBatch> all;
    for (const QList<QVariant> &args : spy)
        all.append(args.at(0).value<ServerBatch>());
    return all;
}

// The snapshot of the connection whose peer is that client, from the batches so far.
std::optional<ConnectionSnapshot> snapshotOf(const QSignalSpy &spy, const QTcpSocket &client)
{
    std::optional<ConnectionSnapshot> last;
    const QString peer = QStringLiteral("127.0.0.1:%1").arg(client.localPort());
    for (const ServerBatch &b : batches(spy)) {
        for (const ConnectionSnapshot &s : b.updated) {
            if (s.peer == peer)
                last = s;
        }
    }
    return last;
}

std::optional<CloseReason> closedReason(const QSignalSpy &spy, quint64 id)
{
    for (const ServerBatch &b : batches(spy)) {
        for (const ClosedConnection &c : b.closed) {
            if (c.id == id)
                return c.reason;
        }
    }
    return std::nullopt;
}
} // namespace

class tst_Server : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void startAndStop();
    void failedStartAnnouncesNothing();
    void batchesCarrySnapshotsAndEvents();
    void kickSendsByeKicked();
    void applyConfig_data();
    void applyConfig();
    void publishIntervalIsCapped();
    void publishIntervalIsTheFastestSubscribers();
    void subscriptionOutlivesItsServer();
    void eventsArriveAsOneOrderedStream();

private:
    Server *m_server = nullptr;
};

void tst_Server::init()
{
    m_server = new Server;
}

void tst_Server::cleanup()
{
    m_server->stopAndWait();
    delete m_server;
    m_server = nullptr;
}

void tst_Server::startAndStop()
{
    QSignalSpy started(m_server, &Server::started);
    QSignalSpy stopped(m_server, &Server::stopped);
    QVERIFY(started.isValid());
    QVERIFY(stopped.isValid());
    QVERIFY2(m_server->start(testConfig()), qPrintable(m_server->errorString()));
    QCOMPARE(started.count(), 1);
    QVERIFY(m_server->isRunning());
    QCOMPARE(m_server->boundAddresses().size(), 1);
    QVERIFY(m_server->boundAddresses().constFirst().port != 0);
    QVERIFY(!m_server->start(testConfig())); // already running
    m_server->stop();
    QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, WaitMs);
    QVERIFY(!m_server->isRunning());
}

void tst_Server::failedStartAnnouncesNothing()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    ServerConfig c = testConfig();
    c.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:%1").arg(occupier.serverPort()))};
    QSignalSpy started(m_server, &Server::started);
    QSignalSpy stopped(m_server, &Server::stopped);
    QVERIFY(!m_server->start(c));
    QVERIFY2(m_server->errorString().startsWith(QStringLiteral("cannot listen on 127.0.0.1:%1").arg(occupier.serverPort())),
             qPrintable(m_server->errorString()));
    QVERIFY(!m_server->isRunning());
    QCOMPARE(started.count(), 0);
    QCOMPARE(stopped.count(), 0);

    c.maxPayload = 0; // invalid config: refused before binding
    QVERIFY(!m_server->start(c));
    QCOMPARE(m_server->errorString(), c.validate());
}

void tst_Server::batchesCarrySnapshotsAndEvents()
{
    QSignalSpy spy(m_server, &Server::batchPublished);
    QVERIFY(spy.isValid());
    FeedSubscription feed(m_server, 50);
    QVERIFY(m_server->start(testConfig()));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m_server->boundAddresses().constFirst().port);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(snapshotOf(spy, client).has_value(), WaitMs);
    const ConnectionSnapshot opened = *snapshotOf(spy, client);
    QVERIFY(opened.id > 0);
    QCOMPARE(opened.state, ConnectionState::Open);
    QCOMPARE(opened.timers.idleTimeoutMs, qint64(30000));

    client.write(vigilFrame(Type::Data, "watched"));
    QTRY_VERIFY_WITH_TIMEOUT(snapshotOf(spy, client)->messagesIn == 1, WaitMs);
    QCOMPARE(snapshotOf(spy, client)->lastMessage, QByteArray("watched"));
    QTRY_VERIFY_WITH_TIMEOUT(client.bytesAvailable() >= 8 + 7, WaitMs);

    // Events come in the merged stream, which waits for every thread's
    // report up to their time: up to a publish interval after the snapshot.
    bool connected = false, messageIn = false;
    const auto scan = [&] {
        for (const ServerBatch &b : batches(spy)) {
            for (const ServerEvent &e : b.events) {
                if (e.conn != opened.id)
                    continue;
                connected |= e.kind == EventKind::Connected;
                messageIn |= e.kind == EventKind::MessageIn && e.preview == "watched";
            }
        }
        return connected && messageIn;
    };
    QTRY_VERIFY_WITH_TIMEOUT(scan(), WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_server->stats().messagesIn >= 1, WaitMs);
    QCOMPARE(m_server->stats().accepted, quint64(1));
}

// PROTOCOL.md §2: an operator's kick is BYE kicked.
void tst_Server::kickSendsByeKicked()
{
    QSignalSpy spy(m_server, &Server::batchPublished);
    FeedSubscription feed(m_server, 50);
    QVERIFY(m_server->start(testConfig()));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m_server->boundAddresses().constFirst().port);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(snapshotOf(spy, client).has_value(), WaitMs);
    const quint64 id = snapshotOf(spy, client)->id;
    QByteArray received;
    connect(&client, &QTcpSocket::readyRead, this, [&]() { received += client.readAll(); });
    m_server->closeConnection(id);
    QTRY_COMPARE_WITH_TIMEOUT(received, vigilFrame(Type::Bye, QByteArray(1, char(Bye::Kicked))), WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(closedReason(spy, id).has_value(), WaitMs);
    QCOMPARE(*closedReason(spy, id), CloseReason::Kicked);
    QCOMPARE(m_server->stats().closesFor(CloseReason::Kicked), quint64(1));
    m_server->closeConnection(id); // already gone: nothing happens
    m_server->closeConnection(0);
}

void tst_Server::applyConfig_data()
{
    QTest::addColumn<bool>("applyToOpen");
    QTest::newRow("to open connections") << true;
    QTest::newRow("to new connections only") << false;
}

// New timeouts reach open connections only when asked to.
void tst_Server::applyConfig()
{
    QFETCH(bool, applyToOpen);

    QVERIFY(m_server->start(testConfig()));
    const quint16 port = m_server->boundAddresses().constFirst().port;
    QTcpSocket before;
    before.connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE_WITH_TIMEOUT(before.state(), QAbstractSocket::ConnectedState, WaitMs);
    // An echo proves the connection is adopted before the change.
    before.write(vigilFrame(Type::Data, "x"));
    QTRY_VERIFY_WITH_TIMEOUT(before.bytesAvailable() >= 9, WaitMs);

    ServerConfig c = testConfig();
    c.idleTimeoutMs = 300;
    QElapsedTimer clock;
    clock.start();
    m_server->applyConfig(c, applyToOpen);
    QTcpSocket after;
    after.connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE_WITH_TIMEOUT(after.state(), QAbstractSocket::ConnectedState, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(after.state(), QAbstractSocket::UnconnectedState, WaitMs);
    if (applyToOpen) {
        QTRY_COMPARE_WITH_TIMEOUT(before.state(), QAbstractSocket::UnconnectedState, WaitMs);
        QVERIFY(before.readAll().endsWith(vigilFrame(Type::Bye, QByteArray(1, char(Bye::IdleTimeout)))));
    } else {
        QVERIFY(!QTest::qWaitFor([&]() { return before.state() != QAbstractSocket::ConnectedState; }, 500));
    }
}

// The GUI contract: at most 30 batches a second.
void tst_Server::publishIntervalIsCapped()
{
    FeedSubscription feed(m_server, 1);
    QCOMPARE(m_server->publishInterval(), Server::MinPublishIntervalMs);
    feed.setInterval(0);
    QCOMPARE(m_server->publishInterval(), 0);
    feed.setInterval(100);
    QCOMPARE(m_server->publishInterval(), 100);
}

// Several subscribers: the fastest sets the pace, a paused or departed one
// does not, and the last one leaving stops the batches.
void tst_Server::publishIntervalIsTheFastestSubscribers()
{
    QCOMPARE(m_server->publishInterval(), 0);
    auto admin = std::make_unique<FeedSubscription>(m_server, 200);
    QCOMPARE(m_server->publishInterval(), 200);
    {
        FeedSubscription monitor(m_server, 50);
        QCOMPARE(m_server->publishInterval(), 50);
        // The slower one changing its mind does not slow the faster down.
        admin->setInterval(500);
        QCOMPARE(m_server->publishInterval(), 50);
        monitor.setInterval(0); // hidden window
        QCOMPARE(m_server->publishInterval(), 500);
        monitor.setInterval(50);
        QCOMPARE(m_server->publishInterval(), 50);
    }
    QCOMPARE(m_server->publishInterval(), 500);
    admin.reset();
    QCOMPARE(m_server->publishInterval(), 0);
}

// A subscription may outlive its server (the owner's destruction order is its own).
void tst_Server::subscriptionOutlivesItsServer()
{
    auto server = std::make_unique<Server>();
    FeedSubscription feed(server.get(), 50);
    server.reset();
    feed.setInterval(100); // nothing to tell: no crash
    QCOMPARE(feed.interval(), 100);
}

// Events of every network thread reach subscribers as one stream: numbered
// without gaps, in time order, each one once, and before stopped().
void tst_Server::eventsArriveAsOneOrderedStream()
{
    QSignalSpy spy(m_server, &Server::batchPublished);
    FeedSubscription feed(m_server, 40);
    ServerConfig c = testConfig();
    c.threads = 3;
    QVERIFY(m_server->start(c));
    const quint16 port = m_server->boundAddresses().constFirst().port;
    constexpr int Clients = 12;
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < Clients; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, port);
    }
    for (auto &client : clients)
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::ConnectedState, WaitMs);
    for (int round = 0; round < 5; ++round) {
        for (auto &client : clients)
            client->write(vigilFrame(Type::Data, "tick"));
    }
    for (auto &client : clients)
        QTRY_VERIFY_WITH_TIMEOUT(client->bytesAvailable() >= 5 * (8 + 4), WaitMs);
    QSignalSpy stopped(m_server, &Server::stopped);
    m_server->stop();
    QVERIFY(stopped.wait(WaitMs));

    quint64 expectedSeq = 1;
    qint64 lastAt = 0;
    int messagesIn = 0, closed = 0;
    for (const ServerBatch &b : batches(spy)) {
        if (b.thread >= 0) {
            QVERIFY2(b.events.isEmpty(), "a thread's batch carries its snapshots only");
            continue;
        }
        for (const ServerEvent &e : b.events) {
            QCOMPARE(e.seq, expectedSeq++);
            QVERIFY2(e.atMs >= lastAt, qPrintable(QStringLiteral("event %1 at %2 ms after one at %3 ms").arg(e.seq).arg(e.atMs).arg(lastAt)));
            lastAt = e.atMs;
            messagesIn += e.kind == EventKind::MessageIn;
            closed += e.kind == EventKind::Closed;
        }
    }
    QCOMPARE(messagesIn, Clients * 5);
    QCOMPARE(closed, Clients); // the shutdown's closes too: nothing held back at stopped()
}

QTEST_GUILESS_MAIN(tst_Server)
#include "tst_server.moc"
