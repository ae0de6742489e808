// Reply isolation, end to end: a connection's replies go to its own peer
// and nowhere else, whatever another connection on the same network thread
// does. The real vigild on 127.0.0.1, plain sockets (for RST on close and
// send-queue depth), and SIGSTOP to line up "another peer sent a full read
// and reset" with "my next reply" deterministically.
#include "loopbacksocket.h"
#include "vigildprocess.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTest>

#include <algorithm>
#include <cstring>
#include <poll.h>
#include <utility>
#include <vector>

using namespace VigilTest;

namespace {
constexpr int WaitMs = 5000;
// vigild's read size per recv (NetworkThread's read buffer).
constexpr int ReadChunk = 64 * 1024;
// Streamed through B before the stop, so the kernel's receive-buffer
// autotuning has grown vigild's side of B past k x 64 KiB (a fresh socket
// holds about 128 KiB).
constexpr qsizetype WarmupBytes = 4 * 1024 * 1024;
constexpr int LargeSendBuffer = 1024 * 1024;
// A stopped vigild takes B's burst into its receive buffer within FitMs or
// not at all; FitAttempts warm-ups grow that buffer before the row gives up.
constexpr int FitMs = 1500;
constexpr int FitAttempts = 4;

QByteArray framed(const QString &framing, const QByteArray &payload)
{
    if (framing == QLatin1String("vigil"))
        return vigilFrame(Type::Data, payload);
    return payload + '\n'; // line
}

// Messages of exactly 1024 wire bytes, `bytes` in all (a multiple of 1024).
QByteArray bulk(const QString &framing, qsizetype bytes, char fill)
{
    const qsizetype overhead = framing == QLatin1String("vigil") ? 8 : 1;
    const QByteArray one = framed(framing, QByteArray(1024 - overhead, fill));
    Q_ASSERT(one.size() == 1024 && bytes % 1024 == 0);
    return one.repeated(bytes / 1024);
}

char processState(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return '?';
    const QByteArray stat = f.readAll();
    const qsizetype close = stat.lastIndexOf(')'); // comm may hold spaces
    return close > 0 && close + 2 < stat.size() ? stat.at(close + 2) : '?';
}

// SIGCONT on the way out, whichever way the test ends.
struct Resume
{
    qint64 pid;
    ~Resume() { ::kill(pid_t(pid), SIGCONT); }
};


// Streams `total` bytes (chunk after chunk) through the echo, checking every byte.
bool streamThrough(LoopbackSocket &s, const QByteArray &chunk, qsizetype total, QString *why)
{
    qsizetype sent = 0, verified = 0;
    bool wrong = false;
    QByteArray back;
    const bool finished = QTest::qWaitFor(
        [&]() {
            while (sent < total && sent - verified < 512 * 1024) {
                const qsizetype offset = sent % chunk.size();
                const qsizetype room = std::min(chunk.size() - offset, total - sent);
                const qsizetype n = s.sendSome(chunk.constData() + offset, room);
                if (n <= 0)
                    break;
                sent += n;
            }
            back.clear();
            s.readAvailable(&back);
            for (char c : std::as_const(back)) {
                if (verified >= sent || c != chunk.at(verified % chunk.size())) {
                    wrong = true;
                    return true;
                }
                ++verified;
            }
            return verified >= total || s.atEnd();
        },
        20000);
    if (!finished || wrong || verified < total) {
        *why = QStringLiteral("warm-up stream: %1 of %2 bytes echoed%3")
                   .arg(verified)
                   .arg(total)
                   .arg(wrong ? QStringLiteral(", then a wrong byte") : QString());
        return false;
    }
    return true;
}
} // namespace

class ReplyIsolation : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void resetAfterFullReadsLeaksNothing_data();
    void resetAfterFullReadsLeaksNothing();
    void resettingNeighboursUnderLoad_data();
    void resettingNeighboursUnderLoad();
};

void ReplyIsolation::initTestCase()
{
    QVERIFY2(QFile::exists(QStringLiteral(VIGILD_PATH)), VIGILD_PATH);
}

