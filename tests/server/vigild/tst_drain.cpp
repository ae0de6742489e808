// PROTOCOL.md §10 drain (--drain-time) against the real vigild on
// 127.0.0.1: SIGTERM closes the listeners, every connection gets GOAWAY
// server-shutdown with a close time from [0, D] and BYE at that time, the
// closes are spread (10,000 connections, a flat histogram), and vigild
// exits within D + 2 s; a second signal ends the drain at once.
#include "vigildprocess.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace VigilTest;

namespace {
constexpr int WaitMs = 5000;
// A loaded 2-core box (and the sanitizers) may see events late; never early.
constexpr int LateToleranceMs = 1500;
// Reading a GOAWAY is stamped when the test gets to it: a little after it
// arrived. "Not before its time" allows that much.
constexpr int ReadSlackMs = 50;

struct GoAway
{
    int code = -1;
    qint64 ms = -1;
    qint64 atMs = -1;
};

GoAway goAwayOf(const TestClient &client)
{
    const QList<Frame> frames = client.frames(Type::GoAway);
    GoAway g;
    if (frames.isEmpty() || frames.constFirst().payload.size() < 5)
        return g;
    const auto *p = reinterpret_cast<const unsigned char *>(frames.constFirst().payload.constData());
    g.code = p[0];
    g.ms = (qint64(p[1]) << 24) | (qint64(p[2]) << 16) | (qint64(p[3]) << 8) | qint64(p[4]);
    g.atMs = frames.constFirst().atMs;
    return g;
}

// count clients, each connected and logged by vigild; empty if one is not
// within WaitMs.
std::vector<std::unique_ptr<TestClient>> connectClients(VigildProcess &server, int count)
{
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < count; ++i)
        clients.push_back(std::make_unique<TestClient>(server.port()));
    for (auto &c : clients) {
        if (!c->waitConnected())
            return {};
    }
    if (!QTest::qWaitFor([&]() { return server.events(QStringLiteral("connected")).size() == count; }, WaitMs))
        return {};
    return clients;
}

bool refusesConnections(quint16 port)
{
    TestClient probe(port);
    return !probe.waitConnected(2000);
}

// The many-connection test's own client: one epoll set of plain sockets,
// stamping each connection's GOAWAY and BYE (QTcpSocket per connection
// would make the test, not vigild, the bottleneck).
class ManyClients
{
public:
    struct Conn
    {
        int fd = -1;
        QByteArray in;
        qint64 goAwayAtMs = -1;
        qint64 goAwayMs = -1;
        int goAwayCode = -1;
        qint64 byeAtMs = -1;
        int byeCode = -1;
        bool closed = false;
    };

    ManyClients() { m_epoll = ::epoll_create1(EPOLL_CLOEXEC); }
    ~ManyClients()
    {
        for (Conn &c : m_conns) {
            if (c.fd >= 0)
                ::close(c.fd);
        }
        if (m_epoll >= 0)
            ::close(m_epoll);
    }

    // Opens count connections, at most 256 connecting at once; false on
    // any failure (error() says which).
    bool connect(quint16 port, int count, int timeoutMs)
    {
        m_conns.resize(size_t(count));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int next = 0;
        int connecting = 0;
        int done = 0;
        const qint64 deadline = nowMs() + timeoutMs;
        epoll_event events[512];
        while (done < count) {
            while (next < count && connecting < 256) {
                Conn &c = m_conns[size_t(next)];
                c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (c.fd < 0)
                    return fail(QStringLiteral("socket: %1").arg(strerror(errno)));
                if (::connect(c.fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 && errno != EINPROGRESS)
                    return fail(QStringLiteral("connect: %1").arg(strerror(errno)));
                epoll_event ev{};
                ev.events = EPOLLOUT;
                ev.data.u32 = quint32(next);
                ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &ev);
                ++next;
                ++connecting;
            }
            if (nowMs() > deadline)
                return fail(QStringLiteral("only %1 of %2 connected in time").arg(done).arg(count));
            const int n = ::epoll_wait(m_epoll, events, 512, 10);
            for (int i = 0; i < n; ++i) {
                Conn &c = m_conns[events[i].data.u32];
                int error = 0;
                socklen_t length = sizeof error;
                ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
                if (error != 0)
                    return fail(QStringLiteral("connect: %1").arg(strerror(error)));
                epoll_event ev{};
                ev.events = EPOLLIN | EPOLLRDHUP;
                ev.data.u32 = events[i].data.u32;
                ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
                --connecting;
                ++done;
            }
            QCoreApplication::processEvents(); // vigild's log lines
        }
        return true;
    }

