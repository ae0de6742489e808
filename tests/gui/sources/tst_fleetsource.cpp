// FleetSource against two real `vigild --admin` on 127.0.0.1 with real
// clients: one merged feed with ids unique across the instances, the
// instance of each row, kicks that reach the right vigild, stats summed
// over the instances that answer, and a lost instance that leaves the
// others live.
#include "fleetid.h"
#include "fleetsource.h"
#include "remoteserversource.h"
#include "vigildhelper.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <set>

using namespace Vigil;
using namespace VigilTest;

class tst_FleetSource : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void mergedRowsNamedByInstance();
    void kickReachesTheOwningInstance();
    void statsAreSummed();
    void oneInstanceLostOthersLive();
    void unknownIdIsRefused();

private:
    std::unique_ptr<FleetSource> attach();
    std::unique_ptr<QTcpSocket> connectClient(const Vigild &vigild, const QByteArray &name);
    // The rows the merged feed shows now, by fleet id.
    std::map<quint64, ConnectionSnapshot> m_rows;

    std::unique_ptr<Vigild> m_a;
    std::unique_ptr<Vigild> m_b;
};

void tst_FleetSource::init()
{
    if (!VigildHasAdmin)
        QSKIP("vigild is built without its admin endpoint (Qt HttpServer)");
    m_rows.clear();
    m_a = std::make_unique<Vigild>();
    m_b = std::make_unique<Vigild>();
    m_a->start(0, QString(), QStringLiteral("edge-a"));
    m_b->start(0, QString(), QStringLiteral("edge-b"));
    QTRY_VERIFY_WITH_TIMEOUT(m_a->ready() && m_b->ready(), 10000);
}

void tst_FleetSource::cleanup()
{
    m_a.reset();
    m_b.reset();
}

std::unique_ptr<FleetSource> tst_FleetSource::attach()
{
    auto fleet = std::make_unique<FleetSource>(QStringLiteral("edge"),
                                               QStringList{m_a->adminAddress(), m_b->adminAddress()});
    for (int i = 0; i < 2; ++i) {
        fleet->member(i)->setPollInterval(100);
        fleet->member(i)->setRetryDelays(200, 1000);
        fleet->member(i)->setEventWaitMs(1000);
    }
    // The rows as a view's model keeps them: a full batch replaces its
    // thread's rows (each instance has threads of its own), closes remove.
    connect(fleet.get(), &ServerSource::batchPublished, this, [this](const ServerBatch &batch) {
        if (batch.full) {
            for (auto it = m_rows.begin(); it != m_rows.end();) {
                const bool sameThread = batch.thread >= 0 && FleetId::member(it->first) == batch.thread / 1024;
                it = sameThread ? m_rows.erase(it) : std::next(it);
            }
        }
        for (const ConnectionSnapshot &s : batch.updated)
            m_rows[s.id] = s;
        for (const ClosedConnection &c : batch.closed)
            m_rows.erase(c.id);
    });
    fleet->start();
    return fleet;
}

std::unique_ptr<QTcpSocket> tst_FleetSource::connectClient(const Vigild &vigild, const QByteArray &name)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, vigild.listenPort);
    socket->write(frame(0x04, R"({"client": ")" + name + R"("})"));
    return socket;
}

void tst_FleetSource::mergedRowsNamedByInstance()
{
    // Both vigild number their first connection 1: the fleet must not mix them.
    auto a1 = connectClient(*m_a, "sensor-a1");
    auto b1 = connectClient(*m_b, "sensor-b1");
    auto b2 = connectClient(*m_b, "sensor-b2");
    auto fleet = attach();
    QTRY_COMPARE_WITH_TIMEOUT(fleet->state(), ServerSource::State::Connected, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_rows.size(), size_t(3), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(fleet->upCount(), 2, 5000);
    std::set<quint64> localIds;
    std::map<QString, QString> instanceOfClient;
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(m_rows.cbegin(), m_rows.cend(), [](const auto &r) { return !r.second.client.isEmpty(); }), 5000);
    for (const auto &[id, s] : m_rows) {
        localIds.insert(FleetId::local(id));
        instanceOfClient[s.client] = fleet->instanceOf(id);
    }
    QCOMPARE(localIds.count(1), size_t(1)); // id 1 exists on both, as two rows
    QCOMPARE(instanceOfClient[QStringLiteral("sensor-a1")], QStringLiteral("edge-a"));
    QCOMPARE(instanceOfClient[QStringLiteral("sensor-b1")], QStringLiteral("edge-b"));
    QCOMPARE(instanceOfClient[QStringLiteral("sensor-b2")], QStringLiteral("edge-b"));
    QCOMPARE(fleet->members().size(), 2);
    QCOMPARE(fleet->title(), QStringLiteral("Fleet edge"));
    QCOMPARE(fleet->statusText(), QStringLiteral("fleet edge: 2 of 2 instances up"));

    // A client that leaves one instance goes; the other instance's rows stay.
    b1->disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(m_rows.size(), size_t(2), 5000);
    QStringList left;
    for (const auto &[id, s] : m_rows)
        left << s.client;
    left.sort();
    QCOMPARE(left, (QStringList{QStringLiteral("sensor-a1"), QStringLiteral("sensor-b2")}));
}

