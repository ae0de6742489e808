// MessageHandler and Session through a real Server on 127.0.0.1: the
// callbacks an application gets, what a Session can do, and the
// thread-safe entry points (send, broadcast, kick) from another thread.
// The watchdogs and the protocol stay the core's whatever the handler does.
#include "rawclient.h"
#include "server.h"
#include "testwire.h"

#include <QTest>

#include <atomic>
#include <mutex>

using namespace Vigil;
using namespace VigilTest;

namespace {
constexpr int WaitMs = 5000;

// What the callbacks saw, for the test thread to read.
class RecordingHandler final : public MessageHandler
{
public:
    struct Record
    {
        quint64 id = 0;
        QString peer;
        QString client;
        QString greetedAs; // clientName() in greeted()
        Policy policy = Policy::Long;
        QList<QByteArray> messages;
        std::optional<CloseReason> closed;
        int userCount = -1; // the user-data counter at close
    };

    void opened(Session &session) override
    {
        std::lock_guard lock(m_mutex);
        Record &r = m_records[session.id()];
        r.id = session.id();
        r.peer = session.peer().toString();
        session.setUserData(new int(0));
    }
    void greeted(Session &session) override
    {
        std::lock_guard lock(m_mutex);
        m_records[session.id()].greetedAs = session.clientName();
    }
    void received(Session &session, QByteArrayView payload) override
    {
        ++*static_cast<int *>(session.userData());
        {
            std::lock_guard lock(m_mutex);
            Record &r = m_records[session.id()];
            r.client = session.clientName();
            r.policy = session.policy();
            r.messages.append(payload.toByteArray());
        }
        if (payload == "quit")
            session.close(CloseReason::RateLimited);
        else if (payload.startsWith("upper:"))
            session.send(payload.toByteArray().mid(6).toUpper());
    }
    void closed(Session &session, CloseReason reason) override
    {
        auto *count = static_cast<int *>(session.userData());
        std::lock_guard lock(m_mutex);
        Record &r = m_records[session.id()];
        r.closed = reason;
        r.userCount = count ? *count : -1;
        delete count;
        session.setUserData(nullptr);
        sendAfterClose = session.send("late");
    }

    std::optional<Record> record(quint64 id) const
    {
        std::lock_guard lock(m_mutex);
        auto it = m_records.find(id);
        return it == m_records.end() ? std::nullopt : std::optional<Record>(it->second);
    }
    // The one connection seen from this local port.
    quint64 idOfPeerPort(quint16 port) const
    {
        std::lock_guard lock(m_mutex);
        const QString peer = QStringLiteral("127.0.0.1:%1").arg(port);
        for (const auto &entry : m_records) {
            if (entry.second.peer == peer)
                return entry.first;
        }
        return 0;
    }
    std::atomic<bool> sendAfterClose{true};

private:
    mutable std::mutex m_mutex;
    std::map<quint64, Record> m_records;
};

quint16 localPort(int fd)
{
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    return ntohs(addr.sin_port);
}

} // namespace

class tst_MessageHandler : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void callbacksSeeOpenMessagesAndClose();
    void sessionCarriesHelloChoices();
    void sessionSendRepliesInTheFraming();
    void sessionCloseSendsByeWithItsReason();
    void serverSendReachesOneConnection();
    void broadcastSkipsTheExcepted();
    void kickCarriesItsReason();
    void watchdogsApplyWhateverTheHandlerDoes();
    void sinkModeIsTheSinkHandler();

private:
    bool startServer(ServerConfig config = ServerConfig());
    // A client connected and known to the handler: its fd and id.
    std::pair<int, quint64> connectClient();

    std::shared_ptr<RecordingHandler> m_handler;
    std::unique_ptr<Server> m_server;
    std::vector<int> m_fds;
};

bool tst_MessageHandler::startServer(ServerConfig config)
{
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.logToStdout = false;
    config.threads = 2;
    m_server = std::make_unique<Server>();
    m_server->setHandler(m_handler);
    return m_server->start(config);
}