    // Reads until every connection is closed or timeoutMs passes.
    bool runUntilClosed(int timeoutMs)
    {
        const qint64 deadline = nowMs() + timeoutMs;
        epoll_event events[512];
        char buffer[4096];
        while (m_closed < int(m_conns.size()) && nowMs() < deadline) {
            const int n = ::epoll_wait(m_epoll, events, 512, 10);
            const qint64 at = nowMs();
            for (int i = 0; i < n; ++i) {
                Conn &c = m_conns[events[i].data.u32];
                for (;;) {
                    const ssize_t got = ::recv(c.fd, buffer, sizeof buffer, 0);
                    if (got > 0) {
                        c.in.append(buffer, qsizetype(got));
                        parse(c, at);
                        continue;
                    }
                    if (got < 0 && (errno == EAGAIN || errno == EINTR))
                        break;
                    ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
                    ::close(c.fd);
                    c.fd = -1;
                    c.closed = true;
                    ++m_closed;
                    break;
                }
            }
            QCoreApplication::processEvents();
        }
        return m_closed == int(m_conns.size());
    }

    const std::vector<Conn> &conns() const { return m_conns; }
    int closedCount() const { return m_closed; }
    QString error() const { return m_error; }

private:
    bool fail(const QString &why)
    {
        m_error = why;
        return false;
    }

    static void parse(Conn &c, qint64 at)
    {
        while (c.in.size() >= 8) {
            const auto *u = reinterpret_cast<const unsigned char *>(c.in.constData());
            const qsizetype length = qsizetype((quint32(u[4]) << 24) | (quint32(u[5]) << 16) | (quint32(u[6]) << 8) | u[7]);
            if (c.in.size() < 8 + length)
                return;
            if (u[3] == Type::GoAway && length >= 5 && c.goAwayAtMs < 0) {
                c.goAwayAtMs = at;
                c.goAwayCode = u[8];
                c.goAwayMs = (qint64(u[9]) << 24) | (qint64(u[10]) << 16) | (qint64(u[11]) << 8) | qint64(u[12]);
            } else if (u[3] == Type::Bye && length >= 1 && c.byeAtMs < 0) {
                c.byeAtMs = at;
                c.byeCode = u[8];
            }
            c.in.remove(0, 8 + length);
        }
    }

    int m_epoll = -1;
    std::vector<Conn> m_conns;
    int m_closed = 0;
    QString m_error;
};
} // namespace

class tst_Drain : public QObject
{
    Q_OBJECT

private slots:
    void drainAnnouncesAndSpreadsCloses();
    void servesUntilItsTime();
    void secondSignalStopsAtOnce();
    void zeroDrainIsAnImmediateStop();
    void framingsWithoutFramesCloseSpreadToo();
    void drainBringsALaterGoAwayForward();
    void reloadDuringDrainIsRefused();
    void tenThousandClosesAreSpread();
};

// Each connection: GOAWAY server-shutdown with ms in [0, D], BYE
// server-shutdown not before then; the listener refuses at once; vigild
// exits 0 within D + 2 s.
void tst_Drain::drainAnnouncesAndSpreadsCloses()
{
    constexpr int DrainMs = 2000;
    constexpr int Clients = 20;
    START_VIGILD(server, {QStringLiteral("--drain-time"), QStringLiteral("2s"), QStringLiteral("--threads"), QStringLiteral("2")});
    auto clients = connectClients(server, Clients);
    QCOMPARE(int(clients.size()), Clients);

    const qint64 signalledAt = nowMs();
    server.terminate();
    for (auto &c : clients)
        QTRY_VERIFY_WITH_TIMEOUT(goAwayOf(*c).code >= 0, WaitMs);
    QVERIFY(refusesConnections(server.port()));

    qint64 earliest = DrainMs;
    qint64 latest = 0;
    for (auto &c : clients) {
        const GoAway g = goAwayOf(*c);
        QCOMPARE(g.code, int(Bye::ServerShutdown));
        QVERIFY2(g.ms >= 0 && g.ms <= DrainMs, qPrintable(QString::number(g.ms)));
        earliest = std::min(earliest, g.ms);
        latest = std::max(latest, g.ms);
    }
    QVERIFY2(latest - earliest > DrainMs / 4, "20 uniform draws from [0, 2000] are not all bunched together");

    for (auto &c : clients) {
        QVERIFY(c->waitClosed(DrainMs + WaitMs));
        const GoAway g = goAwayOf(*c);
        QCOMPARE(c->byeCode(), int(Bye::ServerShutdown));
        const qint64 byeAt = c->frames(Type::Bye).constFirst().atMs;
        QVERIFY2(byeAt >= signalledAt + g.ms, qPrintable(QStringLiteral("BYE %1 ms after the signal, GOAWAY said %2")
                                                              .arg(byeAt - signalledAt).arg(g.ms)));
        QVERIFY2(byeAt >= g.atMs + g.ms - ReadSlackMs, qPrintable(QStringLiteral("BYE %1 ms after the GOAWAY, which said %2")
                                                                       .arg(byeAt - g.atMs).arg(g.ms)));
        QVERIFY2(byeAt <= g.atMs + g.ms + LateToleranceMs, qPrintable(QString::number(byeAt - g.atMs - g.ms)));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), DrainMs + 2000 + LateToleranceMs);
    QVERIFY2(server.finishedAtMs() - signalledAt <= DrainMs + 2000, qPrintable(QString::number(server.finishedAtMs() - signalledAt)));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    QCOMPARE(server.events(QStringLiteral("closed")).size(), Clients);
    for (const QJsonObject &e : server.events(QStringLiteral("closed")))
        QCOMPARE(e.value(QLatin1String("reason")).toString(), QStringLiteral("server-shutdown"));
    QVERIFY(!server.event(QStringLiteral("stopped")).isEmpty());
}

