// vigild's reload (PROTOCOL.md §11) end to end: a real vigild with a
// --config file, real SIGHUPs, real clients, and its log.
#include "vigildprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace VigilTest;

namespace {
// Generous upper bounds for a loaded 2-core box; lower bounds are strict
// because a watchdog never fires early (PROTOCOL.md §7).
constexpr int LateToleranceMs = 1500;
constexpr int WaitMs = 5000;

// A port nothing listens on right now.
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

QStringList arrayOf(const QJsonObject &event, const char *key)
{
    QStringList list;
    const QJsonArray array = event.value(QLatin1String(key)).toArray();
    for (const QJsonValue &v : array)
        list << v.toString();
    return list;
}

// The config file a test rewrites between SIGHUPs.
class ConfigFile
{
public:
    ConfigFile() : m_path(m_dir.filePath(QStringLiteral("vigild.conf"))) {}
    bool write(const QByteArray &text)
    {
        QFile file(m_path);
        return m_dir.isValid() && file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            && file.write(text) == text.size();
    }
    QString path() const { return m_path; }

private:
    QTemporaryDir m_dir;
    QString m_path;
};
} // namespace


// Sends SIGHUP and waits for the reload's outcome: the next `reloaded` or
// `reload-failed` event after those already logged.
#define RELOAD(server, outcome)                                                                                    \
    const QJsonObject outcome = [&]() {                                                                            \
        const qsizetype before = (server).events(QStringLiteral("reloaded")).size()                                \
            + (server).events(QStringLiteral("reload-failed")).size();                                             \
        if (::kill(pid_t((server).pid()), SIGHUP) != 0)                                                            \
            return QJsonObject();                                                                                  \
        const bool logged = QTest::qWaitFor([&]() {                                                                \
            return (server).events(QStringLiteral("reloaded")).size()                                              \
                    + (server).events(QStringLiteral("reload-failed")).size() > before                            \
                || !(server).isRunning();                                                                          \
        }, WaitMs);                                                                                                \
        if (!logged)                                                                                               \
            return QJsonObject();                                                                                  \
        for (auto it = (server).events().crbegin(); it != (server).events().crend(); ++it) {                      \
            const QString name = it->value(QLatin1String("event")).toString();                                     \
            if (name == QLatin1String("reloaded") || name == QLatin1String("reload-failed"))                       \
                return *it;                                                                                        \
        }                                                                                                          \
        return QJsonObject();                                                                                      \
    }();                                                                                                           \
    QVERIFY2((server).isRunning(), (server).lines().join('\n').constData());                                       \
    QVERIFY2(!outcome.isEmpty(), "no reload event")

class tst_Reload : public QObject
{
    Q_OBJECT

private slots:
    void withoutConfigNothingChanges();
    void idleTimeoutAppliesToOpenConnection();
    void textLogListsChangedKeys();
    void helloKeepaliveClampedToNewBounds();
    void brokenFileChangesNothing();
    void flagsStillWin();
    void fixedKeysNeedARestart();
    void listenersAddedAndRemoved();
    void unbindableListenerChangesNothing();
};

// A hang-up never stops vigild: without --config there is nothing to read
// again, so it logs `reloaded` with nothing changed, every time, and serves.
void tst_Reload::withoutConfigNothingChanges()
{
    START_VIGILD(server, {});
    CONNECT_CLIENT_TO(client, server, server.port());
    for (int i = 0; i < 2; ++i) { // the handler stays installed after the first
        RELOAD(server, reloaded);
        QCOMPARE(reloaded.value(QLatin1String("event")).toString(), QStringLiteral("reloaded"));
        QVERIFY(reloaded.value(QLatin1String("changed")).isArray());
        QCOMPARE(arrayOf(reloaded, "changed"), QStringList());
    }

    client.sendFrame(Type::Data, "still served");
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Data).size(), 1, WaitMs);
    QCOMPARE(client.frames(Type::Data).constFirst().payload, QByteArray("still served"));
    CONNECT_CLIENT_TO(newcomer, server, server.port());
    newcomer.sendFrame(Type::Data, "new");
    QTRY_COMPARE_WITH_TIMEOUT(newcomer.frames(Type::Data).size(), 1, WaitMs);
    QVERIFY(server.events(QStringLiteral("closed")).isEmpty());

    server.terminate();
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), WaitMs);
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    QVERIFY(client.waitClosed(WaitMs));
    QCOMPARE(client.byeCode(), int(Bye::ServerShutdown));
    QCOMPARE(server.events().constLast().value(QLatin1String("event")).toString(), QStringLiteral("stopped"));
    QVERIFY(server.standardError().isEmpty());
}