void ReplyIsolation::resetAfterFullReadsLeaksNothing_data()
{
    QTest::addColumn<QString>("framing");
    QTest::addColumn<int>("reads");
    for (const char *framing : {"vigil", "line"}) {
        for (int k = 1; k <= 3; ++k)
            QTest::addRow("%s, %d x 64 KiB", framing, k) << QString::fromLatin1(framing) << k;
    }
}

// Peer B's bytes fill exactly k of vigild's reads and B resets; vigild
// sees the reset on the read after them. Peer A, on the same network
// thread, sends one message in the same wake-up. A must get its echo and
// nothing of B's: the replies vigild built from B's reads die with B.
void ReplyIsolation::resetAfterFullReadsLeaksNothing()
{
    QFETCH(QString, framing);
    QFETCH(int, reads);

    VigildProcess server;
    QVERIFY2(server.start({"--threads", "1", "--framing", framing, "--idle-timeout", "60s"}),
             qPrintable(server.errorString()));

    // Both adopted: each has had an echo.
    LoopbackSocket a = LoopbackSocket::connectTo(server.port());
    QVERIFY(a.isValid());
    QByteArray got;
    QVERIFY2(echoesExactly(a, framed(framing, "A:hello"), &got), qPrintable(printable(got)));
    LoopbackSocket b = LoopbackSocket::connectTo(server.port(), LargeSendBuffer);
    QVERIFY(b.isValid());
    b.setResetOnClose();
    const quint16 bPort = b.localPort();
    QVERIFY2(echoesExactly(b, framed(framing, "B:hello"), &got), qPrintable(printable(got)));
    QString why;
    QVERIFY2(streamThrough(b, bulk(framing, ReadChunk, 'w'), WarmupBytes, &why), qPrintable(why));
    QTRY_VERIFY_WITH_TIMEOUT(server.connId(bPort) > 0, WaitMs);
    const qint64 bConn = server.connId(bPort);

    // vigild stopped: B's k reads' worth, B's RST and A's message all wait
    // in vigild's socket buffers, in that order. The receive buffer only
    // grows while vigild reads, so a burst that does not fit is echoed
    // back, more is streamed through, and the stop is tried again.
    const QByteArray burst = bulk(framing, qsizetype(reads) * ReadChunk, 'b');
    Resume resume{server.pid()};
    int unsent = 0;
    for (int attempt = 0; attempt < FitAttempts; ++attempt) {
        QCOMPARE(::kill(pid_t(server.pid()), SIGSTOP), 0);
        QTRY_COMPARE_WITH_TIMEOUT(processState(server.pid()), 'T', WaitMs);
        QVERIFY(b.sendAll(burst));
        if (QTest::qWaitFor([&]() { return b.sendQueue() == 0; }, FitMs))
            break;
        unsent = b.sendQueue();
        QCOMPARE(::kill(pid_t(server.pid()), SIGCONT), 0);
        got.clear();
        QVERIFY(waitForBytes(b, &got, burst.size()));
        QVERIFY2(got == burst, qPrintable(QStringLiteral("B's burst came back as %1 bytes").arg(got.size())));
        QVERIFY2(streamThrough(b, bulk(framing, ReadChunk, 'w'), WarmupBytes, &why), qPrintable(why));
    }
    if (b.sendQueue() != 0) {
        QSKIP(qPrintable(QStringLiteral("vigild's receive buffer for B never held %1 bytes (%2 left unsent after %3 tries)")
                             .arg(burst.size())
                             .arg(unsent)
                             .arg(FitAttempts)));
    }
    b.close(); // RST: SO_LINGER {1, 0}
    const QByteArray mine = framed(framing, "A:after-the-reset");
    QVERIFY(a.sendAll(mine));
    QTRY_COMPARE_WITH_TIMEOUT(a.sendQueue(), 0, WaitMs);
    QCOMPARE(::kill(pid_t(server.pid()), SIGCONT), 0);

    got.clear();
    collectReply(a, &got, mine.size());
    QVERIFY2(got == mine, qPrintable(QStringLiteral("A ") + foreignReply(got, mine, 'b')));

    // vigild read all of B's burst before the reset (so the test took the
    // path it is about), and A keeps its own replies after it, whichever of
    // the two vigild served first in that wake-up.
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(bConn), QStringLiteral("reset"), WaitMs);
    const qint64 bBytesIn = server.event(QStringLiteral("closed"), QStringLiteral("conn"), double(bConn))
                                .value(QLatin1String("bytes_in"))
                                .toInteger();
    QVERIFY2(bBytesIn >= WarmupBytes + burst.size(), qPrintable(QStringLiteral("vigild read %1 bytes of B").arg(bBytesIn)));
    const QByteArray again = framed(framing, "A:again");
    QVERIFY2(echoesExactly(a, again, &got), qPrintable(QStringLiteral("A ") + foreignReply(got, again, 'b')));

    // vigild keeps serving, newcomers included.
    LoopbackSocket c = LoopbackSocket::connectTo(server.port());
    QVERIFY(c.isValid());
    const QByteArray hello = framed(framing, "C:new");
    QVERIFY2(echoesExactly(c, hello, &got), qPrintable(QStringLiteral("C ") + foreignReply(got, hello, 'b')));
    QVERIFY(server.isRunning());
}