// Until its close time a connection is served as ever: echoes and PONGs.
void tst_Drain::servesUntilItsTime()
{
    START_VIGILD(server, {QStringLiteral("--drain-time"), QStringLiteral("3s")});
    // Of a few clients, one is likely to draw a close time far enough off.
    auto clients = connectClients(server, 6);
    QCOMPARE(int(clients.size()), 6);
    server.terminate();
    for (auto &c : clients)
        QTRY_VERIFY_WITH_TIMEOUT(goAwayOf(*c).code >= 0, WaitMs);
    TestClient *later = nullptr;
    for (auto &c : clients) {
        if (!later || goAwayOf(*c).ms > goAwayOf(*later).ms)
            later = c.get();
    }
    if (goAwayOf(*later).ms < 600)
        QSKIP("every close time drawn was under 600 ms: nothing to serve in between");
    later->sendFrame(Type::Data, "still serving?");
    later->sendFrame(Type::Ping, "p");
    QTRY_VERIFY_WITH_TIMEOUT(!later->frames(Type::Data).isEmpty() && !later->frames(Type::Pong).isEmpty(), WaitMs);
    QCOMPARE(later->frames(Type::Data).constFirst().payload, QByteArray("still serving?"));
    QVERIFY(later->frames(Type::Bye).isEmpty());
    QVERIFY(later->waitClosed(3000 + WaitMs));
    QCOMPARE(later->byeCode(), int(Bye::ServerShutdown));
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), 3000 + WaitMs);
    QCOMPARE(server.exitCode(), 0);
}

// PROTOCOL.md §10: a second SIGTERM/SIGINT during a drain closes
// everything at once, as in v1.
void tst_Drain::secondSignalStopsAtOnce()
{
    constexpr int Clients = 5;
    START_VIGILD(server, {QStringLiteral("--drain-time"), QStringLiteral("60s")});
    auto clients = connectClients(server, Clients);
    QCOMPARE(int(clients.size()), Clients);
    server.terminate();
    for (auto &c : clients)
        QTRY_VERIFY_WITH_TIMEOUT(goAwayOf(*c).code >= 0, WaitMs);
    int stillOpen = 0;
    for (auto &c : clients)
        stillOpen += c->isClosed() ? 0 : 1;
    if (stillOpen == 0)
        QSKIP("every close time drawn from 60 s came first");
    const qint64 secondAt = nowMs();
    server.interrupt();
    for (auto &c : clients) {
        QVERIFY(c->waitClosed(2000 + LateToleranceMs));
        QCOMPARE(c->byeCode(), int(Bye::ServerShutdown));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), 2000 + LateToleranceMs);
    QVERIFY2(server.finishedAtMs() - secondAt <= 2000 + LateToleranceMs, qPrintable(QString::number(server.finishedAtMs() - secondAt)));
    QCOMPARE(server.exitCode(), 0);
}

