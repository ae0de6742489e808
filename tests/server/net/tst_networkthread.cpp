// NetworkThread's close paths with real loopback pairs: the test accepts
// on 127.0.0.1 and hands the server side to adopt(), as the acceptor does.
// Whatever ends one connection (a reset after full reads, a hangup with
// replies still queued, a kick while its output waits) is counted once and
// leaves every other connection of the thread with exactly its own replies.
#include "closereason.h"
#include "loopbacksocket.h"
#include "networkthread.h"
#include "peeraddress.h"
#include "serverconfig.h"
#include "testwire.h"

#include <QElapsedTimer>
#include <QTest>

#include <sys/resource.h>

#include <fcntl.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

using namespace Vigil;
using namespace VigilTest;

namespace {
constexpr int WaitMs = 5000;
// A timer never fires early but may fire late on a loaded 2-core box.
constexpr int LateToleranceMs = 1500;
// NetworkThread reads at most this much per recv.
constexpr qsizetype ReadChunk = 64 * 1024;
// The test's side of a pair: large enough that a few reads' worth of
// bytes sit in the server's receive buffer at once.
constexpr int LargeBuffer = 1024 * 1024;

QByteArray data(const QByteArray &payload)
{
    return vigilFrame(Type::Data, payload);
}

// DATA frames of exactly 1024 wire bytes, `bytes` in all.
QByteArray bulk(qsizetype bytes, char fill)
{
    return data(QByteArray(1024 - 8, fill)).repeated(bytes / 1024);
}


// The thread's publisher: keeps the latest snapshot of each connection
// and, when armed, holds the loop inside its next publish until
// released, so bytes, FINs and RSTs pile up for one wake-up, as they do
// on a busy thread.
class LoopGate final
{
public:
    NetworkThread::Publisher publisher()
    {
        return [this](ServerBatch &&batch) {
            std::unique_lock<std::mutex> lock(m_mutex);
            for (const ConnectionSnapshot &s : std::as_const(batch.updated))
                m_snapshots[s.id] = s;
            if (!m_armed || m_open)
                return;
            m_held = true;
            m_changed.notify_all();
            m_changed.wait(lock, [this]() { return m_released || m_open; });
            m_armed = m_held = m_released = false;
        };
    }
    void arm()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_armed = true;
    }
    bool isHeld()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_held;
    }
    void release()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_released = true;
        m_changed.notify_all();
    }
    // Never holds again (before the thread is stopped).
    void open()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_open = true;
        m_changed.notify_all();
    }
    quint64 pendingOut(quint64 id)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_snapshots.find(id);
        return it == m_snapshots.end() ? 0 : it->second.pendingOut;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::map<quint64, ConnectionSnapshot> m_snapshots;
    bool m_armed = false;
    bool m_held = false;
    bool m_released = false;
    bool m_open = false;
};

// A client and the id its server side was adopted under.
struct Peer
{
    LoopbackSocket socket;
    quint64 id = 0;
};

// One running NetworkThread and a listener whose accepted sockets it adopts.
class Fixture final
{
public:
    explicit Fixture(const ServerConfig &config)
        : m_listener(LargeBuffer)
        , m_thread(std::make_unique<NetworkThread>(0, std::make_shared<const ServerConfig>(config), m_admission,
                                                   m_gate.publisher()))
    {
        m_thread->start();
    }
    ~Fixture()
    {
        m_gate.open(); // a failed check must not leave the loop held
        m_thread.reset();
    }

    bool isValid() const { return m_listener.isValid() && m_thread->isRunning(); }
    NetworkThread &thread() { return *m_thread; }
    LoopGate &gate() { return m_gate; }
    const ThreadCounters &counters() const { return m_thread->counters(); }
    quint64 closes(CloseReason reason) const { return counters().closes[size_t(closeReasonIndex(reason))].value(); }
    quint64 allCloses() const
    {
        quint64 sum = 0;
        for (const SingleWriterCounter &c : counters().closes)
            sum += c.value();
        return sum;
    }

