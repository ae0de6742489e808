// EmbeddedServerSource with a real Server on 127.0.0.1 and real QTcpSocket
// clients: it starts from the applied config, a client shows up in a
// batch, a kick closes it with BYE kicked and the close reason arrives,
// events come in time order, stats are sampled, a bind error is reported,
// and batches stop while nobody watches.
#include "embeddedserversource.h"
#include "vigildhelper.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <memory>

using namespace Vigil;
using namespace VigilTest;

class tst_EmbeddedServerSource : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void startsWithTheAppliedConfig();
    void connectionAppearsAndKickCloses();
    void eventsAreInTimeOrder();
    void statsAreSampled();
    void bindErrorIsReported();
    void unwatchedPublishesNothing();

private:
    void start();
    std::unique_ptr<QTcpSocket> connectClient();

    std::unique_ptr<EmbeddedServerSource> m_source;
    QList<ServerBatch> m_batches;
};

void tst_EmbeddedServerSource::init()
{
    m_source = std::make_unique<EmbeddedServerSource>();
    m_batches.clear();
    connect(m_source.get(), &ServerSource::batchPublished, this,
            [this](const ServerBatch &batch) { m_batches.append(batch); });
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.threads = 2; // batches from several threads, as in the window
    config.idleTimeoutMs = 30000;
    m_source->applyConfig(config, false);
    m_source->setWatched(true);
}

void tst_EmbeddedServerSource::cleanup()
{
    m_source.reset();
}

void tst_EmbeddedServerSource::start()
{
    QSignalSpy status(m_source.get(), &ServerSource::statusChanged);
    QVERIFY(m_source->start());
    QTRY_VERIFY(status.count() >= 1);
    QCOMPARE(m_source->state(), ServerSource::State::Connected);
}

std::unique_ptr<QTcpSocket> tst_EmbeddedServerSource::connectClient()
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, m_source->server().boundAddresses().value(0).port);
    return socket;
}

void tst_EmbeddedServerSource::startsWithTheAppliedConfig()
{
    QCOMPARE(m_source->state(), ServerSource::State::Stopped);
    QCOMPARE(m_source->statusText(), QStringLiteral("Stopped"));
    QVERIFY(m_source->can(ServerSource::Capability::StartStop));
    QVERIFY(m_source->can(ServerSource::Capability::ApplyConfig));
    start();
    const quint16 port = m_source->server().boundAddresses().value(0).port;
    QVERIFY(port != 0);
    QCOMPARE(m_source->server().config().idleTimeoutMs, 30000);
    QVERIFY2(m_source->statusText().startsWith(QStringLiteral("Listening on 127.0.0.1:%1").arg(port)),
             qPrintable(m_source->statusText()));
    QSignalSpy status(m_source.get(), &ServerSource::statusChanged);
    m_source->stop();
    QTRY_COMPARE(m_source->state(), ServerSource::State::Stopped);
    QVERIFY(status.count() >= 1);
}