void ReplyIsolation::resettingNeighboursUnderLoad_data()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("1 thread") << 1;
    QTest::newRow("2 threads") << 2;
}

// The same close path, raced instead of lined up: 4 peers connect, write
// 64 KiB of DATA frames and reset, over and over, while 6 peers echo and
// check that every byte they get back is one they sent, in order.
void ReplyIsolation::resettingNeighboursUnderLoad()
{
    QFETCH(int, threads);
    constexpr int Echoers = 6;
    constexpr int Resetters = 4;
    constexpr qint64 DurationMs = 4000;
    constexpr quint64 MaxResets = 20000;
    constexpr qsizetype EchoWindow = 16 * 1024; // bytes in flight per echoer
    constexpr int ReadBurstDrainMs = 100;       // resetters wait this long at most for the burst to leave

    VigildProcess server;
    QVERIFY2(server.start({"--threads", QString::number(threads), "--idle-timeout", "60s"}),
             qPrintable(server.errorString()));

    struct Echoer
    {
        LoopbackSocket socket;
        QByteArray sent; // everything written, in order
        qsizetype written = 0;
        qsizetype verified = 0;
        quint64 seq = 0;
    };
    struct Resetter
    {
        LoopbackSocket socket;
        qsizetype written = 0;
        qint64 drainDeadlineMs = 0;
        quint64 cycles = 0;
    };
    std::vector<Echoer> echoers(Echoers);
    std::vector<Resetter> resetters(Resetters);
    const QByteArray burst = bulk(QStringLiteral("vigil"), ReadChunk, 'r');

    for (int i = 0; i < Echoers; ++i) {
        echoers[size_t(i)].socket = LoopbackSocket::connectTo(server.port());
        QVERIFY(echoers[size_t(i)].socket.isValid());
    }

    QElapsedTimer clock;
    clock.start();
    QString foreign;
    quint64 echoedBytes = 0;
    quint64 resets = 0;
    QByteArray in;
    while (clock.elapsed() < DurationMs && resets < MaxResets && foreign.isEmpty()) {
        for (int i = 0; i < Echoers && foreign.isEmpty(); ++i) {
            Echoer &e = echoers[size_t(i)];
            while (e.sent.size() - e.verified < EchoWindow) {
                const qsizetype size = qsizetype((e.seq * 37) % 1500);
                const QByteArray head = QByteArray("e") + QByteArray::number(i) + ':' + QByteArray::number(e.seq) + ':';
                e.sent += vigilFrame(Type::Data, head + QByteArray(size, char('a' + i)));
                ++e.seq;
            }
            while (e.written < e.sent.size()) {
                const qsizetype n = e.socket.sendSome(e.sent.constData() + e.written, e.sent.size() - e.written);
                if (n <= 0)
                    break;
                e.written += n;
            }
            in.clear();
            const bool open = e.socket.readAvailable(&in);
            if (in.size() > e.written - e.verified
                || std::memcmp(in.constData(), e.sent.constData() + e.verified, size_t(in.size())) != 0) {
                foreign = QStringLiteral("echoer %1, after %2 good bytes, got %3 bytes starting \"%4\", "
                                         "expected \"%5\"")
                              .arg(i)
                              .arg(e.verified)
                              .arg(in.size())
                              .arg(printable(in))
                              .arg(printable(e.sent.mid(e.verified, in.size())));
                break;
            }
            e.verified += in.size();
            echoedBytes += quint64(in.size());
            QVERIFY2(open,
                     qPrintable(QStringLiteral("vigild closed echoer %1 (errno %2)").arg(i).arg(e.socket.error())));
            // Keep the stream short: drop what has been checked.
            if (e.verified > 1024 * 1024) {
                e.sent.remove(0, e.verified);
                e.written -= e.verified;
                e.verified = 0;
            }
        }
        for (Resetter &r : resetters) {
            if (!r.socket.isValid()) {
                r.socket = LoopbackSocket::connectTo(server.port(), LargeSendBuffer);
                QVERIFY2(r.socket.isValid(), "vigild stopped accepting");
                r.socket.setResetOnClose();
                r.written = 0;
                r.drainDeadlineMs = 0;
            }
            while (r.written < burst.size()) {
                const qsizetype n = r.socket.sendSome(burst.constData() + r.written, burst.size() - r.written);
                if (n <= 0)
                    break;
                r.written += n;
            }
            if (r.written < burst.size())
                continue;
            if (!r.drainDeadlineMs)
                r.drainDeadlineMs = clock.elapsed() + ReadBurstDrainMs;
            // Every other cycle resets at once, the others once the burst
            // has left: both orders of "vigild reads" and "RST arrives".
            if (r.cycles % 2 == 0 || r.socket.sendQueue() == 0 || clock.elapsed() >= r.drainDeadlineMs) {
                r.socket.close(); // RST
                ++r.cycles;
                ++resets;
            }
        }
        std::vector<pollfd> fds;
        for (Echoer &e : echoers)
            fds.push_back({e.socket.fd(), short(POLLIN | (e.written < e.sent.size() ? POLLOUT : 0)), 0});
        ::poll(fds.data(), nfds_t(fds.size()), 1);
        QCoreApplication::processEvents(); // vigild's stdout
    }

    qInfo("%llu resets, %llu bytes echoed and checked in %lld ms", resets, echoedBytes, clock.elapsed());
    QVERIFY2(foreign.isEmpty(), qPrintable(foreign));
    // It really raced: resets happened server-side and echoes flowed.
    QVERIFY2(resets >= 50, qPrintable(QStringLiteral("only %1 resets").arg(resets)));
    QVERIFY2(echoedBytes >= 1024 * 1024, qPrintable(QStringLiteral("only %1 bytes echoed").arg(echoedBytes)));
    QTRY_VERIFY_WITH_TIMEOUT(
        !server.event(QStringLiteral("closed"), QStringLiteral("reason"), QStringLiteral("reset")).isEmpty(), WaitMs);
    QVERIFY(server.isRunning());
    for (int i = 0; i < Echoers; ++i) {
        Echoer &e = echoers[size_t(i)];
        // Drain what is still in flight, then one exact round trip.
        const qsizetype pending = e.written - e.verified;
        QByteArray rest;
        QVERIFY(waitForBytes(e.socket, &rest, pending));
        QVERIFY2(rest == e.sent.mid(e.verified, pending),
                 qPrintable(QStringLiteral("echoer %1's last %2 bytes: \"%3\"").arg(i).arg(pending).arg(printable(rest))));
        QByteArray got;
        QVERIFY2(echoesExactly(e.socket, vigilFrame(Type::Data, "last"), &got), qPrintable(printable(got)));
    }
}

QTEST_GUILESS_MAIN(ReplyIsolation)
#include "tst_replyisolation.moc"