void tst_FleetSource::kickReachesTheOwningInstance()
{
    auto a1 = connectClient(*m_a, "on-a");
    auto b1 = connectClient(*m_b, "on-b");
    auto fleet = attach();
    QTRY_VERIFY_WITH_TIMEOUT(m_rows.size() == 2
                                 && std::all_of(m_rows.cbegin(), m_rows.cend(), [](const auto &r) { return !r.second.client.isEmpty(); }),
                             5000);
    quint64 onB = 0;
    for (const auto &[id, s] : m_rows) {
        if (s.client == QLatin1String("on-b"))
            onB = id;
    }
    QVERIFY(onB);
    QCOMPARE(FleetId::member(onB), 1);
    QSignalSpy finished(fleet.get(), &ServerSource::kickFinished);
    fleet->kick(onB);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    QCOMPARE(finished.at(0).at(0).toULongLong(), onB); // the fleet's id comes back
    QCOMPARE(finished.at(0).at(1).toBool(), true);
    // The client on edge-b got BYE kicked; the one on edge-a was left alone.
    QTRY_VERIFY_WITH_TIMEOUT(b1->readAll().contains(byeKicked()) || b1->state() == QAbstractSocket::UnconnectedState, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_rows.size(), size_t(1), 5000);
    QCOMPARE(m_rows.begin()->second.client, QStringLiteral("on-a"));
    QCOMPARE(a1->state(), QAbstractSocket::ConnectedState);
}

void tst_FleetSource::statsAreSummed()
{
    auto a1 = connectClient(*m_a, "a1");
    auto a2 = connectClient(*m_a, "a2");
    auto b1 = connectClient(*m_b, "b1");
    auto fleet = attach();
    QSignalSpy stats(fleet.get(), &ServerSource::statsUpdated);
    QTRY_COMPARE_WITH_TIMEOUT(fleet->lastStats().open, quint64(3), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!stats.isEmpty(), 5000);
    QCOMPARE(stats.constLast().at(0).value<ServerStats>().open, quint64(3));
    QCOMPARE(fleet->lastStats().accepted, quint64(3));
}

void tst_FleetSource::oneInstanceLostOthersLive()
{
    auto a1 = connectClient(*m_a, "a1");
    auto b1 = connectClient(*m_b, "b1");
    auto fleet = attach();
    QTRY_COMPARE_WITH_TIMEOUT(fleet->upCount(), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(fleet->lastStats().open, quint64(2), 5000);
    m_b->stop();
    QTRY_COMPARE_WITH_TIMEOUT(fleet->upCount(), 1, 10000);
    // The fleet stays live on what answers: its rows are not stale.
    QCOMPARE(fleet->state(), ServerSource::State::Connected);
    QVERIFY2(fleet->statusText().startsWith(QStringLiteral("fleet edge: 1 of 2 instances up · edge-b ")),
             qPrintable(fleet->statusText()));
    QTRY_COMPARE_WITH_TIMEOUT(fleet->lastStats().open, quint64(1), 5000);
    QVERIFY(!fleet->errorString().isEmpty());
    // Every instance lost: the fleet is lost, and says so.
    m_a->stop();
    QTRY_COMPARE_WITH_TIMEOUT(fleet->state(), ServerSource::State::Lost, 10000);
    QVERIFY(fleet->isTroubled());
    QCOMPARE(fleet->lastStats().open, quint64(0));
}

void tst_FleetSource::unknownIdIsRefused()
{
    auto fleet = attach();
    QSignalSpy finished(fleet.get(), &ServerSource::kickFinished);
    fleet->kick(FleetId::make(7, 1)); // no eighth instance
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    fleet->kick(5); // a plain id belongs to no instance either
    QCOMPARE(finished.count(), 2);
    QCOMPARE(finished.at(1).at(1).toBool(), false);
}

QTEST_GUILESS_MAIN(tst_FleetSource)
#include "tst_fleetsource.moc"
