// vigild --admin end to end: the real binary, real client connections
// (QTcpSocket), and HTTP requests to its admin endpoint.
#include "adminhttp.h"
#include "testwire.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QStringDecoder>
#include <QSysInfo>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

using namespace VigilTest;

namespace {
constexpr int StartTimeoutMs = 10000;
constexpr quint8 DataType = 0x01;
constexpr quint8 HelloType = 0x04;

// The BYE a kicked client gets: 'V' 'G' 1, type 6, length 1, reason 7.
const QByteArray ByeKicked = QByteArray::fromHex("5647010600000001") + char(7);

const QByteArray TestToken = "t0ken-for-tests";
const QByteArray TestAuthorization = "Bearer " + TestToken;

// docs/admin.md "Limits": what the tests below hold vigild to.
constexpr int RequestDeadlineMs = 5000;
constexpr int SlotsPerSource = 96;
} // namespace

class TestAdminEndpoint : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<AdminVigild> m_vigild;
    AdminHttp m_http;

    std::unique_ptr<QTcpSocket> connectClient(const QByteArray &name = QByteArray())
    {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QStringLiteral("127.0.0.1"), m_vigild->port());
        if (!socket->waitForConnected(5000))
            return nullptr;
        if (!name.isEmpty())
            socket->write(vigilFrame(HelloType, "{\"client\": \"" + name + "\"}"));
        return socket;
    }

    QJsonArray connections()
    {
        const HttpReply reply = m_http.get(QStringLiteral("/api/v1/connections"));
        return reply.status == 200 ? QJsonDocument::fromJson(reply.body).array() : QJsonArray();
    }

    QJsonObject connectionNamed(const QString &client)
    {
        const QJsonArray list = connections();
        for (const QJsonValue &v : list) {
            if (v.toObject().value(QStringLiteral("client")).toString() == client)
                return v.toObject();
        }
        return QJsonObject();
    }

    // The value of one sample line of a /metrics scrape, -1 when absent.
    double metric(const QByteArray &sample)
    {
        const QList<QByteArray> lines = m_http.get(QStringLiteral("/metrics")).body.split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith(QByteArray(sample + ' ')))
                return line.mid(sample.size() + 1).toDouble();
        }
        return -1;
    }

    static qint64 residentKiB(qint64 pid)
    {
        QFile status(QStringLiteral("/proc/%1/status").arg(pid));
        if (!status.open(QIODevice::ReadOnly))
            return 0;
        const QList<QByteArray> lines = status.readAll().split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').constFirst().toLongLong();
        }
        return 0;
    }

    // A fresh vigild with the default flags plus extra ones.
    void restart(const QStringList &extra, rlim_t openFiles = 0)
    {
        m_vigild = std::make_unique<AdminVigild>();
        m_vigild->start(QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin"),
                                    QStringLiteral("127.0.0.1:0"), QStringLiteral("--threads"), QStringLiteral("2")}
                            + extra,
                        openFiles);
        QTRY_VERIFY_WITH_TIMEOUT(m_vigild->ready(), StartTimeoutMs);
        m_http.setPort(m_vigild->adminPort());
        m_http.setToken(QByteArray());
    }

    // A fresh vigild that wants TestToken; m_http sends none yet.
    void restartWithToken(QTemporaryDir &dir)
    {
        QFile tokenFile(dir.filePath(QStringLiteral("token")));
        QVERIFY(tokenFile.open(QIODevice::WriteOnly));
        tokenFile.write(TestToken + '\n');
        tokenFile.close();
        restart({QStringLiteral("--admin-token-file"), tokenFile.fileName()});
    }

    std::unique_ptr<QTcpSocket> connectAdmin()
    {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QStringLiteral("127.0.0.1"), m_vigild->adminPort());
        if (!socket->waitForConnected(5000))
            return nullptr;
        return socket;
    }

    // promtool check metrics finds nothing to say about text; true
    // without promtool (Debian package prometheus), with a warning.
    static bool promtoolAccepts(const QByteArray &text)
    {
        const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
        if (promtool.isEmpty()) {
            qWarning("promtool not installed (Debian package prometheus): metrics not checked");
            return true;
        }
        QProcess check;
        check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        if (!check.waitForStarted())
            return false;
        check.write(text);
        check.closeWriteChannel();
        if (!check.waitForFinished(30000))
            return false;
        const QByteArray problems = check.readAllStandardOutput() + check.readAllStandardError();
        if (check.exitStatus() != QProcess::NormalExit || check.exitCode() != 0 || !problems.trimmed().isEmpty()) {
            qWarning("promtool: %s", problems.constData());
            return false;
        }
        return true;
    }

    static void checkJsonError(const HttpReply &reply, int status)
    {
        QCOMPARE(reply.status, status);
        QVERIFY2(reply.contentType.startsWith("application/json"), reply.contentType.constData());
        const QJsonObject body = QJsonDocument::fromJson(reply.body).object();
        QCOMPARE(body.value(QStringLiteral("status")).toInt(), status);
        QVERIFY(!body.value(QStringLiteral("error")).toString().isEmpty());
    }

