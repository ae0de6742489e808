// Upstream (forward mode's per-client connection) through a real Server on
// 127.0.0.1, with plain sockets for the upstream so the test controls what
// a service does that Qt sockets hide: a full accept queue (the connect
// never completes), a receive buffer nobody reads, a close mid-stream.
// Checks what the end-to-end tst_forward cannot see from outside: the
// failure causes counted in the stats and the memory budget given back.
#include "rawclient.h"
#include "server.h"
#include "testwire.h"

#include <QTest>

#include <algorithm>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Vigil;
using namespace VigilTest;

namespace {
constexpr int WaitMs = 5000;

// A listening loopback socket on an ephemeral port, not accepting by itself.
struct RawListener
{
    int fd = -1;
    quint16 port = 0;
    explicit RawListener(int backlog = 16)
    {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
        ::listen(fd, backlog);
        socklen_t len = sizeof(addr);
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ~RawListener() { ::close(fd); }
    // The next connection within timeoutMs, or -1.
    int accept(int timeoutMs = WaitMs)
    {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0)
            return -1;
        return ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    }
};

} // namespace

class tst_Upstream : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void relaysAndCountsNothingWhenTheClientLeaves();
    void upstreamCloseIsCountedAsClosed();
    void connectTimeoutAfterFiveSeconds();
    void stalledUpstreamHoldsAtMostTheBound();

private:
    bool startServer(quint16 upstreamPort, ServerConfig config = ServerConfig());
    // A client of the server and the upstream connection vigild opened
    // for it, both closed in cleanup(); -1 for what did not come.
    std::pair<int, int> connectThrough(RawListener &upstream, bool nonBlockingClient = false);
    quint64 failures(UpstreamFailure cause) const { return m_server->stats().upstreamFailuresFor(cause); }

    std::unique_ptr<Server> m_server;
    std::vector<int> m_fds;
};

bool tst_Upstream::startServer(quint16 upstreamPort, ServerConfig config)
{
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.logToStdout = false;
    config.threads = 1;
    config.mode = Mode::Forward;
    config.upstream = *UpstreamAddress::parse(QStringLiteral("127.0.0.1:%1").arg(upstreamPort));
    m_server = std::make_unique<Server>();
    return m_server->start(config);
}

std::pair<int, int> tst_Upstream::connectThrough(RawListener &upstream, bool nonBlockingClient)
{
    const int client = rawConnect(m_server->boundAddresses().first().port, nonBlockingClient);
    m_fds.push_back(client);
    const int service = upstream.accept();
    if (service >= 0)
        m_fds.push_back(service);
    return {client, service};
}

void tst_Upstream::cleanup()
{
    for (int fd : m_fds)
        ::close(fd);
    m_fds.clear();
    if (m_server)
        m_server->stopAndWait();
    m_server.reset();
}

void tst_Upstream::relaysAndCountsNothingWhenTheClientLeaves()
{
    RawListener upstream;
    QVERIFY(startServer(upstream.port));
    const auto [client, service] = connectThrough(upstream);
    QVERIFY(service >= 0);
    QVERIFY(rawSend(client, vigilFrame(Type::Data, "ping?")));
    QCOMPARE(rawRead(service, 5, WaitMs), QByteArray("ping?"));
    QVERIFY(rawSend(service, "pong!"));
    const auto [type, payload] = rawReadFrame(client, WaitMs);
    QCOMPARE(type, Type::Data);
    QCOMPARE(payload, QByteArray("pong!"));
    // The client leaves: the upstream sees EOF, and no failure is counted.
    QVERIFY(rawSend(client, vigilFrame(Type::Bye, QByteArray(1, char(11)))));
    QVERIFY(rawWaitClosed(service, WaitMs));
    for (const UpstreamFailureInfo &info : UpstreamFailures)
        QCOMPARE(failures(info.cause), quint64(0));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->stats().bufferedBytes, qint64(0), WaitMs);
}