std::pair<int, quint64> tst_MessageHandler::connectClient()
{
    const int fd = rawConnect(m_server->boundAddresses().first().port);
    if (fd < 0)
        return {-1, 0};
    m_fds.push_back(fd);
    const quint16 port = localPort(fd);
    quint64 id = 0;
    QElapsedTimer clock;
    clock.start();
    while ((id = m_handler->idOfPeerPort(port)) == 0 && clock.elapsed() < WaitMs)
        QTest::qWait(5);
    return {fd, id};
}

void tst_MessageHandler::init()
{
    m_handler = std::make_shared<RecordingHandler>();
}

void tst_MessageHandler::cleanup()
{
    for (int fd : m_fds)
        ::close(fd);
    m_fds.clear();
    if (m_server)
        m_server->stopAndWait();
    m_server.reset();
}

void tst_MessageHandler::callbacksSeeOpenMessagesAndClose()
{
    QVERIFY(startServer());
    auto [fd, id] = connectClient();
    QVERIFY(id != 0);
    QVERIFY(rawSend(fd, vigilFrame(Type::Data, "one") + vigilFrame(Type::Ping, "p") + vigilFrame(Type::Data, "two")));
    QCOMPARE(rawReadFrame(fd, WaitMs).first, Type::Pong); // PING is the core's: answered, never handed over
    QTRY_COMPARE_WITH_TIMEOUT(m_handler->record(id)->messages.size(), 2, WaitMs);
    QCOMPARE(m_handler->record(id)->messages, (QList<QByteArray>{"one", "two"}));
    QVERIFY(rawSend(fd, vigilFrame(Type::Bye, QByteArray(1, char(Bye::Normal)))));
    QTRY_VERIFY_WITH_TIMEOUT(m_handler->record(id)->closed.has_value(), WaitMs);
    QCOMPARE(*m_handler->record(id)->closed, CloseReason::Normal);
    QCOMPARE(m_handler->record(id)->userCount, 2); // the user-data slot lived with the connection
    QVERIFY(!m_handler->sendAfterClose);           // closed(): send() no longer works
}

void tst_MessageHandler::sessionCarriesHelloChoices()
{
    QVERIFY(startServer());
    auto [fd, id] = connectClient();
    QVERIFY(id != 0);
    QVERIFY(rawSend(fd, vigilFrame(Type::Hello, R"({"client":"sensor-17","policy":"short"})")));
    QCOMPARE(rawReadFrame(fd, WaitMs).first, Type::Welcome);
    QTRY_COMPARE_WITH_TIMEOUT(m_handler->record(id)->greetedAs, QStringLiteral("sensor-17"), WaitMs);
    QVERIFY(rawSend(fd, vigilFrame(Type::Data, "x")));
    QTRY_COMPARE_WITH_TIMEOUT(m_handler->record(id)->messages.size(), 1, WaitMs);
    QCOMPARE(m_handler->record(id)->client, QStringLiteral("sensor-17"));
    QCOMPARE(m_handler->record(id)->policy, Policy::Short);
}

void tst_MessageHandler::sessionSendRepliesInTheFraming()
{
    ServerConfig config;
    config.framing = Framing::Line;
    QVERIFY(startServer(config));
    auto [fd, id] = connectClient();
    QVERIFY(id != 0);
    QVERIFY(rawSend(fd, "upper:abc\nignored\nupper:xyz\n"));
    QCOMPARE(rawRead(fd, 8, WaitMs), QByteArray("ABC\nXYZ\n")); // only what the handler sent
}