// D = 0 (the default) is v1's shutdown: BYE at once, no GOAWAY.
void tst_Drain::zeroDrainIsAnImmediateStop()
{
    START_VIGILD(server, {});
    CONNECT_CLIENT(client, server);
    const qint64 signalledAt = nowMs();
    server.terminate();
    QVERIFY(client.waitClosed(2000 + LateToleranceMs));
    QCOMPARE(client.byeCode(), int(Bye::ServerShutdown));
    QVERIFY(client.frames(Type::GoAway).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), 2000 + LateToleranceMs);
    QVERIFY(server.finishedAtMs() - signalledAt <= 2000 + LateToleranceMs);
}

// Line framing has no GOAWAY to send: its connections just close at their
// drawn times, spread all the same.
void tst_Drain::framingsWithoutFramesCloseSpreadToo()
{
    constexpr int DrainMs = 1500;
    constexpr int Clients = 12;
    START_VIGILD(server, {QStringLiteral("--framing"), QStringLiteral("line"), QStringLiteral("--drain-time"), QStringLiteral("1500ms")});
    auto clients = connectClients(server, Clients);
    QCOMPARE(int(clients.size()), Clients);
    const qint64 signalledAt = nowMs();
    server.terminate();
    qint64 first = -1;
    qint64 last = -1;
    for (auto &c : clients) {
        QVERIFY(c->waitClosed(DrainMs + WaitMs));
        QVERIFY(c->received().isEmpty());
        const qint64 after = c->closedAtMs() - signalledAt;
        first = first < 0 ? after : std::min(first, after);
        last = std::max(last, after);
    }
    QVERIFY2(last <= DrainMs + LateToleranceMs, qPrintable(QString::number(last)));
    QVERIFY2(last - first > DrainMs / 4, qPrintable(QStringLiteral("closes from %1 to %2 ms").arg(first).arg(last)));
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), DrainMs + 2000 + LateToleranceMs);
    QCOMPARE(server.exitCode(), 0);
}

// A lifetime grace that ends after the drain: the drain sends a second
// GOAWAY with its earlier time (server-shutdown), so the exit stays within
// D + 2 s and no client is closed before the time it was last told.
void tst_Drain::drainBringsALaterGoAwayForward()
{
    START_VIGILD(server, {QStringLiteral("--max-lifetime"), QStringLiteral("300ms"), QStringLiteral("--lifetime-grace"),
                          QStringLiteral("60s"), QStringLiteral("--drain-time"), QStringLiteral("1s")});
    CONNECT_CLIENT(client, server);
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::GoAway).size(), 1, WaitMs);
    QCOMPARE(goAwayOf(client).code, int(Bye::LifetimeExpired));
    const qint64 signalledAt = nowMs();
    server.terminate();
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::GoAway).size(), 2, WaitMs);
    const QByteArray second = client.frames(Type::GoAway).at(1).payload;
    QCOMPARE(quint8(second.at(0)), quint8(Bye::ServerShutdown));
    QVERIFY(client.waitClosed(1000 + WaitMs));
    QCOMPARE(client.byeCode(), int(Bye::ServerShutdown));
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), 1000 + 2000 + LateToleranceMs);
    QVERIFY(server.finishedAtMs() - signalledAt <= 1000 + 2000 + LateToleranceMs);
}

// A reload during a drain would rebind the closed listeners: refused, and
// said so; the drain goes on.
void tst_Drain::reloadDuringDrainIsRefused()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile config(dir.filePath(QStringLiteral("vigild.conf")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("listen = 127.0.0.1:0\nlog-format = json\ndrain-time = 1500ms\n");
    config.close();
    START_VIGILD(server, {QStringLiteral("--config"), config.fileName()});
    CONNECT_CLIENT(client, server);
    server.terminate();
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::GoAway).size(), 1, WaitMs);
    ::kill(pid_t(server.pid()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(!server.event(QStringLiteral("reload-failed")).isEmpty(), WaitMs);
    QCOMPARE(server.event(QStringLiteral("reload-failed")).value(QLatin1String("error")).toString(),
             QStringLiteral("the server is draining"));
    QVERIFY(client.waitClosed(1500 + WaitMs));
    QCOMPARE(client.byeCode(), int(Bye::ServerShutdown));
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), 1500 + WaitMs);
    QCOMPARE(server.exitCode(), 0);
}