    // Connects a client; adopt the server side now or later with adopt().
    Peer connect(bool adoptNow = true)
    {
        Peer p;
        p.socket = LoopbackSocket::connectTo(m_listener.port(), LargeBuffer);
        m_pending = m_listener.accept();
        p.id = m_nextId++;
        if (adoptNow)
            adopt(p);
        return p;
    }
    // Hands the server side of the last connect() to the thread.
    void adopt(const Peer &p)
    {
        const int fd = m_pending.release();
        const PeerAddress peer = PeerAddress::ofSocket(fd);
        m_admission.tryAdmit(peer);
        m_thread->adopt(fd, p.id, peer);
    }
    // Holds the loop in its next publish (see LoopGate); false if it never got there.
    bool hold()
    {
        m_gate.arm();
        m_thread->setPublishInterval(10, true); // a full snapshot: the next tick publishes
        return QTest::qWaitFor([&]() { return m_gate.isHeld(); }, WaitMs);
    }
    void release() { m_gate.release(); }

private:
    AdmissionControl m_admission;
    LoopGate m_gate;
    LoopbackListener m_listener;
    LoopbackSocket m_pending;
    quint64 m_nextId = 1;
    std::unique_ptr<NetworkThread> m_thread; // last: stopped before the rest goes
};

ServerConfig testConfig()
{
    ServerConfig c;
    c.logToStdout = false;
    c.threads = 1;
    c.idleTimeoutMs = 60000;
    c.writeTimeoutMs = 60000;
    c.maxSendBuffer = 256 * 1024 * 1024; // output may wait without a slow-consumer close
    return c;
}

// Writes DATA frames the peer will not read back until the server holds
// output it cannot send (its snapshot shows pendingOut). `sent` gets it all.
bool fillServerOutput(Fixture &f, Peer &p, QByteArray *sent, quint64 atLeast)
{
    const QByteArray chunk = data(QByteArray(ReadChunk - 8, 'k'));
    qsizetype offset = 0;
    f.thread().setPublishInterval(10, false);
    const bool filled = QTest::qWaitFor(
        [&]() {
            for (;;) {
                if (offset == 0)
                    *sent += chunk;
                const qsizetype n = p.socket.sendSome(sent->constData() + sent->size() - chunk.size() + offset,
                                                      chunk.size() - offset);
                if (n <= 0)
                    break;
                offset = (offset + n) % chunk.size();
                if (offset == 0)
                    break; // one chunk per poll: let the server catch up
            }
            return f.gate().pendingOut(p.id) >= atLeast || sent->size() > 64 * 1024 * 1024;
        },
        20000);
    if (offset != 0)
        sent->chop(chunk.size() - offset); // only what the socket took
    return filled && f.gate().pendingOut(p.id) >= atLeast;
}
} // namespace

class tst_NetworkThread : public QObject
{
    Q_OBJECT

private slots:
    void resetAfterFullReads_data();
    void resetAfterFullReads();
    void hangupWithPendingReplies_data();
    void hangupWithPendingReplies();
    void kickDuringFlush();
    void unwatchableDescriptorIsNotAdopted();
    void noDescriptorsForTheLoopIsAnError();
};

void tst_NetworkThread::resetAfterFullReads_data()
{
    QTest::addColumn<int>("reads");
    QTest::addColumn<bool>("whileBusy");
    QTest::newRow("1 read, loop busy") << 1 << true;
    QTest::newRow("3 reads, loop busy") << 3 << true;
    QTest::newRow("1 read, before adoption") << 1 << false;
}

