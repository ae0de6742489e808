// The deployment of docs/deploy.md on loopback: a real HAProxy, configured
// from resources/deploy/haproxy.cfg with only its addresses changed, in
// front of two vigild with ",proxy" listeners. Both get clients and log
// their real addresses; SIGTERM drains one (GOAWAY, BYE server-shutdown,
// exit 0) while every new connection lands on the other.
#include "vigildprocess.h"

#include <QFile>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>

#include <memory>
#include <vector>

using namespace VigilTest;

namespace {
constexpr int WaitMs = 10000;
constexpr int DrainMs = 3000;
constexpr int Clients = 20;
constexpr int LateClients = 10;

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// Client i connects from its own loopback address, so vigild's `proxied`
// events can only have learnt it from HAProxy's header.
QHostAddress sourceOf(int i)
{
    return QHostAddress(QStringLiteral("127.0.0.%1").arg(10 + i));
}

QString peerOf(const TestClient &client, int i)
{
    return QStringLiteral("%1:%2").arg(sourceOf(i).toString()).arg(client.localPort());
}

int goAwayCode(const TestClient &client)
{
    const QList<Frame> frames = client.frames(Type::GoAway);
    return frames.isEmpty() || frames.constFirst().payload.isEmpty() ? -1 : quint8(frames.constFirst().payload.at(0));
}

// The shipped file with the loopback ports of this test: anything else it
// says (balance, redispatch, the PROXY health check) is what runs.
QByteArray fleetConfig(const QByteArray &shipped, quint16 front, quint16 stats, quint16 a, quint16 b, QString *missing)
{
    QByteArray cfg = shipped;
    const struct {
        QByteArray from, to;
    } edits[] = {
        {"    log /dev/log local0\n", "    log stderr format raw local0\n"},
        {"    bind :7600\n", "    bind 127.0.0.1:" + QByteArray::number(front) + '\n'},
        {"    bind 127.0.0.1:8405\n", "    bind 127.0.0.1:" + QByteArray::number(stats) + '\n'},
        {"    server vigild-7601 127.0.0.1:7601\n", "    server vigild-a 127.0.0.1:" + QByteArray::number(a) + '\n'},
        {"    server vigild-7602 127.0.0.1:7602\n", "    server vigild-b 127.0.0.1:" + QByteArray::number(b) + '\n'},
    };
    for (const auto &edit : edits) {
        if (!cfg.contains(edit.from)) {
            *missing = QString::fromUtf8(edit.from.trimmed());
            return QByteArray();
        }
        cfg.replace(edit.from, edit.to);
    }
    return cfg;
}

bool accepts(quint16 port)
{
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, port);
    const bool connected = probe.waitForConnected(1000);
    probe.abort();
    return connected;
}

// Which of the two logged client i's `proxied` event: 0 (a), 1 (b), -1
// neither, 2 both.
int whereProxied(const VigildProcess &a, const VigildProcess &b, const QString &peer)
{
    const bool inA = !a.event(QStringLiteral("proxied"), QStringLiteral("peer"), peer).isEmpty();
    const bool inB = !b.event(QStringLiteral("proxied"), QStringLiteral("peer"), peer).isEmpty();
    return inA && inB ? 2 : inA ? 0 : inB ? 1 : -1;
}
} // namespace

class tst_HaproxyFleet : public QObject
{
    Q_OBJECT

private slots:
    void drainMovesClientsToTheOtherInstance();
};