// The reliability check: 10,000 connections drained over 5 s. No
// BYE before its GOAWAY's time, the closes per 100 ms flat within a factor
// of 2, and vigild gone within D + 2 s. VIGIL_DRAIN_CONNECTIONS lowers the
// count for the sanitizer builds.
void tst_Drain::tenThousandClosesAreSpread()
{
    constexpr int DrainMs = 5000;
    constexpr int BinMs = 100;
    const int count = qEnvironmentVariableIsSet("VIGIL_DRAIN_CONNECTIONS") ? qEnvironmentVariableIntValue("VIGIL_DRAIN_CONNECTIONS") : 10000;
    // Both ends in this box: the test's sockets here, vigild's there, each
    // under the 20,000-descriptor cap.
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_max < rlim_t(count + 200))
        QSKIP(qPrintable(QStringLiteral("needs %1 descriptors, the hard limit is %2").arg(count + 200).arg(limit.rlim_max)));
    limit.rlim_cur = rlim_t(count + 200);
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &limit), 0);

    VigildProcess server;
    server.setOpenFileLimit(rlim_t(count + 200), rlim_t(count + 200));
    QVERIFY2(server.start({QStringLiteral("--drain-time"), QStringLiteral("5s"), QStringLiteral("--threads"), QStringLiteral("2"),
                           QStringLiteral("--idle-timeout"), QStringLiteral("0")}),
             qPrintable(server.errorString()));
    ManyClients clients;
    QVERIFY2(clients.connect(server.port(), count, 60000), qPrintable(clients.error()));
    QTRY_COMPARE_WITH_TIMEOUT(server.events(QStringLiteral("connected")).size(), count, 60000);

    const qint64 signalledAt = nowMs();
    server.terminate();
    QVERIFY2(clients.runUntilClosed(DrainMs + 2000 + 10000),
             qPrintable(QStringLiteral("%1 of %2 closed").arg(clients.closedCount()).arg(count)));

    qint64 firstGoAway = -1;
    for (const ManyClients::Conn &c : clients.conns()) {
        QVERIFY2(c.goAwayAtMs >= 0, "a connection closed without GOAWAY");
        firstGoAway = firstGoAway < 0 ? c.goAwayAtMs : std::min(firstGoAway, c.goAwayAtMs);
    }
    std::vector<int> bins(DrainMs / BinMs + 1, 0);
    int early = 0;
    for (const ManyClients::Conn &c : clients.conns()) {
        QCOMPARE(c.goAwayCode, int(Bye::ServerShutdown));
        QVERIFY(c.goAwayMs >= 0 && c.goAwayMs <= DrainMs);
        QCOMPARE(c.byeCode, int(Bye::ServerShutdown));
        if (c.byeAtMs < signalledAt + c.goAwayMs || c.byeAtMs < c.goAwayAtMs + c.goAwayMs - ReadSlackMs * 2)
            ++early;
        const qint64 bin = std::clamp<qint64>((c.byeAtMs - firstGoAway) / BinMs, 0, qint64(bins.size()) - 1);
        ++bins[size_t(bin)];
    }
    QCOMPARE(early, 0);
    // The first and last bins are partial (the GOAWAYs go out over a few
    // milliseconds); the ones in between each cover a full 100 ms.
    const auto inner = std::minmax_element(bins.begin() + 1, bins.end() - 2);
    QString histogram;
    for (int n : bins)
        histogram += QString::number(n) + QLatin1Char(' ');
    qInfo("closes per %d ms: %s", BinMs, qPrintable(histogram));
    // Uniform close times put Binomial(count, BinMs / DrainMs) closes in a
    // full bin: every one must lie within 5 standard deviations of the mean
    // (a bunched or gapped drain misses that by far), and at the issue's
    // 10,000 (200 a bin, noise ±14) the whole range within a factor of 2.
    // A 2,000-connection sanitizer run (40 a bin, noise ±6) keeps only the
    // first check: its min and max differ by 2× through noise alone.
    const double mean = std::accumulate(bins.begin() + 1, bins.end() - 2, 0.0) / double(bins.size() - 3);
    const double spread = 5.0 * std::sqrt(mean);
    QVERIFY2(*inner.first >= mean - spread && *inner.second <= mean + spread, qPrintable(histogram));
    if (mean >= 100)
        QVERIFY2(*inner.first > 0 && *inner.second <= 2 * *inner.first, qPrintable(histogram));
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), 2000 + LateToleranceMs);
    qInfo("vigild exited %lld ms after SIGTERM", server.finishedAtMs() - signalledAt);
    QVERIFY2(server.finishedAtMs() - signalledAt <= DrainMs + 2000, qPrintable(QString::number(server.finishedAtMs() - signalledAt)));
    QCOMPARE(server.exitCode(), 0);
}

QTEST_GUILESS_MAIN(tst_Drain)
#include "tst_drain.moc"