void tst_MessageHandler::sessionCloseSendsByeWithItsReason()
{
    QVERIFY(startServer());
    auto [fd, id] = connectClient();
    QVERIFY(id != 0);
    QVERIFY(rawSend(fd, vigilFrame(Type::Data, "upper:a") + vigilFrame(Type::Data, "quit") + vigilFrame(Type::Data, "after")));
    QCOMPARE(rawReadFrame(fd, WaitMs), std::make_pair(Type::Data, QByteArray("A")));
    QCOMPARE(rawReadFrame(fd, WaitMs), std::make_pair(Type::Bye, QByteArray(1, char(Bye::RateLimited))));
    QVERIFY(rawWaitClosed(fd, WaitMs));
    QTRY_VERIFY_WITH_TIMEOUT(m_handler->record(id)->closed.has_value(), WaitMs);
    QCOMPARE(*m_handler->record(id)->closed, CloseReason::RateLimited);
    QCOMPARE(m_handler->record(id)->messages, (QList<QByteArray>{"upper:a", "quit"})); // nothing after close
}

void tst_MessageHandler::serverSendReachesOneConnection()
{
    QVERIFY(startServer());
    auto [fd1, id1] = connectClient();
    auto [fd2, id2] = connectClient();
    QVERIFY(id1 && id2);
    m_server->send(id2, "for two");
    m_server->send(id1, "for one");
    m_server->send(999999, "nobody"); // not open: ignored
    QCOMPARE(rawReadFrame(fd1, WaitMs), std::make_pair(Type::Data, QByteArray("for one")));
    QCOMPARE(rawReadFrame(fd2, WaitMs), std::make_pair(Type::Data, QByteArray("for two")));
}

void tst_MessageHandler::broadcastSkipsTheExcepted()
{
    QVERIFY(startServer());
    std::vector<std::pair<int, quint64>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(connectClient());
        QVERIFY(clients.back().second != 0);
    }
    const quint64 sender = clients[0].second;
    m_server->broadcast("news", sender);
    // Commands run in order per thread: the marker comes after the
    // broadcast would have, so the sender's first frame proves it got none.
    m_server->send(sender, "marker");
    QCOMPARE(rawReadFrame(clients[0].first, WaitMs), std::make_pair(Type::Data, QByteArray("marker")));
    for (size_t i = 1; i < clients.size(); ++i)
        QCOMPARE(rawReadFrame(clients[i].first, WaitMs), std::make_pair(Type::Data, QByteArray("news")));
}

void tst_MessageHandler::kickCarriesItsReason()
{
    QVERIFY(startServer());
    auto [fd, id] = connectClient();
    QVERIFY(id != 0);
    m_server->kick(id, CloseReason::ServerShutdown);
    QCOMPARE(rawReadFrame(fd, WaitMs), std::make_pair(Type::Bye, QByteArray(1, char(Bye::ServerShutdown))));
    QTRY_VERIFY_WITH_TIMEOUT(m_handler->record(id)->closed.has_value(), WaitMs);
    QCOMPARE(*m_handler->record(id)->closed, CloseReason::ServerShutdown);
}

void tst_MessageHandler::watchdogsApplyWhateverTheHandlerDoes()
{
    ServerConfig config;
    config.idleTimeoutMs = 300;
    QVERIFY(startServer(config));
    auto [fd, id] = connectClient();
    QVERIFY(id != 0);
    QCOMPARE(rawReadFrame(fd, WaitMs), std::make_pair(Type::Bye, QByteArray(1, char(Bye::IdleTimeout))));
    QTRY_VERIFY_WITH_TIMEOUT(m_handler->record(id)->closed.has_value(), WaitMs);
    QCOMPARE(*m_handler->record(id)->closed, CloseReason::IdleTimeout);
}

void tst_MessageHandler::sinkModeIsTheSinkHandler()
{
    // No application handler: the mode's built-in one answers.
    m_handler.reset();
    ServerConfig config;
    config.mode = Mode::Sink;
    QVERIFY(startServer(config));
    const int fd = rawConnect(m_server->boundAddresses().first().port);
    QVERIFY(fd >= 0);
    m_fds.push_back(fd);
    QVERIFY(rawSend(fd, vigilFrame(Type::Data, "swallowed") + vigilFrame(Type::Ping, "p")));
    QCOMPARE(rawReadFrame(fd, WaitMs), std::make_pair(Type::Pong, QByteArray("p"))); // the DATA got no echo
}

QTEST_GUILESS_MAIN(tst_MessageHandler)
#include "tst_messagehandler.moc"