void tst_Upstream::upstreamCloseIsCountedAsClosed()
{
    RawListener upstream;
    QVERIFY(startServer(upstream.port));
    const auto [client, service] = connectThrough(upstream);
    QVERIFY(service >= 0);
    QVERIFY(rawSend(service, "bye now"));
    m_fds.erase(std::remove(m_fds.begin(), m_fds.end(), service), m_fds.end());
    ::close(service);
    QCOMPARE(rawReadFrame(client, WaitMs).second, QByteArray("bye now"));
    const auto [type, payload] = rawReadFrame(client, WaitMs);
    QCOMPARE(type, Type::Bye);
    QCOMPARE(quint8(payload.at(0)), quint8(12));
    QTRY_COMPARE_WITH_TIMEOUT(failures(UpstreamFailure::Closed), quint64(1), WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->stats().closesFor(CloseReason::UpstreamClosed), quint64(1), WaitMs);
}

// PROTOCOL.md §8: "could not be reached within 5 s". A listener whose
// accept queue is full drops the SYN, so the connect neither completes nor
// fails; the client is told after 5 s, never before.
void tst_Upstream::connectTimeoutAfterFiveSeconds()
{
    RawListener upstream(0);
    // Fill the accept queue (backlog 0 holds one) and wait until it is full.
    for (int i = 0; i < 3; ++i)
        m_fds.push_back(rawConnect(upstream.port, true));
    QTest::qWait(200);
    QVERIFY(startServer(upstream.port));
    QElapsedTimer clock;
    clock.start();
    const int client = rawConnect(m_server->boundAddresses().first().port);
    m_fds.push_back(client);
    const auto [type, payload] = rawReadFrame(client, 4 * WaitMs);
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(type, Type::Bye);
    QCOMPARE(quint8(payload.at(0)), quint8(12));
    QVERIFY2(elapsed >= 5000, qPrintable(QStringLiteral("BYE after %1 ms").arg(elapsed)));
    QCOMPARE(failures(UpstreamFailure::ConnectTimeout), quint64(1));
}

// Client bytes the upstream does not take: held up to --max-send-buffer
// (plus what one read already held), the client no longer read, and the
// memory given back when the connection ends.
void tst_Upstream::stalledUpstreamHoldsAtMostTheBound()
{
    RawListener upstream;
    ServerConfig config;
    config.maxPayload = 16 * 1024;
    config.maxSendBuffer = 64 * 1024;
    config.writeTimeoutMs = 2000;
    QVERIFY(startServer(upstream.port, config));
    const auto [client, service] = connectThrough(upstream, true);
    QVERIFY(service >= 0);
    // Push until the client's own socket refuses more: backpressure.
    const QByteArray message = vigilFrame(Type::Data, QByteArray(16 * 1024, 'x'));
    qint64 sent = 0;
    qint64 offset = 0; // within the message: a partial send is finished first, so the stream stays framed
    QElapsedTimer clock;
    clock.start();
    qint64 peak = 0;
    while (clock.elapsed() < 3000) {
        const ssize_t n = ::send(client, message.constData() + offset, size_t(message.size() - offset), MSG_NOSIGNAL);
        if (n > 0) {
            sent += n;
            offset = (offset + n) % message.size();
            continue;
        }
        if (n < 0 && errno != EAGAIN)
            break;
        peak = std::max(peak, m_server->stats().bufferedBytes);
        pollfd writable{client, POLLOUT, 0};
        if (::poll(&writable, 1, 300) == 0)
            break; // not writable for 300 ms: vigild has stopped reading
    }
    QVERIFY2(sent > 0, "nothing could be sent");
    peak = std::max(peak, m_server->stats().bufferedBytes);
    // The bound, the read in flight (64 KiB scratch, at most 4 reads) and
    // the buffers' doubling: far below what was sent.
    QVERIFY2(peak <= 2 * (64 * 1024 + 4 * 64 * 1024),
             qPrintable(QStringLiteral("vigild held %1 bytes (%2 sent)").arg(peak).arg(sent)));
    // The upstream never drains: after the write timeout, BYE 12.
    QTRY_COMPARE_WITH_TIMEOUT(failures(UpstreamFailure::Stalled), quint64(1), 2000 + 2 * WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->stats().bufferedBytes, qint64(0), WaitMs);
}

QTEST_GUILESS_MAIN(tst_Upstream)
#include "tst_upstream.moc"