private slots:
    void init()
    {
        m_vigild = std::make_unique<AdminVigild>();
        m_vigild->start({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin"),
                         QStringLiteral("127.0.0.1:0"), QStringLiteral("--threads"), QStringLiteral("2")});
        QTRY_VERIFY_WITH_TIMEOUT(m_vigild->ready(), StartTimeoutMs);
        m_http.setPort(m_vigild->adminPort());
        m_http.setToken(QByteArray());
    }

    void cleanup()
    {
        m_vigild.reset();
    }

    void adminLineComesAfterListening()
    {
        const QList<QByteArray> lines = m_vigild->output().split('\n');
        QVERIFY(lines.size() >= 2);
        QVERIFY2(lines[0].startsWith("listening on 127.0.0.1:"), lines[0].constData());
        QVERIFY2(lines[1].contains("admin on 127.0.0.1:"), lines[1].constData());
    }

    void metricsPassPromtool()
    {
        auto client = connectClient("metrics");
        QVERIFY(client);
        client->write(vigilFrame(DataType, "hello"));
        // Wait until the message (and its echo) shows up in the scrape.
        QTRY_VERIFY_WITH_TIMEOUT(metric("vigil_messages_total{direction=\"out\"}") >= 1, 5000);
        QVERIFY(metric("vigil_messages_total{direction=\"in\"}") >= 1);
        QVERIFY(metric("vigil_bytes_total{direction=\"in\"}") >= 5);
        const HttpReply reply = m_http.get(QStringLiteral("/metrics"));
        QCOMPARE(reply.status, 200);
        QVERIFY2(reply.contentType.startsWith("text/plain; version=0.0.4"), reply.contentType.constData());
        for (const char *needle : {"# TYPE vigil_connections_open gauge", "vigil_connections_open 1",
                                   "vigil_connections_accepted_total 1", "vigil_connections_rejected_total 0",
                                   "vigil_closes_total{reason=\"idle-timeout\"} 0",
                                   "vigil_timeouts_total{kind=\"write\"} 0",
                                   "# TYPE vigil_watchdog_lateness_seconds histogram",
                                   "vigil_watchdog_lateness_seconds_bucket{le=\"+Inf\"}",
                                   "vigil_watchdog_lateness_seconds_sum", "vigil_watchdog_lateness_seconds_count"}) {
            QVERIFY2(reply.body.contains(needle), needle);
        }
        QVERIFY(promtoolAccepts(reply.body));
    }

    // --instance-name (default: the host name) names this vigild in a
    // fleet: vigil_build_info's label and the stats' "instance". It is
    // fixed at start: a reload that changes it asks for a restart.
    void instanceNameInMetricsAndStats()
    {
        QCOMPARE(metric("vigil_build_info{version=\"" VIGIL_VERSION "\",instance=\""
                        + QSysInfo::machineHostName().toUtf8() + "\"}"),
                 1.0);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("vigild.conf"));
        auto writeConfig = [&path](const QByteArray &text) {
            QFile file(path);
            return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
        };
        QVERIFY(writeConfig("idle-timeout = 20s\n"));
        restart({QStringLiteral("--config"), path, QStringLiteral("--instance-name"), QStringLiteral("edge \"7601\"")});
        const QByteArray sample = "vigil_build_info{version=\"" VIGIL_VERSION "\",instance=\"edge \\\"7601\\\"\"}";
        QCOMPARE(metric(sample), 1.0);
        QCOMPARE(QJsonDocument::fromJson(m_http.get(QStringLiteral("/api/v1/stats")).body)
                     .object()
                     .value(QStringLiteral("instance"))
                     .toString(),
                 QStringLiteral("edge \"7601\""));
        QVERIFY(promtoolAccepts(m_http.get(QStringLiteral("/metrics")).body));

        // Named in the file only: a reload cannot rename a running vigild.
        restart({QStringLiteral("--config"), path});
        QVERIFY(writeConfig("idle-timeout = 20s\ninstance-name = renamed\n"));
        const QJsonObject body = QJsonDocument::fromJson(m_http.post(QStringLiteral("/api/v1/reload")).body).object();
        QCOMPARE(body.value(QStringLiteral("restart_required")).toArray(), QJsonArray{QStringLiteral("instance-name")});
        QCOMPARE(QJsonDocument::fromJson(m_http.get(QStringLiteral("/api/v1/stats")).body)
                     .object()
                     .value(QStringLiteral("instance"))
                     .toString(),
                 QSysInfo::machineHostName());
        restart({QStringLiteral("--config"), path});
        QCOMPARE(metric("vigil_build_info{version=\"" VIGIL_VERSION "\",instance=\"renamed\"}"), 1.0);
    }

    void connectionsListRealClients()
    {
        auto a = connectClient("sensor-a");
        auto b = connectClient("sensor-b");
        QVERIFY(a && b);
        QTRY_COMPARE_WITH_TIMEOUT(connections().size(), 2, 5000);
        b->write(vigilFrame(DataType, "12345"));
        QTRY_COMPARE_WITH_TIMEOUT(connectionNamed(QStringLiteral("sensor-b")).value(QStringLiteral("messages_in")).toInt(),
                                  1, 5000);
        const QJsonObject row = connectionNamed(QStringLiteral("sensor-b"));
        for (const char *key : {"id", "peer", "client", "framing", "policy", "state", "idle_timeout_ms",
                                "max_lifetime_ms", "idle_left_ms", "lifetime_left_ms", "messages_in", "messages_out",
                                "bytes_in", "bytes_out", "pending_out", "last_activity_ms_ago", "write_timeout_ms",
                                "write_left_ms"}) {
            QVERIFY2(row.contains(QLatin1String(key)), key);
        }
        QVERIFY(row.value(QStringLiteral("id")).toDouble() > 0);
        QVERIFY(row.value(QStringLiteral("peer")).toString().startsWith(QLatin1String("127.0.0.1:")));
        QCOMPARE(row.value(QStringLiteral("framing")).toString(), QStringLiteral("vigil"));
        QCOMPARE(row.value(QStringLiteral("policy")).toString(), QStringLiteral("long"));
        QCOMPARE(row.value(QStringLiteral("state")).toString(), QStringLiteral("open"));
        QCOMPARE(row.value(QStringLiteral("idle_timeout_ms")).toInt(), 30000);
        const int idleLeft = row.value(QStringLiteral("idle_left_ms")).toInt();
        QVERIFY2(idleLeft > 0 && idleLeft <= 30000, QByteArray::number(idleLeft).constData());
        QVERIFY(row.value(QStringLiteral("lifetime_left_ms")).isNull());
        // The write watchdog runs only while output waits for the client.
        QVERIFY(row.value(QStringLiteral("write_left_ms")).isNull());

        const auto id = qint64(row.value(QStringLiteral("id")).toDouble());
        const HttpReply one = m_http.get(QStringLiteral("/api/v1/connections/%1").arg(id));
        QCOMPARE(one.status, 200);
        QCOMPARE(QJsonDocument::fromJson(one.body).object().value(QStringLiteral("client")).toString(),
                 QStringLiteral("sensor-b"));

        a->disconnectFromHost();
        QTRY_COMPARE_WITH_TIMEOUT(connections().size(), 1, 5000);
    }

    void kickSendsByeKicked()
    {
        auto client = connectClient("victim");
        QVERIFY(client);
        QTRY_VERIFY_WITH_TIMEOUT(!connectionNamed(QStringLiteral("victim")).isEmpty(), 5000);
        const auto id = qint64(connectionNamed(QStringLiteral("victim")).value(QStringLiteral("id")).toDouble());
        client->readAll(); // the WELCOME

        const HttpReply reply = m_http.post(QStringLiteral("/api/v1/connections/%1/kick").arg(id));
        QCOMPARE(reply.status, 202);
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += client->readAll()).contains(ByeKicked), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(connectionNamed(QStringLiteral("victim")).isEmpty(), 5000);

        // Gone now: a second kick finds nothing.
        checkJsonError(m_http.post(QStringLiteral("/api/v1/connections/%1/kick").arg(id)), 404);
        QTRY_COMPARE_WITH_TIMEOUT(metric("vigil_closes_total{reason=\"kicked\"}"), 1.0, 5000);
    }

    void eventsLongPoll()
    {
        // Nothing yet: a short poll returns empty after waiting.
        HttpReply reply = m_http.get(QStringLiteral("/api/v1/events?since=0&wait_ms=100"));
        QCOMPARE(reply.status, 200);
        QJsonObject body = QJsonDocument::fromJson(reply.body).object();
        QCOMPARE(body.value(QStringLiteral("events")).toArray().size(), 0);
        QCOMPARE(body.value(QStringLiteral("missed")).toInt(), 0);

        // A waiting poll is answered when a client connects.
        auto client = connectClient("evented");
        QVERIFY(client);
        reply = m_http.get(QStringLiteral("/api/v1/events?since=0&wait_ms=10000"), 15000);
        QCOMPARE(reply.status, 200);
        body = QJsonDocument::fromJson(reply.body).object();
        const QJsonArray events = body.value(QStringLiteral("events")).toArray();
        QVERIFY(!events.isEmpty());
        const QJsonObject first = events.first().toObject();
        QCOMPARE(first.value(QStringLiteral("event")).toString(), QStringLiteral("connected"));
        QCOMPARE(first.value(QStringLiteral("seq")).toInt(), 1);
        QVERIFY(first.value(QStringLiteral("peer")).toString().startsWith(QLatin1String("127.0.0.1:")));
        const int last = body.value(QStringLiteral("last")).toInt();
        QVERIFY(last >= 1);

        // Reading on from `last`: the close appears with its reason.
        client->disconnectFromHost();
        QString reason;
        int since = last;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&]() {
                const HttpReply r = m_http.get(QStringLiteral("/api/v1/events?since=%1&wait_ms=500").arg(since));
                const QJsonObject o = QJsonDocument::fromJson(r.body).object();
                since = o.value(QStringLiteral("last")).toInt(since);
                const QJsonArray list = o.value(QStringLiteral("events")).toArray();
                for (const QJsonValue &v : list) {
                    if (v.toObject().value(QStringLiteral("event")).toString() == QLatin1String("closed"))
                        reason = v.toObject().value(QStringLiteral("reason")).toString();
                }
                return !reason.isEmpty();
            }(),
            10000);
        QCOMPARE(reason, QStringLiteral("client-closed"));
    }

    void statsJson()
    {
        auto client = connectClient("counted");
        QVERIFY(client);
        QTRY_COMPARE_WITH_TIMEOUT(
            QJsonDocument::fromJson(m_http.get(QStringLiteral("/api/v1/stats")).body).object().value(QStringLiteral("open")).toInt(),
            1, 5000);
        const QJsonObject stats = QJsonDocument::fromJson(m_http.get(QStringLiteral("/api/v1/stats")).body).object();
        QCOMPARE(stats.value(QStringLiteral("accepted")).toInt(), 1);
        QVERIFY(stats.value(QStringLiteral("closes")).toObject().contains(QStringLiteral("idle-timeout")));
        QVERIFY(stats.value(QStringLiteral("timeouts")).toObject().contains(QStringLiteral("lifetime")));
        QCOMPARE(stats.value(QStringLiteral("watchdog_lateness")).toObject().value(QStringLiteral("buckets")).toArray().size(),
                 13);
        // Who answers: its name (the host name by default), its run (a
        // restart shows as a new run_id), what it listens on.
        QVERIFY(stats.value(QStringLiteral("server")).toString().startsWith(QLatin1String("vigild/")));
        QCOMPARE(stats.value(QStringLiteral("instance")).toString(), QSysInfo::machineHostName());
        const QString run = stats.value(QStringLiteral("run_id")).toString();
        QVERIFY(!run.isEmpty());
        QCOMPARE(QJsonDocument::fromJson(m_http.get(QStringLiteral("/api/v1/stats")).body)
                     .object()
                     .value(QStringLiteral("run_id"))
                     .toString(),
                 run);
        const QJsonArray listening = stats.value(QStringLiteral("listening")).toArray();
        QCOMPARE(listening.size(), 1);
        QVERIFY(listening.first().toString().startsWith(QLatin1String("127.0.0.1:")));
        QCOMPARE(stats.value(QStringLiteral("framing")).toString(), QStringLiteral("vigil"));
    }

    void badRequests_data()
    {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::newRow("unknown path") << QByteArray("GET") << QStringLiteral("/nope") << 404;
        QTest::newRow("unknown api") << QByteArray("GET") << QStringLiteral("/api/v1/nope") << 404;
        QTest::newRow("unknown version") << QByteArray("GET") << QStringLiteral("/api/v2/stats") << 404;
        QTest::newRow("unknown connection") << QByteArray("GET") << QStringLiteral("/api/v1/connections/999999") << 404;
        QTest::newRow("kick unknown") << QByteArray("POST") << QStringLiteral("/api/v1/connections/999999/kick") << 404;
        QTest::newRow("kick with GET") << QByteArray("GET") << QStringLiteral("/api/v1/connections/1/kick") << 405;
        QTest::newRow("POST metrics") << QByteArray("POST") << QStringLiteral("/metrics") << 405;
        QTest::newRow("DELETE connections") << QByteArray("DELETE") << QStringLiteral("/api/v1/connections") << 405;
        QTest::newRow("id not a number") << QByteArray("POST") << QStringLiteral("/api/v1/connections/abc/kick") << 400;
        QTest::newRow("negative id") << QByteArray("GET") << QStringLiteral("/api/v1/connections/-1") << 400;
        QTest::newRow("since not a number") << QByteArray("GET") << QStringLiteral("/api/v1/events?since=x") << 400;
        QTest::newRow("wait too long") << QByteArray("GET") << QStringLiteral("/api/v1/events?wait_ms=999999") << 400;
    }

    void badRequests()
    {
        QFETCH(QByteArray, verb);
        QFETCH(QString, path);
        QFETCH(int, status);
        const HttpReply reply = m_http.send(verb, path, 10000);
        checkJsonError(reply, status);
        if (status == 405)
            QVERIFY(!reply.allow.isEmpty());
    }

    void hugeRequestIsNotBuffered()
    {
        // A client declaring a 100 MB body: vigild buffers at most 64 KiB
        // of it and keeps answering everyone else.
        const qint64 rssBefore = residentKiB(m_vigild->process().processId());
        QTcpSocket greedy;
        greedy.connectToHost(QStringLiteral("127.0.0.1"), m_vigild->adminPort());
        QVERIFY(greedy.waitForConnected(5000));
        greedy.write("POST /api/v1/connections/1/kick HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Length: 100000000\r\n\r\n");
        const QByteArray chunk(64 * 1024, 'x');
        for (int i = 0; i < 512; ++i) // 32 MiB
            greedy.write(chunk);
        QTRY_VERIFY_WITH_TIMEOUT(greedy.bytesToWrite() < qint64(chunk.size()) * 500, 5000);
        QCOMPARE(m_http.get(QStringLiteral("/api/v1/stats")).status, 200);
        QVERIFY(!greedy.bytesAvailable()); // never answered: the request cannot complete
        // Under ThreadSanitizer every allocation also grows its shadow memory,
        // so RSS says nothing about what vigild buffers; the checks above stand.
        if (qEnvironmentVariableIsSet("TSAN_OPTIONS"))
            return;
        const qint64 grown = residentKiB(m_vigild->process().processId()) - rssBefore;
        QVERIFY2(grown < 16 * 1024, QByteArray::number(grown).constData());
    }

    void pipelinedFloodIsBounded_data()
    {
        QTest::addColumn<bool>("withToken");
        QTest::newRow("open endpoint") << false;
        QTest::newRow("401 for every request") << true;
    }

    void pipelinedFloodIsBounded()
    {
        // One client pipelines small requests and never reads an answer:
        // vigild serves them only while little of its output waits, holds
        // a few more, then drops the client. It must not buffer the rest.
        QFETCH(bool, withToken);
        // ASan parks freed memory in a 256 MB quarantine instead of reusing
        // it, so RSS would count every answer ever freed: a small one makes
        // RSS show what vigild holds.
        const QByteArray asan = qgetenv("ASAN_OPTIONS");
        const auto restoreAsan = qScopeGuard([&]() {
            if (!asan.isEmpty())
                qputenv("ASAN_OPTIONS", asan);
        });
        if (!asan.isEmpty())
            qputenv("ASAN_OPTIONS", asan + ":quarantine_size_mb=1");
        QTemporaryDir dir;
        if (withToken)
            restartWithToken(dir);
        else
            restart({});
        const qint64 pid = m_vigild->process().processId();
        const qint64 rssBefore = residentKiB(pid);
        auto flooder = connectAdmin();
        QVERIFY(flooder);
        flooder->setReadBufferSize(4096); // reads (almost) nothing
        QByteArray batch;
        while (batch.size() < 64 * 1024)
            batch += httpRequest("GET", "/api/v1/stats");
        QElapsedTimer clock;
        clock.start();
        qint64 sent = 0;
        while (flooder->state() == QAbstractSocket::ConnectedState && clock.elapsed() < 6000) {
            if (flooder->bytesToWrite() < 256 * 1024) {
                flooder->write(batch);
                sent += batch.size();
            }
            flooder->waitForBytesWritten(20);
        }
        const qint64 grown = residentKiB(pid) - rssBefore;
        qInfo("sent %lld KiB of requests in %lld ms; vigild RSS grew by %lld KiB", sent / 1024, clock.elapsed(), grown);
        QCOMPARE(flooder->state(), QAbstractSocket::UnconnectedState);
        m_http.setToken(withToken ? TestAuthorization : QByteArray());
        QCOMPARE(m_http.get(QStringLiteral("/api/v1/stats")).status, 200);
        if (qEnvironmentVariableIsSet("TSAN_OPTIONS"))
            return; // see hugeRequestIsNotBuffered
        QVERIFY2(grown < 16 * 1024, QByteArray::number(grown).constData());
    }

    void slowHeadersCannotLockOut()
    {
        // 200 sockets trickle a request at 1 byte/s. An authorized client
        // and a scrape still get in while they do (one source holds at most
        // its share of the slots, and a newcomer evicts the oldest socket
        // that is still waiting for its request), and every trickler is
        // dropped once the request deadline passes.
        QTemporaryDir dir;
        restartWithToken(dir);
        std::vector<std::unique_ptr<QTcpSocket>> tricklers;
        for (int i = 0; i < 200; ++i) {
            tricklers.push_back(connectAdmin());
            QVERIFY(tricklers.back());
        }
        QElapsedTimer sinceConnected;
        sinceConnected.start();
        const QByteArray request = httpRequest("GET", "/metrics");
        qsizetype sentBytes = 0;
        auto drip = [&]() {
            for (auto &socket : tricklers) {
                if (socket->state() == QAbstractSocket::ConnectedState)
                    socket->write(request.mid(sentBytes, 1));
            }
            ++sentBytes;
        };
        drip();
        QTimer dripTimer;
        QObject::connect(&dripTimer, &QTimer::timeout, drip);
        dripTimer.start(1000);
        auto connected = [&]() {
            return int(std::count_if(tricklers.begin(), tricklers.end(), [](const auto &socket) {
                return socket->state() == QAbstractSocket::ConnectedState;
            }));
        };
        // The kernel hands vigild its connections in order: these come last.
        m_http.setToken(TestAuthorization);
        QCOMPARE(m_http.get(QStringLiteral("/api/v1/stats"), 3000).status, 200);
        QCOMPARE(m_http.get(QStringLiteral("/metrics"), 3000).status, 200);
        QVERIFY2(sinceConnected.elapsed() < RequestDeadlineMs, "too slow to tell eviction from the deadline");
        const int stillConnected = connected();
        QVERIFY2(stillConnected > 0 && stillConnected < SlotsPerSource,
                 QByteArray::number(stillConnected).constData());
        QTRY_COMPARE_WITH_TIMEOUT(connected(), 0, RequestDeadlineMs + 5000);
        QVERIFY2(sinceConnected.elapsed() >= RequestDeadlineMs - 200,
                 QByteArray::number(sinceConnected.elapsed()).constData());
        QVERIFY(sentBytes < request.size()); // none of them could finish
    }

    void pipelinedAnswersInOrder()
    {
        // A long poll, and behind it on the same connection a GET: the
        // poll is answered first (when its wait ends, after the request
        // deadline: a connection that waits for vigild is not dropped).
        auto socket = connectAdmin();
        QVERIFY(socket);
        QElapsedTimer clock;
        clock.start();
        socket->write(httpRequest("GET", "/api/v1/events?since=0&wait_ms=6000") + httpRequest("GET", "/api/v1/stats"));
        const QList<HttpReply> answers = readAnswers(*socket, {false, false}, 15000);
        QCOMPARE(answers.size(), 2);
        QCOMPARE(answers[0].status, 200);
        QVERIFY2(QJsonDocument::fromJson(answers[0].body).object().contains(QStringLiteral("events")),
                 answers[0].body.constData());
        QVERIFY2(clock.elapsed() >= 6000, QByteArray::number(clock.elapsed()).constData());
        QCOMPARE(answers[1].status, 200);
        QVERIFY(QJsonDocument::fromJson(answers[1].body).object().contains(QStringLiteral("instance")));
    }

    void longPollsAreCapped()
    {
        // 64 long polls wait; one more is refused with 503 until one ends.
        std::vector<std::unique_ptr<QTcpSocket>> pollers;
        for (int i = 0; i < 64; ++i) {
            pollers.push_back(connectAdmin());
            QVERIFY(pollers.back());
            pollers.back()->write(httpRequest("GET", "/api/v1/events?since=0&wait_ms=20000"));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_http.get(QStringLiteral("/api/v1/events?since=0&wait_ms=200")).status, 503, 10000);
        pollers.clear();
        QTRY_COMPARE_WITH_TIMEOUT(m_http.get(QStringLiteral("/api/v1/events?since=0&wait_ms=0")).status, 200, 5000);
    }

    void headIsGetWithoutBody()
    {
        auto socket = connectAdmin();
        QVERIFY(socket);
        socket->write(httpRequest("HEAD", "/api/v1/stats") + httpRequest("HEAD", "/metrics") + httpRequest("HEAD", "/nope")
                      + httpRequest("GET", "/api/v1/stats"));
        const QList<HttpReply> answers = readAnswers(*socket, {true, true, true, false}, 10000);
        QCOMPARE(answers.size(), 4);
        QCOMPARE(answers[0].status, 200);
        QVERIFY2(answers[0].contentType.startsWith("application/json"), answers[0].contentType.constData());
        QCOMPARE(answers[0].contentLength, qint64(answers[3].body.size()));
        QCOMPARE(answers[1].status, 200);
        QVERIFY2(answers[1].contentType.startsWith("text/plain; version=0.0.4"), answers[1].contentType.constData());
        QVERIFY(answers[1].contentLength > 0);
        QCOMPARE(answers[2].status, 404);
        QCOMPARE(answers[3].status, 200);
        // A method that reads nothing names both in Allow.
        const HttpReply post = m_http.post(QStringLiteral("/api/v1/stats"));
        QCOMPARE(post.status, 405);
        QCOMPARE(post.allow, QByteArray("GET, HEAD"));
    }

    void bearerScheme_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<int>("status");
        QTest::newRow("Bearer") << TestAuthorization << 200;
        QTest::newRow("bearer") << QByteArray("bearer " + TestToken) << 200;
        QTest::newRow("BEARER") << QByteArray("BEARER " + TestToken) << 200;
        QTest::newRow("two spaces") << QByteArray("Bearer  " + TestToken) << 200;
        QTest::newRow("token is case-sensitive") << QByteArray("Bearer " + TestToken.toUpper()) << 401;
        QTest::newRow("no space") << QByteArray("Bearer" + TestToken) << 401;
        QTest::newRow("other scheme") << QByteArray("Basic " + TestToken) << 401;
        QTest::newRow("scheme only") << QByteArray("Bearer") << 401;
    }

    void bearerScheme()
    {
        // RFC 7235 §2.1: the scheme is case-insensitive, the token is not.
        QFETCH(QByteArray, authorization);
        QFETCH(int, status);
        QTemporaryDir dir;
        restartWithToken(dir);
        m_http.setToken(authorization);
        QCOMPARE(m_http.get(QStringLiteral("/api/v1/stats")).status, status);
    }

    void websocketUpgradeIsQuiet()
    {
        // Every Upgrade: websocket request used to print a Qt warning.
        QTemporaryDir dir;
        restartWithToken(dir);
        for (int i = 0; i < 20; ++i) {
            auto socket = connectAdmin();
            QVERIFY(socket);
            socket->write(httpRequest("GET", "/api/v1/stats", QByteArray(),
                                      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"));
            const QList<HttpReply> answers = readAnswers(*socket, {false}, 5000);
            QCOMPARE(answers.size(), 1);
            QCOMPARE(answers[0].status, 401);
        }
        m_http.setToken(TestAuthorization);
        QCOMPARE(m_http.get(QStringLiteral("/api/v1/stats")).status, 200);
        m_vigild->stop();
        const QByteArray err = m_vigild->errorOutput();
        QVERIFY2(err.count('\n') <= 1, err.constData());
    }

    void previewsOnlyWhenAsked_data()
    {
        QTest::addColumn<bool>("previews");
        QTest::newRow("default") << false;
        QTest::newRow("--admin-previews") << true;
    }

    void previewsOnlyWhenAsked()
    {
        // DATA can hold secrets: its first bytes reach the admin API only
        // with --admin-previews.
        QFETCH(bool, previews);
        if (previews)
            restart({QStringLiteral("--admin-previews")});
        auto client = connectClient("secretive");
        QVERIFY(client);
        client->write(vigilFrame(DataType, "password=hunter2"));
        QTRY_COMPARE_WITH_TIMEOUT(
            connectionNamed(QStringLiteral("secretive")).value(QStringLiteral("messages_in")).toInt(), 2, 5000);
        const QJsonObject row = connectionNamed(QStringLiteral("secretive"));
        QCOMPARE(row.contains(QStringLiteral("last_message")), previews);
        if (previews)
            QCOMPARE(row.value(QStringLiteral("last_message")).toString(), QStringLiteral("password=hunter2"));

        const HttpReply reply = m_http.get(QStringLiteral("/api/v1/events?since=0&wait_ms=0"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body.contains("hunter2"), previews);
        const QJsonArray events = QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("events")).toArray();
        int messages = 0;
        for (const QJsonValue &v : events) {
            const QJsonObject e = v.toObject();
            if (e.value(QStringLiteral("event")).toString() != QLatin1String("message_in"))
                continue;
            ++messages;
            QVERIFY(e.value(QStringLiteral("size")).toInt() > 0);
            QCOMPARE(e.contains(QStringLiteral("preview")), previews);
        }
        QVERIFY(messages >= 1);
    }

    void clientNameCutAtCodePoint()
    {
        // HELLO names are cut at 128 UTF-16 units; a cut through a
        // surrogate pair must not leave half of it in the admin JSON.
        const QString name = QString(127, QLatin1Char('a')) + QString::fromUcs4(U"\U0001F600", 1);
        auto client = connectClient(name.toUtf8());
        QVERIFY(client);
        QTRY_COMPARE_WITH_TIMEOUT(connections().size(), 1, 5000);
        const HttpReply reply = m_http.get(QStringLiteral("/api/v1/connections"));
        QCOMPARE(reply.status, 200);
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = utf8(reply.body);
        QVERIFY2(!utf8.hasError(), reply.body.constData());
        QVERIFY(!text.contains(QLatin1String("\\ud")));
        const QJsonObject row = QJsonDocument::fromJson(reply.body).array().first().toObject();
        QCOMPARE(row.value(QStringLiteral("client")).toString(), QString(127, QLatin1Char('a')));
    }

    void outOfDescriptors_data()
    {
        QTest::addColumn<bool>("servedFirst");
        QTest::newRow("never served before") << false;
        QTest::newRow("served before") << true;
    }

    void outOfDescriptors()
    {
        // PROTOCOL.md §7: with every descriptor taken by data clients, the
        // admin endpoint neither spins nor stops accepting for good.
        QFETCH(bool, servedFirst);
        restart({}, 64);
        if (servedFirst)
            QCOMPARE(m_http.get(QStringLiteral("/api/v1/stats")).status, 200);
        std::vector<std::unique_ptr<QTcpSocket>> hogs;
        while (!m_vigild->printed("accept paused") && hogs.size() < 200) {
            for (int i = 0; i < 8; ++i) {
                hogs.push_back(connectClient());
                QVERIFY(hogs.back());
            }
            QTest::qWait(50); // let vigild accept them
        }
        QVERIFY2(m_vigild->printed("accept paused"), m_vigild->output().constData());

        auto admin = connectAdmin(); // the kernel completes it; vigild cannot accept it
        QVERIFY(admin);
        admin->write(httpRequest("GET", "/api/v1/stats"));
        const qint64 cpuBefore = m_vigild->cpuMs();
        QTest::qWait(1500); // a spinning vigild would burn most of this
        const qint64 cpuUsed = m_vigild->cpuMs() - cpuBefore;
        qInfo("vigild used %lld ms of CPU in 1.5 s while out of descriptors", cpuUsed);
        QVERIFY2(cpuUsed < 400, QByteArray::number(cpuUsed).constData());

        hogs.clear(); // descriptors come back
        const QList<HttpReply> answers = readAnswers(*admin, {false}, 10000);
        QCOMPARE(answers.size(), 1);
        QCOMPARE(answers[0].status, 200);
        QCOMPARE(m_http.get(QStringLiteral("/api/v1/stats")).status, 200);
    }

    void tokenRequired()
    {
        m_vigild.reset();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile tokenFile(dir.filePath(QStringLiteral("token")));
        QVERIFY(tokenFile.open(QIODevice::WriteOnly));
        tokenFile.write("t0ken-for-tests\n");
        tokenFile.close();
        m_vigild = std::make_unique<AdminVigild>();
        m_vigild->start({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin"),
                         QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin-token-file"), tokenFile.fileName()});
        QTRY_VERIFY_WITH_TIMEOUT(m_vigild->ready(), StartTimeoutMs);
        m_http.setPort(m_vigild->adminPort());

        m_http.setToken(QByteArray());
        checkJsonError(m_http.get(QStringLiteral("/metrics")), 401);
        m_http.setToken("Bearer wrong-token");
        checkJsonError(m_http.get(QStringLiteral("/api/v1/connections")), 401);
        m_http.setToken("Bearer t0ken-for-tests-and-more");
        checkJsonError(m_http.get(QStringLiteral("/api/v1/stats")), 401);
        m_http.setToken("Basic dDBrZW4tZm9yLXRlc3Rz");
        checkJsonError(m_http.post(QStringLiteral("/api/v1/connections/1/kick")), 401);
        m_http.setToken("Bearer t0ken-for-tests");
        QCOMPARE(m_http.get(QStringLiteral("/metrics")).status, 200);
        QCOMPARE(m_http.get(QStringLiteral("/api/v1/connections")).status, 200);
    }

    void refusals_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("error");
        QTest::newRow("public without token")
            << QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin"),
                           QStringLiteral("0.0.0.0:0")}
            << 2 << QStringLiteral("--admin-token-file");
        QTest::newRow("bad address") << QStringList{QStringLiteral("--admin"), QStringLiteral("nowhere")} << 2
                                     << QStringLiteral("--admin");
        QTest::newRow("missing token file")
            << QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin"),
                           QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin-token-file"),
                           QStringLiteral("/nonexistent/vigil-token")}
            << 2 << QStringLiteral("/nonexistent/vigil-token");
    }

    void refusals()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, error);
        QProcess p;
        p.start(QStringLiteral(VIGILD_PATH), arguments);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), exitCode);
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(err.count('\n'), 1);
        QVERIFY2(QString::fromUtf8(err).contains(error), err.constData());
        QVERIFY(p.readAllStandardOutput().isEmpty());
    }

    void adminPortInUse()
    {
        // The admin address is taken (by this vigild's own admin port): exit 1.
        QProcess p;
        p.start(QStringLiteral(VIGILD_PATH),
                {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin"),
                 QStringLiteral("127.0.0.1:%1").arg(m_vigild->adminPort())});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        QCOMPARE(p.readAllStandardError().count('\n'), 1);
    }

    void configFileKeys()
    {
        m_vigild.reset();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile config(dir.filePath(QStringLiteral("vigild.conf")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("[vigild]\nlisten = 127.0.0.1:0\nadmin = 127.0.0.1:0\n");
        config.close();
        m_vigild = std::make_unique<AdminVigild>();
        m_vigild->start({QStringLiteral("--config"), config.fileName()});
        QTRY_VERIFY_WITH_TIMEOUT(m_vigild->ready(), StartTimeoutMs);
        m_http.setPort(m_vigild->adminPort());
        QCOMPARE(m_http.get(QStringLiteral("/api/v1/stats")).status, 200);
    }

    // POST /api/v1/reload is SIGHUP's reload (PROTOCOL.md §11), answered:
    // what changed, or why nothing did.
    void reloadRoute()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("vigild.conf"));
        auto writeConfig = [&path](const QByteArray &text) {
            QFile file(path);
            return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
        };
        QVERIFY(writeConfig("idle-timeout = 20s\n"));
        restart({QStringLiteral("--config"), path});

        HttpReply reply = m_http.post(QStringLiteral("/api/v1/reload"));
        QCOMPARE(reply.status, 200);
        QVERIFY2(reply.contentType.startsWith("application/json"), reply.contentType.constData());
        QJsonObject body = QJsonDocument::fromJson(reply.body).object();
        QCOMPARE(body.value(QStringLiteral("ok")).toBool(), true);
        QCOMPARE(body.value(QStringLiteral("changed")).toArray(), QJsonArray());
        QCOMPARE(body.value(QStringLiteral("restart_required")).toArray(), QJsonArray());

        QVERIFY(writeConfig("idle-timeout = 5s\nframing = line\n"));
        reply = m_http.post(QStringLiteral("/api/v1/reload"));
        QCOMPARE(reply.status, 200);
        body = QJsonDocument::fromJson(reply.body).object();
        QCOMPARE(body.value(QStringLiteral("changed")).toArray(), QJsonArray{QStringLiteral("idle-timeout")});
        QCOMPARE(body.value(QStringLiteral("restart_required")).toArray(), QJsonArray{QStringLiteral("framing")});
        QTRY_VERIFY_WITH_TIMEOUT(m_vigild->printed("reloaded changed=idle-timeout\n"), 5000);

        QVERIFY(writeConfig("idle-timeout = 1s\nno-such-key = 1\n"));
        reply = m_http.post(QStringLiteral("/api/v1/reload"));
        checkJsonError(reply, 500);
        body = QJsonDocument::fromJson(reply.body).object();
        QCOMPARE(body.value(QStringLiteral("ok")).toBool(true), false);
        QVERIFY2(body.value(QStringLiteral("error")).toString().endsWith(QLatin1String("vigild.conf:2: unknown key 'no-such-key'")),
                 reply.body.constData());
        QTRY_VERIFY_WITH_TIMEOUT(m_vigild->printed("reload-failed error="), 5000);

        reply = m_http.get(QStringLiteral("/api/v1/reload"));
        checkJsonError(reply, 405);
        QCOMPARE(reply.allow, QByteArray("POST"));
        QCOMPARE(m_vigild->process().state(), QProcess::Running);
        QCOMPARE(metric("vigil_reloads_total{result=\"ok\"}"), 2.0);
        QCOMPARE(metric("vigil_reloads_total{result=\"failed\"}"), 1.0);
    }

    // The token rules of every other route: none or a wrong one is 401.
    void reloadNeedsToken()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile tokenFile(dir.filePath(QStringLiteral("token")));
        QVERIFY(tokenFile.open(QIODevice::WriteOnly));
        tokenFile.write(TestToken + '\n');
        tokenFile.close();
        QFile config(dir.filePath(QStringLiteral("vigild.conf")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("max-per-ip = 3\n");
        config.close();
        restart({QStringLiteral("--admin-token-file"), tokenFile.fileName(), QStringLiteral("--config"), config.fileName()});

        checkJsonError(m_http.post(QStringLiteral("/api/v1/reload")), 401);
        m_http.setToken("Bearer wrong-token");
        checkJsonError(m_http.post(QStringLiteral("/api/v1/reload")), 401);
        QVERIFY(!m_vigild->printed("reloaded"));
        m_http.setToken(TestAuthorization);
        const HttpReply reply = m_http.post(QStringLiteral("/api/v1/reload"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("ok")).toBool(), true);
        QTRY_VERIFY_WITH_TIMEOUT(m_vigild->printed("reloaded changed=\"\"\n"), 5000);
    }

    // POST /api/v1/drain (PROTOCOL.md §10 on request): bad bodies are 400
    // and change nothing; a good one is 202, the connections get GOAWAY
    // server-shutdown, stats and /metrics say draining, a second drain is
    // 409, and vigild exits 0 when the last connection has closed.
    void drainRoute()
    {
        // Each connection's close time is drawn from the whole drain, and
        // vigild exits when the last one is gone: with one client the drain
        // could end before the table below was read. With 30 over 4 s, all
        // of them closing in the first 1.5 s has odds of 0.375^30.
        constexpr int Clients = 30;
        constexpr int DrainMs = 4000;
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        for (int i = 0; i < Clients; ++i) {
            clients.push_back(connectClient("drained-" + QByteArray::number(i)));
            QVERIFY(clients.back());
        }
        QTRY_COMPARE_WITH_TIMEOUT(connections().size(), Clients, 5000);
        QCOMPARE(metric("vigil_draining"), 0.0);

        checkJsonError(m_http.get(QStringLiteral("/api/v1/drain")), 405);
        checkJsonError(m_http.post(QStringLiteral("/api/v1/drain")), 400); // no body and no --drain-time
        checkJsonError(m_http.post(QStringLiteral("/api/v1/drain"), "not json"), 400);
        checkJsonError(m_http.post(QStringLiteral("/api/v1/drain"), R"({"drain_ms": -5})"), 400);
        checkJsonError(m_http.post(QStringLiteral("/api/v1/drain"), R"({"drain_ms": 1.5})"), 400);
        checkJsonError(m_http.post(QStringLiteral("/api/v1/drain"), R"({"drain_ms": "soon"})"), 400);
        checkJsonError(m_http.post(QStringLiteral("/api/v1/drain"), R"({"drain_ms": 5000})" + QByteArray(5000, ' ')), 413);
        QCOMPARE(m_vigild->process().state(), QProcess::Running);
        QCOMPARE(metric("vigil_draining"), 0.0);

        HttpReply reply = m_http.post(QStringLiteral("/api/v1/drain"), R"({"drain_ms": 4000})");
        QCOMPARE(reply.status, 202);
        const QJsonObject body = QJsonDocument::fromJson(reply.body).object();
        QCOMPARE(body.value(QStringLiteral("draining")).toBool(), true);
        QCOMPARE(body.value(QStringLiteral("drain_ms")).toInt(), DrainMs);
        QCOMPARE(body.value(QStringLiteral("connections")).toInt(), Clients);
        // After the HELLO's WELCOME: GOAWAY (0x07) server-shutdown (6). The
        // bytes stay readable after the BYE that may follow it.
        QByteArray in;
        QTcpSocket *first = clients.front().get();
        auto goAwayReason = [&]() {
            in += first->readAll();
            for (qsizetype at = 0; at + 8 <= in.size();) {
                const auto *u = reinterpret_cast<const unsigned char *>(in.constData() + at);
                const qsizetype length = qsizetype((quint32(u[4]) << 24) | (quint32(u[5]) << 16) | (quint32(u[6]) << 8) | u[7]);
                if (u[3] == 0x07 && at + 8 + length <= in.size() && length >= 5)
                    return int(u[8]);
                at += 8 + length;
            }
            return -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(goAwayReason(), 6, 5000);

        const QJsonObject stats = QJsonDocument::fromJson(m_http.get(QStringLiteral("/api/v1/stats")).body).object();
        QCOMPARE(stats.value(QStringLiteral("draining")).toBool(), true);
        QVERIFY(stats.value(QStringLiteral("drain_left_ms")).toDouble(-1) >= 0);
        QCOMPARE(metric("vigil_draining"), 1.0);
        // The table follows the network threads' batches (every 200 ms);
        // every row still open says when and why it will close.
        auto closingRows = [&]() {
            const QJsonArray list = connections();
            int closing = 0;
            for (const QJsonValue &v : list) {
                const QJsonObject row = v.toObject();
                if (row.value(QStringLiteral("closing_reason")).toString() == QLatin1String("server-shutdown")
                    && row.value(QStringLiteral("closing_in_ms")).toDouble(-1) >= 0)
                    ++closing;
            }
            return closing > 0 && closing == list.size();
        };
        QTRY_VERIFY_WITH_TIMEOUT(closingRows(), 5000);
        checkJsonError(m_http.post(QStringLiteral("/api/v1/drain"), R"({"drain_ms": 1000})"), 409);

        QTRY_COMPARE_WITH_TIMEOUT(m_vigild->process().state(), QProcess::NotRunning, DrainMs + 2000 + 3000);
        QCOMPARE(m_vigild->process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_vigild->process().exitCode(), 0);
    }

    // The drain route has the token rules of every other route.
    void drainNeedsToken()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        restartWithToken(dir);
        checkJsonError(m_http.post(QStringLiteral("/api/v1/drain"), R"({"drain_ms": 1000})"), 401);
        m_http.setToken("Bearer wrong-token");
        checkJsonError(m_http.post(QStringLiteral("/api/v1/drain"), R"({"drain_ms": 1000})"), 401);
        QCOMPARE(metric("vigil_draining"), -1.0); // /metrics wants the token too
        m_http.setToken(TestAuthorization);
        QCOMPARE(metric("vigil_draining"), 0.0);
        QCOMPARE(m_http.post(QStringLiteral("/api/v1/drain"), R"({"drain_ms": 1000})").status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(m_vigild->process().state(), QProcess::NotRunning, 1000 + 2000 + 3000);
        QCOMPARE(m_vigild->process().exitCode(), 0);
    }

    void sigtermStillExitsZero()
    {
        auto client = connectClient("stay");
        QVERIFY(client);
        m_vigild->process().terminate();
        QTRY_COMPARE_WITH_TIMEOUT(m_vigild->process().state(), QProcess::NotRunning, 5000);
        QCOMPARE(m_vigild->process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_vigild->process().exitCode(), 0);
        QVERIFY(m_vigild->process().readAllStandardOutput().contains("stopped"));
    }
};

QTEST_GUILESS_MAIN(TestAdminEndpoint)
#include "tst_adminendpoint.moc"