// A shorter idle timeout reaches an open connection, counted from its own
// last message, not from the reload: silent for 2 s, then a 2.5 s timeout
// closes it about 0.5 s after the SIGHUP (4.5 s would be from the reload).
void tst_Reload::idleTimeoutAppliesToOpenConnection()
{
    ConfigFile config;
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nidle-timeout = 20s\n"));
    START_VIGILD(server, {"--config", config.path()});
    CONNECT_CLIENT_TO(client, server, server.port());
    client.sendFrame(Type::Data, "hi");
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Data).size(), 1, WaitMs);
    const qint64 sentAt = client.lastSentMs();

    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nidle-timeout = 2500ms\n"));
    QTest::qWait(2000); // the connection's silence before the reload is the point
    QVERIFY(!client.isClosed());
    RELOAD(server, reloaded);
    QCOMPARE(reloaded.value(QLatin1String("event")).toString(), QStringLiteral("reloaded"));
    QVERIFY(reloaded.value(QLatin1String("changed")).isArray());
    QCOMPARE(arrayOf(reloaded, "changed"), QStringList{QStringLiteral("idle-timeout")});

    QVERIFY(client.waitClosed(2500 + WaitMs));
    const qint64 after = client.closedAtMs() - sentAt;
    QVERIFY2(after >= 2500, qPrintable(QString::number(after)));
    QVERIFY2(after <= 2500 + LateToleranceMs, qPrintable(QString::number(after)));
    QCOMPARE(client.byeCode(), int(Bye::IdleTimeout));
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(server.connId(client.localPort())), QStringLiteral("idle-timeout"),
                              WaitMs);

    // A newcomer gets the new timeout from its accept.
    CONNECT_CLIENT_TO(newcomer, server, server.port());
    QVERIFY(newcomer.waitClosed(2500 + WaitMs));
    QVERIFY2(newcomer.closedAtMs() - newcomer.connectStartedMs() <= 2500 + LateToleranceMs,
             qPrintable(QString::number(newcomer.closedAtMs() - newcomer.connectStartedMs())));
    QCOMPARE(newcomer.byeCode(), int(Bye::IdleTimeout));
}

// In the text log `changed` is the keys joined by commas.
void tst_Reload::textLogListsChangedKeys()
{
    ConfigFile config;
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = text\n"));
    START_VIGILD(server, {"--config", config.path()});
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = text\nidle-timeout = 5s\nmax-per-ip = 7\n"));
    QCOMPARE(::kill(pid_t(server.pid()), SIGHUP), 0);
    QTRY_VERIFY_WITH_TIMEOUT(server.lines().contains("reloaded changed=idle-timeout,max-per-ip"), WaitMs);
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = text\nidle-timeout = 5s\nmax-per-ip = 7\n"));
    QCOMPARE(::kill(pid_t(server.pid()), SIGHUP), 0);
    QTRY_VERIFY_WITH_TIMEOUT(server.lines().contains("reloaded changed=\"\""), WaitMs);
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = text\nidle-timeout = soon\n"));
    QCOMPARE(::kill(pid_t(server.pid()), SIGHUP), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!server.lines().isEmpty() && server.lines().constLast().startsWith("reload-failed error="),
                             WaitMs);
    QVERIFY2(server.lines().constLast().contains(QStringLiteral("vigild.conf:3: invalid value for --idle-timeout").toUtf8()),
             server.lines().constLast().constData());
    QVERIFY(server.isRunning());
}

// A HELLO's keepalive is kept, but clamped to the bounds in force: 10 s
// (idle 15 s) under a new --max-keepalive of 1s is 1 s (idle 1.5 s).
void tst_Reload::helloKeepaliveClampedToNewBounds()
{
    ConfigFile config;
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\n"));
    START_VIGILD(server, {"--config", config.path()});
    CONNECT_CLIENT_TO(client, server, server.port());
    client.sendFrame(Type::Hello, R"({"keepalive_ms": 10000})");
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Welcome).size(), 1, WaitMs);
    const qint64 sentAt = client.lastSentMs();

    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nmax-keepalive = 1s\n"));
    RELOAD(server, reloaded);
    QCOMPARE(arrayOf(reloaded, "changed"), QStringList{QStringLiteral("max-keepalive")});
    QVERIFY(client.waitClosed(1500 + WaitMs));
    // Its last activity lies between the connect and the HELLO.
    const qint64 fromConnect = client.closedAtMs() - client.connectStartedMs();
    const qint64 fromHello = client.closedAtMs() - sentAt;
    QVERIFY2(fromConnect >= 1500, qPrintable(QString::number(fromConnect)));
    QVERIFY2(fromHello <= 1500 + LateToleranceMs, qPrintable(QString::number(fromHello)));
    QCOMPARE(client.byeCode(), int(Bye::IdleTimeout));
}