void tst_HaproxyFleet::drainMovesClientsToTheOtherInstance()
{
    const QString haproxy = QStandardPaths::findExecutable(QStringLiteral("haproxy"));
    if (haproxy.isEmpty())
        QSKIP("haproxy is not installed");
    const QStringList common{QStringLiteral("--drain-time"), QStringLiteral("3s"), QStringLiteral("--threads"),
                             QStringLiteral("2"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,proxy")};
    START_VIGILD(a, common + QStringList{QStringLiteral("--instance-name"), QStringLiteral("fleet-a")});
    START_VIGILD(b, common + QStringList{QStringLiteral("--instance-name"), QStringLiteral("fleet-b")});

    QFile shipped(QStringLiteral(VIGIL_SOURCE_DIR "/resources/deploy/haproxy.cfg"));
    QVERIFY(shipped.open(QIODevice::ReadOnly));
    const quint16 front = freePort();
    const quint16 stats = freePort();
    QVERIFY(front != 0 && stats != 0 && front != stats);
    QString missing;
    const QByteArray cfg = fleetConfig(shipped.readAll(), front, stats, a.port(), b.port(), &missing);
    QVERIFY2(!cfg.isEmpty(), qPrintable(QStringLiteral("haproxy.cfg no longer has: ") + missing));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile cfgFile(dir.filePath(QStringLiteral("haproxy.cfg")));
    QVERIFY(cfgFile.open(QIODevice::WriteOnly));
    cfgFile.write(cfg);
    cfgFile.close();

    QProcess proxy;
    proxy.setProcessChannelMode(QProcess::MergedChannels);
    proxy.start(haproxy, {QStringLiteral("-f"), cfgFile.fileName(), QStringLiteral("-db")});
    QVERIFY2(proxy.waitForStarted(5000), qPrintable(proxy.errorString()));
    auto stopProxy = qScopeGuard([&proxy]() {
        proxy.terminate();
        if (!proxy.waitForFinished(5000))
            proxy.kill();
        proxy.waitForFinished(5000);
    });
    auto haproxyLog = [&proxy]() { return QString::fromLocal8Bit(proxy.readAll()); };
    // Up once its stats frontend answers (a probe of the vigil frontend
    // would be a client of its own).
    QVERIFY2(QTest::qWaitFor([&]() { return accepts(stats) || proxy.state() == QProcess::NotRunning; }, WaitMs)
                 && proxy.state() == QProcess::Running,
             qPrintable(haproxyLog()));

    // HAProxy's first health checks, before any client: each came with a
    // PROXY header (v2 LOCAL, so no `proxied`), got its PING answered
    // (a PONG) and closed cleanly. A bare connection would have been a
    // protocol error or a handshake timeout.
    for (const VigildProcess *server : {&a, &b}) {
        QTRY_VERIFY_WITH_TIMEOUT(!server->events(QStringLiteral("closed")).isEmpty(), WaitMs);
        const QJsonObject check = server->events(QStringLiteral("closed")).constFirst();
        QCOMPARE(check.value(QLatin1String("reason")).toString(), QStringLiteral("client-closed"));
        QCOMPARE(check.value(QLatin1String("msgs_in")).toInt(), 1);
        QCOMPARE(check.value(QLatin1String("msgs_out")).toInt(), 1);
        QVERIFY(server->event(QStringLiteral("proxied"), QStringLiteral("conn"), check.value(QLatin1String("conn"))).isEmpty());
    }

    // 20 clients through HAProxy, each echoed: leastconn spreads them.
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < Clients; ++i)
        clients.push_back(std::make_unique<TestClient>(front, sourceOf(i)));
    for (int i = 0; i < Clients; ++i) {
        QVERIFY2(clients[i]->waitConnected(WaitMs), qPrintable(haproxyLog()));
        clients[i]->sendFrame(Type::Data, "hello from " + QByteArray::number(i));
    }
    std::vector<int> home(Clients, -1);
    int onA = 0;
    for (int i = 0; i < Clients; ++i) {
        QVERIFY2(clients[i]->waitForFrames(1, WaitMs), qPrintable(haproxyLog()));
        QCOMPARE(clients[i]->frames().constFirst().type, Type::Data);
        const QString peer = peerOf(*clients[i], i);
        QTRY_VERIFY_WITH_TIMEOUT(whereProxied(a, b, peer) >= 0, WaitMs);
        home[i] = whereProxied(a, b, peer);
        QVERIFY2(home[i] == 0 || home[i] == 1, qPrintable(peer));
        const VigildProcess &server = home[i] == 0 ? a : b;
        // The connection itself is HAProxy's, from 127.0.0.1.
        const QString via = server.event(QStringLiteral("proxied"), QStringLiteral("peer"), peer)
                                .value(QLatin1String("proxy"))
                                .toString();
        QVERIFY2(via.startsWith(QLatin1String("127.0.0.1:")), qPrintable(via));
        onA += home[i] == 0;
    }
    qInfo("through HAProxy: %d clients on a, %d on b", onA, Clients - onA);
    QVERIFY2(onA > 0 && onA < Clients, qPrintable(QString::number(onA)));
    // Every health check since ended the same way.
    for (const VigildProcess *server : {&a, &b}) {
        for (const QJsonObject &e : server->events(QStringLiteral("closed"))) {
            const QString reason = e.value(QLatin1String("reason")).toString();
            QVERIFY2(reason == QLatin1String("client-closed"), qPrintable(reason));
        }
    }

    // Drain a: its clients are told, then closed; b's are untouched.
    const qint64 signalledAt = nowMs();
    a.terminate();
    for (int i = 0; i < Clients; ++i) {
        if (home[i] == 0)
            QTRY_COMPARE_WITH_TIMEOUT(goAwayCode(*clients[i]), int(Bye::ServerShutdown), WaitMs);
    }
    // While a drains, every new connection lands on b: a's listener is
    // closed, HAProxy's refused connect is redispatched at once.
    std::vector<std::unique_ptr<TestClient>> late;
    for (int j = 0; j < LateClients; ++j)
        late.push_back(std::make_unique<TestClient>(front, sourceOf(Clients + j)));
    for (int j = 0; j < LateClients; ++j) {
        QVERIFY2(late[j]->waitConnected(WaitMs), qPrintable(haproxyLog()));
        late[j]->sendFrame(Type::Data, "late " + QByteArray::number(j));
    }
    for (int j = 0; j < LateClients; ++j) {
        QVERIFY2(late[j]->waitForFrames(1, WaitMs), qPrintable(haproxyLog()));
        QCOMPARE(late[j]->frames().constFirst().type, Type::Data);
        const QString peer = peerOf(*late[j], Clients + j);
        QTRY_COMPARE_WITH_TIMEOUT(whereProxied(a, b, peer), 1, WaitMs);
    }

    for (int i = 0; i < Clients; ++i) {
        if (home[i] != 0)
            continue;
        QVERIFY(clients[i]->waitClosed(DrainMs + WaitMs));
        QCOMPARE(clients[i]->byeCode(), int(Bye::ServerShutdown));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!a.isRunning(), DrainMs + WaitMs);
    qInfo("a exited %lld ms after SIGTERM (drain time %d ms)", a.finishedAtMs() - signalledAt, DrainMs);
    QVERIFY2(a.finishedAtMs() - signalledAt <= DrainMs + 2000, qPrintable(QString::number(a.finishedAtMs() - signalledAt)));
    QCOMPARE(a.exitStatus(), QProcess::NormalExit);
    QCOMPARE(a.exitCode(), 0);

    // b's first clients were never disturbed and are still served.
    for (int i = 0; i < Clients; ++i) {
        if (home[i] != 1)
            continue;
        QVERIFY(!clients[i]->isClosed());
        QVERIFY(clients[i]->frames(Type::GoAway).isEmpty());
        clients[i]->sendFrame(Type::Data, "still here");
        QVERIFY(clients[i]->waitForFrames(2, WaitMs));
    }
    // And after a is gone, new clients still get b.
    TestClient after(front, sourceOf(Clients + LateClients));
    QVERIFY(after.waitConnected(WaitMs));
    after.sendFrame(Type::Data, "after");
    QVERIFY2(after.waitForFrames(1, WaitMs), qPrintable(haproxyLog()));
    QTRY_COMPARE_WITH_TIMEOUT(whereProxied(a, b, peerOf(after, Clients + LateClients)), 1, WaitMs);
}

QTEST_GUILESS_MAIN(tst_HaproxyFleet)
#include "tst_haproxyfleet.moc"