// B's bytes fill exactly `reads` of the thread's reads and B resets, so
// the read after them fails; A's next echo must still be exactly A's.
void tst_NetworkThread::resetAfterFullReads()
{
    QFETCH(int, reads);
    QFETCH(bool, whileBusy);

    Fixture f(testConfig());
    QVERIFY(f.isValid());
    Peer a = f.connect();
    QByteArray got;
    QVERIFY2(echoesExactly(a.socket, data("A:hello"), &got), qPrintable(printable(got)));
    Peer b = f.connect(whileBusy);
    if (whileBusy) {
        QVERIFY2(echoesExactly(b.socket, data("B:hello"), &got), qPrintable(printable(got)));
        QVERIFY2(f.hold(), "the loop never published");
    }

    const QByteArray burst = bulk(reads * ReadChunk, 'b');
    QVERIFY(b.socket.sendAll(burst));
    QTRY_VERIFY2_WITH_TIMEOUT(b.socket.sendQueue() == 0, "B's bytes never reached the server's receive buffer", WaitMs);
    b.socket.reset();
    const QByteArray mine = data("A:after-the-reset");
    if (whileBusy) {
        QVERIFY(a.socket.sendAll(mine));
        QTRY_COMPARE_WITH_TIMEOUT(a.socket.sendQueue(), 0, WaitMs);
        f.release();
    } else {
        f.adopt(b);
        QTRY_COMPARE_WITH_TIMEOUT(f.closes(CloseReason::Reset), quint64(1), WaitMs);
        QVERIFY(a.socket.sendAll(mine));
    }
    got.clear();
    collectReply(a.socket, &got, mine.size());
    QVERIFY2(got == mine, qPrintable(QStringLiteral("A ") + foreignReply(got, mine, 'b')));

    // Counted once, as a reset, after the thread really read B's bytes.
    QTRY_COMPARE_WITH_TIMEOUT(f.counters().closed.value(), quint64(1), WaitMs);
    QCOMPARE(f.closes(CloseReason::Reset), quint64(1));
    QCOMPARE(f.allCloses(), quint64(1));
    QCOMPARE(f.counters().accepted.value(), quint64(2));
    QVERIFY2(f.counters().bytesIn.value() >= quint64(burst.size()),
             qPrintable(QStringLiteral("read %1 bytes").arg(f.counters().bytesIn.value())));
    QVERIFY2(echoesExactly(a.socket, data("A:again"), &got), qPrintable(foreignReply(got, data("A:again"), 'b')));
    QVERIFY(f.thread().isRunning());
}

void tst_NetworkThread::hangupWithPendingReplies_data()
{
    QTest::addColumn<QString>("how");
    QTest::addColumn<QByteArray>("burst");
    QTest::addColumn<int>("reason");
    const QByteArray few = data("c:1") + data("c:22") + data(QByteArray(1000, 'c')) + data(QByteArray());
    QTest::newRow("FIN after messages") << "fin" << few << int(CloseReason::ClientClosed);
    QTest::newRow("FIN after a full read") << "fin" << bulk(ReadChunk, 'c') << int(CloseReason::ClientClosed);
    QTest::newRow("RST after messages") << "rst" << few << int(CloseReason::Reset);
    QTest::newRow("RST with output queued") << "rst-queued" << QByteArray() << int(CloseReason::Reset);
}