void tst_EmbeddedServerSource::connectionAppearsAndKickCloses()
{
    start();
    auto client = connectClient();
    client->write(frame(0x04, R"({"client": "sensor-17"})"));
    const QString peer = QStringLiteral("127.0.0.1:%1");
    auto findId = [&]() -> quint64 {
        for (const ServerBatch &b : std::as_const(m_batches)) {
            for (const ConnectionSnapshot &s : b.updated) {
                if (s.peer == peer.arg(client->localPort()) && s.client == QLatin1String("sensor-17"))
                    return s.id;
            }
        }
        return 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(findId() != 0, 5000);
    const quint64 id = findId();

    QByteArray received;
    connect(client.get(), &QTcpSocket::readyRead, this, [&] { received += client->readAll(); });
    QSignalSpy kicked(m_source.get(), &ServerSource::kickFinished);
    m_source->kick(id);
    QCOMPARE(kicked.count(), 1);
    QCOMPARE(kicked.at(0).at(0).toULongLong(), id);
    QVERIFY(kicked.at(0).at(1).toBool());
    QTRY_VERIFY_WITH_TIMEOUT(received.contains(byeKicked()), 5000);

    // The close and its reason arrive as a batch, and as a Closed event.
    auto closeReason = [&]() -> CloseReason {
        for (const ServerBatch &b : std::as_const(m_batches)) {
            for (const ClosedConnection &c : b.closed) {
                if (c.id == id)
                    return c.reason;
            }
        }
        return CloseReason::None;
    };
    QTRY_COMPARE_WITH_TIMEOUT(closeReason(), CloseReason::Kicked, 5000);
    auto closedEvent = [&]() -> CloseReason {
        for (const ServerBatch &b : std::as_const(m_batches)) {
            for (const ServerEvent &e : b.events) {
                if (e.conn == id && e.kind == EventKind::Closed)
                    return e.reason;
            }
        }
        return CloseReason::None;
    };
    QTRY_COMPARE_WITH_TIMEOUT(closedEvent(), CloseReason::Kicked, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_source->lastStats().closesFor(CloseReason::Kicked), 1u, 5000);
}

void tst_EmbeddedServerSource::eventsAreInTimeOrder()
{
    start();
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 4; ++i) // ids alternate between the two network threads
        clients.push_back(connectClient());
    for (int round = 0; round < 5; ++round) {
        for (auto &c : clients)
            c->write(frame(0x01, "tick"));
        QTRY_VERIFY(m_source->server().stats().messagesIn >= quint64(4 * (round + 1)));
    }
    auto events = [&] {
        QVector<ServerEvent> all;
        for (const ServerBatch &b : std::as_const(m_batches))
            all += b.events;
        return all;
    };
    // 4 connects, 20 messages in, 20 echoes out.
    QTRY_VERIFY_WITH_TIMEOUT(events().size() >= 44, 5000);
    const QVector<ServerEvent> all = events();
    for (int i = 1; i < all.size(); ++i)
        QVERIFY2(all.at(i - 1).atMs <= all.at(i).atMs, qPrintable(QString::number(i)));
}

void tst_EmbeddedServerSource::statsAreSampled()
{
    QSignalSpy stats(m_source.get(), &ServerSource::statsUpdated);
    start();
    auto client = connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(m_source->lastStats().open, 1u, 5000);
    // Sampled on a timer while running, not only on start.
    const int before = stats.count();
    QVERIFY(stats.wait(EmbeddedServerSource::StatsSampleMs * 4));
    QVERIFY(stats.count() > before);
    QCOMPARE(stats.last().at(0).value<ServerStats>().open, 1u);
}

void tst_EmbeddedServerSource::bindErrorIsReported()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    ServerConfig config = m_source->config();
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:%1").arg(occupier.serverPort()))};
    m_source->applyConfig(config, false);
    QVERIFY(!m_source->start());
    QCOMPARE(m_source->state(), ServerSource::State::Stopped);
    QVERIFY2(m_source->errorString().contains(QStringLiteral("cannot listen on 127.0.0.1:%1").arg(occupier.serverPort())),
             qPrintable(m_source->errorString()));
}

void tst_EmbeddedServerSource::unwatchedPublishesNothing()
{
    m_source->setWatched(false);
    QCOMPARE(m_source->server().publishInterval(), 0);
    start();
    auto client = connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(m_source->lastStats().open, 1u, 5000);
    QVERIFY(m_batches.isEmpty());
    // Watched again: the first batch is a full one with the connection.
    m_source->setWatched(true);
    QCOMPARE(m_source->server().publishInterval(), EmbeddedServerSource::DefaultPublishIntervalMs);
    auto fullWithOne = [&] {
        for (const ServerBatch &b : std::as_const(m_batches)) {
            if (b.full && b.updated.size() == 1)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(fullWithOne(), 5000);
}

QTEST_MAIN(tst_EmbeddedServerSource)
#include "tst_embeddedserversource.moc"