// A file that does not parse changes nothing: the old timeout stays in
// force, vigild keeps running, and the next good reload still finds the
// key changed.
void tst_Reload::brokenFileChangesNothing()
{
    ConfigFile config;
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nidle-timeout = 1500ms\n"));
    START_VIGILD(server, {"--config", config.path()});
    CONNECT_CLIENT_TO(client, server, server.port());
    const qint64 connectedAt = client.connectStartedMs();

    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nidle-timeout = 300ms\nno-such-key = 1\n"));
    RELOAD(server, failed);
    QCOMPARE(failed.value(QLatin1String("event")).toString(), QStringLiteral("reload-failed"));
    QVERIFY2(failed.value(QLatin1String("error")).toString().endsWith(QLatin1String("vigild.conf:4: unknown key 'no-such-key'")),
             qPrintable(failed.value(QLatin1String("error")).toString()));

    QVERIFY(client.waitClosed(1500 + WaitMs));
    const qint64 after = client.closedAtMs() - connectedAt;
    QVERIFY2(after >= 1500, qPrintable(QString::number(after))); // not 300 ms
    QCOMPARE(client.byeCode(), int(Bye::IdleTimeout));

    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nidle-timeout = 300ms\n"));
    RELOAD(server, reloaded);
    QCOMPARE(reloaded.value(QLatin1String("event")).toString(), QStringLiteral("reloaded"));
    QCOMPARE(arrayOf(reloaded, "changed"), QStringList{QStringLiteral("idle-timeout")});

    // A file that went away is a failure too.
    QVERIFY(QFile::remove(config.path()));
    RELOAD(server, gone);
    QCOMPARE(gone.value(QLatin1String("event")).toString(), QStringLiteral("reload-failed"));
    QVERIFY(!gone.value(QLatin1String("error")).toString().isEmpty());
    CONNECT_CLIENT_TO(newcomer, server, server.port());
}

// Command-line flags still win over the file: a key given as a flag never
// changes on reload, whatever the file says.
void tst_Reload::flagsStillWin()
{
    ConfigFile config;
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nidle-timeout = 20s\n"));
    START_VIGILD(server, {"--config", config.path(), "--idle-timeout", "20s"});
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nidle-timeout = 300ms\nmax-connections = 100\n"));
    RELOAD(server, reloaded);
    QCOMPARE(arrayOf(reloaded, "changed"), QStringList{QStringLiteral("max-connections")});
    CONNECT_CLIENT_TO(client, server, server.port());
    QTest::qWait(600); // longer than the file's 300 ms: the flag's 20 s holds
    QVERIFY(!client.isClosed());
}

// Threads, framing, log format and the admin endpoint are fixed while
// vigild runs: a reload names them in a notice and applies the rest.
void tst_Reload::fixedKeysNeedARestart()
{
    ConfigFile config;
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nthreads = 2\n"));
    START_VIGILD(server, {"--config", config.path()});
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nthreads = 3\nframing = line\nmax-per-ip = 5\n"));
    RELOAD(server, reloaded);
    QCOMPARE(reloaded.value(QLatin1String("event")).toString(), QStringLiteral("reloaded"));
    QCOMPARE(arrayOf(reloaded, "changed"), QStringList{QStringLiteral("max-per-ip")});
    const QJsonObject notice = server.event(QStringLiteral("notice"));
    QCOMPARE(notice.value(QLatin1String("message")).toString(),
             QStringLiteral("reload: framing, threads cannot change while the server runs; restart to apply"));

    // Still the vigil framing.
    CONNECT_CLIENT_TO(client, server, server.port());
    client.sendFrame(Type::Data, "framed");
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Data).size(), 1, WaitMs);
}