// C's messages and its hangup reach the thread in one wake-up (or, for
// "queued", after the server's output to C has backed up). The thread
// counts the close once with the right reason, keeps running, and A,
// next to C, gets exactly its own echoes.
void tst_NetworkThread::hangupWithPendingReplies()
{
    QFETCH(QString, how);
    QFETCH(QByteArray, burst);
    QFETCH(int, reason);

    Fixture f(testConfig());
    QVERIFY(f.isValid());
    Peer a = f.connect();
    QByteArray got;
    QVERIFY2(echoesExactly(a.socket, data("A:hello"), &got), qPrintable(printable(got)));
    Peer c = f.connect();
    QVERIFY2(echoesExactly(c.socket, data("C:hello"), &got), qPrintable(printable(got)));

    if (how == QLatin1String("rst-queued")) {
        QVERIFY2(fillServerOutput(f, c, &burst, 1), "the server's output to C never backed up");
        c.socket.reset();
    } else {
        QVERIFY2(f.hold(), "the loop never published");
        QVERIFY(c.socket.sendAll(burst));
        QTRY_COMPARE_WITH_TIMEOUT(c.socket.sendQueue(), 0, WaitMs);
        if (how == QLatin1String("fin"))
            c.socket.shutdownWrite();
        else
            c.socket.reset();
        f.release();
    }

    QTRY_COMPARE_WITH_TIMEOUT(f.closes(CloseReason(reason)), quint64(1), WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(f.counters().closed.value(), quint64(1), WaitMs);
    QCOMPARE(f.allCloses(), quint64(1));
    QVERIFY(f.thread().isRunning());
    if (how == QLatin1String("fin")) {
        // A FIN only ends C's sending: it still gets every reply, then EOF.
        QByteArray back;
        QVERIFY(QTest::qWaitFor(
            [&]() {
                c.socket.readAvailable(&back);
                return c.socket.atEnd();
            },
            WaitMs));
        QCOMPARE(c.socket.error(), 0);
        QVERIFY2(back == burst, qPrintable(foreignReply(back, burst, 'a')));
    }
    QVERIFY2(echoesExactly(a.socket, data("A:after"), &got), qPrintable(foreignReply(got, data("A:after"), 'c')));
    QVERIFY2(!got.contains('k') && !got.contains('c'), qPrintable(printable(got)));
}

// An operator's kick while K's output waits on a peer that does not read:
// the flush gets its 1 s budget and no more, the close is counted as a
// kick, K's peer never sees bytes that were not its own echoes, and A's
// echo is still exactly A's.
void tst_NetworkThread::kickDuringFlush()
{
    Fixture f(testConfig());
    QVERIFY(f.isValid());
    Peer a = f.connect();
    QByteArray got;
    QVERIFY2(echoesExactly(a.socket, data("A:hello"), &got), qPrintable(printable(got)));
    Peer k = f.connect();
    QByteArray sent;
    QVERIFY2(fillServerOutput(f, k, &sent, 1024 * 1024), "the server's output to K never backed up");

    QElapsedTimer sinceKick;
    sinceKick.start();
    f.thread().kick(k.id);
    QTRY_COMPARE_WITH_TIMEOUT(f.closes(CloseReason::Kicked), quint64(1), 1000 + LateToleranceMs);
    QTRY_COMPARE_WITH_TIMEOUT(f.counters().closed.value(), quint64(1), 1000 + LateToleranceMs);
    const qint64 closedAfterMs = sinceKick.elapsed();
    QVERIFY2(closedAfterMs <= 1000 + LateToleranceMs, qPrintable(QString::number(closedAfterMs)));
    QCOMPARE(f.allCloses(), quint64(1));
    QVERIFY(f.thread().isRunning());

    // What reached K's peer is a prefix of its own echoes (the BYE queued
    // behind them never got out, nor did anything else).
    QByteArray back;
    QVERIFY(QTest::qWaitFor(
        [&]() {
            k.socket.readAvailable(&back);
            return k.socket.atEnd();
        },
        WaitMs));
    QVERIFY(!back.isEmpty());
    QVERIFY2(back.size() < sent.size() && sent.startsWith(back),
             qPrintable(QStringLiteral("K's peer got %1 of %2 bytes: ...%3")
                            .arg(back.size())
                            .arg(sent.size())
                            .arg(printable(back.right(48)))));

    QVERIFY2(echoesExactly(a.socket, data("A:after"), &got), qPrintable(foreignReply(got, data("A:after"), 'k')));
}

// epoll refuses a regular file (EPERM): the thread must close it, count it
// and say so, never keep a connection it does not poll.
void tst_NetworkThread::unwatchableDescriptorIsNotAdopted()
{
    Fixture f(testConfig());
    QVERIFY(f.isValid());
    const int file = ::open(VIGIL_SOURCE_DIR "/CMakeLists.txt", O_RDONLY | O_CLOEXEC);
    QVERIFY(file >= 0);
    f.thread().adopt(file, 4242, PeerAddress());
    QTRY_COMPARE_WITH_TIMEOUT(f.counters().pollFailures.value(), quint64(1), WaitMs);
    QCOMPARE(f.counters().rejected.value(), quint64(1));
    QCOMPARE(f.counters().accepted.value(), quint64(0));
    QTRY_VERIFY_WITH_TIMEOUT(::fcntl(file, F_GETFD) == -1 && errno == EBADF, WaitMs); // closed, not leaked
    // The thread goes on serving real connections.
    Peer p = f.connect();
    QVERIFY(p.socket.sendAll(data("still here")));
    QByteArray got;
    collectReply(p.socket, &got, data("still here").size());
    QCOMPARE(got, data("still here"));
}

// Out of descriptors before the loop exists: the thread reports it, and
// Server::start fails with that line instead of running a thread that
// polls nothing (vigild: exit 1).
void tst_NetworkThread::noDescriptorsForTheLoopIsAnError()
{
    rlimit saved{};
    QVERIFY(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    // The lowest free descriptor is N: every one below it is taken, so a
    // soft limit of N leaves none for the thread's epoll instance.
    const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    QVERIFY(probe >= 0);
    ::close(probe);
    const rlimit tight{rlim_t(probe), saved.rlim_max};
    QVERIFY(::setrlimit(RLIMIT_NOFILE, &tight) == 0);
    AdmissionControl admission;
    auto config = std::make_shared<const ServerConfig>(testConfig());
    NetworkThread thread(0, config, admission, nullptr);
    const QString error = thread.errorString();
    QVERIFY(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
    QVERIFY2(error.startsWith(QLatin1String("network thread 0: epoll_create1: ")), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_NetworkThread)
#include "tst_networkthread.moc"