// `listen` entries compare as written: the unchanged 127.0.0.1:0 keeps its
// socket and port, an added one is bound and logged, a removed one refuses
// newcomers while its open connection is still served.
void tst_Reload::listenersAddedAndRemoved()
{
    const quint16 removedPort = freePort();
    const quint16 addedPort = freePort();
    QVERIFY(removedPort && addedPort && removedPort != addedPort);
    ConfigFile config;
    QVERIFY(config.write(QStringLiteral("listen = 127.0.0.1:0\nlisten = 127.0.0.1:%1\nlog-format = json\n")
                             .arg(removedPort)
                             .toUtf8()));
    START_VIGILD(server, {"--config", config.path()}, 2);
    const quint16 keptPort = server.port(0);
    QCOMPARE(server.port(1), removedPort);
    CONNECT_CLIENT_TO(onKept, server, keptPort);
    CONNECT_CLIENT_TO(onRemoved, server, removedPort);

    QVERIFY(config.write(QStringLiteral("listen = 127.0.0.1:0\nlisten = 127.0.0.1:%1\nlog-format = json\n")
                             .arg(addedPort)
                             .toUtf8()));
    RELOAD(server, reloaded);
    QCOMPARE(reloaded.value(QLatin1String("event")).toString(), QStringLiteral("reloaded"));
    QCOMPARE(arrayOf(reloaded, "changed"), QStringList{QStringLiteral("listen")});
    const QList<QJsonObject> listening = server.events(QStringLiteral("listening"));
    QCOMPARE(listening.size(), 3); // the two at start, then only the added one
    QCOMPARE(listening.constLast().value(QLatin1String("address")).toString(),
             QStringLiteral("127.0.0.1:%1").arg(addedPort));
    QVERIFY(!server.event(QStringLiteral("notice"), QStringLiteral("message"),
                          QStringLiteral("stopped listening on 127.0.0.1:%1; its connections stay open").arg(removedPort))
                 .isEmpty());

    // The removed listener refuses; its connection is still served.
    TestClient refused(removedPort);
    QVERIFY(!refused.waitConnected());
    onRemoved.sendFrame(Type::Data, "still here");
    QTRY_COMPARE_WITH_TIMEOUT(onRemoved.frames(Type::Data).size(), 1, WaitMs);
    QCOMPARE(onRemoved.frames(Type::Data).constFirst().payload, QByteArray("still here"));
    // The kept one has the same port, and its connection never noticed.
    onKept.sendFrame(Type::Data, "kept");
    QTRY_COMPARE_WITH_TIMEOUT(onKept.frames(Type::Data).size(), 1, WaitMs);
    CONNECT_CLIENT_TO(onKeptLater, server, keptPort);
    onKeptLater.sendFrame(Type::Data, "kept later");
    QTRY_COMPARE_WITH_TIMEOUT(onKeptLater.frames(Type::Data).size(), 1, WaitMs);
    // The added one serves.
    CONNECT_CLIENT_TO(onAdded, server, addedPort);
    onAdded.sendFrame(Type::Data, "added");
    QTRY_COMPARE_WITH_TIMEOUT(onAdded.frames(Type::Data).size(), 1, WaitMs);
    QCOMPARE(onAdded.frames(Type::Data).constFirst().payload, QByteArray("added"));

    // The same file again: nothing changes, nothing is bound again.
    RELOAD(server, again);
    QCOMPARE(arrayOf(again, "changed"), QStringList());
    QCOMPARE(server.events(QStringLiteral("listening")).size(), 3);
    QVERIFY(server.events(QStringLiteral("closed")).isEmpty());
}

// An added listener that cannot be bound fails the reload as a whole:
// nothing is bound, no other key changes, the listeners in use serve on.
void tst_Reload::unbindableListenerChangesNothing()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    ConfigFile config;
    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\n"));
    START_VIGILD(server, {"--config", config.path()});
    // The second port-0 entry binds before the occupied port fails: it is closed again.
    QVERIFY(config.write(QStringLiteral("listen = 127.0.0.1:0\nlisten = 127.0.0.1:0\nlisten = 127.0.0.1:%1\n"
                                        "log-format = json\nmax-per-ip = 4\n")
                             .arg(occupier.serverPort())
                             .toUtf8()));
    RELOAD(server, failed);
    QCOMPARE(failed.value(QLatin1String("event")).toString(), QStringLiteral("reload-failed"));
    QVERIFY2(failed.value(QLatin1String("error"))
                 .toString()
                 .startsWith(QStringLiteral("cannot listen on 127.0.0.1:%1: ").arg(occupier.serverPort())),
             qPrintable(failed.value(QLatin1String("error")).toString()));
    QCOMPARE(server.events(QStringLiteral("listening")).size(), 1);
    CONNECT_CLIENT_TO(client, server, server.port());
    client.sendFrame(Type::Data, "served");
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Data).size(), 1, WaitMs);

    QVERIFY(config.write("listen = 127.0.0.1:0\nlog-format = json\nmax-per-ip = 4\n"));
    RELOAD(server, reloaded);
    QCOMPARE(arrayOf(reloaded, "changed"), QStringList{QStringLiteral("max-per-ip")});
}

QTEST_GUILESS_MAIN(tst_Reload)
#include "tst_reload.moc"
