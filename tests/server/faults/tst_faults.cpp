// Fault tests at scale (real vigild processes, loopback): floods, resets
// mid-frame, SIGPIPE, a slow consumer's memory, SIGTERM with 10,000 clients.
// Each checks that the offender alone is closed, with its reason, and that
// everyone else keeps being served. tst_vigild covers the single cases.
#include "../vigildprocess.h"
#include "rawclient.h"

#include <QFile>
#include <QTest>

#include <sys/epoll.h>
#include <sys/resource.h>

using namespace VigilTest;

namespace {

QByteArray dataFrame(const QByteArray &payload)
{
    return vigilFrame(Type::Data, payload);
}

// The echo of one DATA frame arrives whole.
bool echoes(int fd, const QByteArray &payload)
{
    return rawSend(fd, dataFrame(payload)) && rawRead(fd, 8 + payload.size(), 5000) == dataFrame(payload);
}

qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

} // namespace

class tst_Faults : public QObject
{
    Q_OBJECT

private slots:
    void peerResetMidFrame();
    void slowConsumerIsClosedAndBounded();
    void sigpipeNeverKills();
    void floodAgainstMaxConnections();
    void floodAgainstMaxMessageRate();
    void sigtermWithTenThousandConnections();
};

void tst_Faults::peerResetMidFrame()
{
    VigildProcess vigild;
    QVERIFY2(vigild.start({}), qPrintable(vigild.errorString()));
    const int healthy = rawConnect(vigild.port());
    const int victim = rawConnect(vigild.port());
    QVERIFY(healthy >= 0 && victim >= 0);
    QVERIFY(echoes(healthy, "before"));
    QVERIFY(rawSend(victim, vigilHeader(Type::Data, 100) + QByteArray(40, 'x')));
    QTRY_COMPARE_WITH_TIMEOUT(vigild.events(QStringLiteral("connected")).size(), 2, 5000);
    rawReset(victim);
    QTRY_VERIFY_WITH_TIMEOUT(!vigild.event(QStringLiteral("closed"), QStringLiteral("reason"), QStringLiteral("reset")).isEmpty(), 5000);
    QVERIFY(echoes(healthy, "after"));
    ::close(healthy);
}

void tst_Faults::slowConsumerIsClosedAndBounded()
{
    VigildProcess vigild;
    QVERIFY2(vigild.start({QStringLiteral("--write-timeout"), QStringLiteral("1s"), QStringLiteral("--max-send-buffer"),
                           QStringLiteral("1M"), QStringLiteral("--max-payload"), QStringLiteral("64k")}),
             qPrintable(vigild.errorString()));
    const qint64 baseline = rssKiB(vigild.pid());
    const int healthy = rawConnect(vigild.port());
    const int fd = rawConnect(vigild.port(), true);
    const QByteArray frame = dataFrame(QByteArray(60000, 's'));
    QElapsedTimer clock;
    clock.start();
    qint64 peak = baseline;
    // Send and never read: the echoes pile up in vigild until it gives up.
    while (clock.elapsed() < 8000) {
        [[maybe_unused]] ssize_t n = ::send(fd, frame.constData(), size_t(frame.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        peak = std::max(peak, rssKiB(vigild.pid()));
        QTest::qWait(5);
        if (!vigild.event(QStringLiteral("closed"), QStringLiteral("reason"), QStringLiteral("slow-consumer")).isEmpty())
            break;
    }
    QTRY_VERIFY_WITH_TIMEOUT(!vigild.event(QStringLiteral("closed"), QStringLiteral("reason"), QStringLiteral("slow-consumer")).isEmpty(), 5000);
    QVERIFY2(clock.elapsed() < 4000, qPrintable(QString::number(clock.elapsed())));
    // The cap is 1 MiB of output; allow the read buffers and allocator slack on top.
    QVERIFY2(peak - baseline < 12 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(peak - baseline)));
    QVERIFY(echoes(healthy, "still served"));
    ::close(fd);
    ::close(healthy);
}

void tst_Faults::sigpipeNeverKills()
{
    VigildProcess vigild;
    QVERIFY2(vigild.start({}), qPrintable(vigild.errorString()));
    for (int round = 0; round < 20; ++round) {
        const int fd = rawConnect(vigild.port());
        QByteArray burst;
        for (int i = 0; i < 50; ++i)
            burst += dataFrame(QByteArray(4000, 'p'));
        rawSend(fd, burst);
        rawReset(fd); // vigild is still writing the echoes
    }
    const int fd = rawConnect(vigild.port());
    QVERIFY(echoes(fd, "alive"));
    QVERIFY(vigild.isRunning());
    ::close(fd);
}

void tst_Faults::floodAgainstMaxConnections()
{
    VigildProcess vigild;
    QVERIFY2(vigild.start({QStringLiteral("--max-connections"), QStringLiteral("50")}), qPrintable(vigild.errorString()));
    QList<int> admitted;
    for (int i = 0; i < 50; ++i) {
        admitted.append(rawConnect(vigild.port()));
        QVERIFY(echoes(admitted.last(), "in"));
    }
    int refused = 0;
    for (int i = 0; i < 150; ++i) {
        const int fd = rawConnect(vigild.port());
        if (rawRead(fd, 9, 5000) == vigilFrame(Type::Bye, QByteArray(1, char(Bye::ServerFull))))
            ++refused;
        ::close(fd);
    }
    QCOMPARE(refused, 150);
    QTRY_COMPARE_WITH_TIMEOUT(vigild.events(QStringLiteral("rejected")).size(), 150, 5000);
    for (int fd : std::as_const(admitted))
        QVERIFY(echoes(fd, "still"));
    ::close(admitted.takeFirst());
    QTRY_COMPARE_WITH_TIMEOUT(vigild.events(QStringLiteral("closed")).size(), 1, 5000);
    const int late = rawConnect(vigild.port());
    QVERIFY(echoes(late, "room again"));
    ::close(late);
    for (int fd : std::as_const(admitted))
        ::close(fd);
}

void tst_Faults::floodAgainstMaxMessageRate()
{
    VigildProcess vigild;
    QVERIFY2(vigild.start({QStringLiteral("--max-msg-rate"), QStringLiteral("100")}), qPrintable(vigild.errorString()));
    const int calm = rawConnect(vigild.port());
    const int flood = rawConnect(vigild.port());
    QByteArray burst;
    for (int i = 0; i < 1000; ++i)
        burst += dataFrame("f");
    rawSend(flood, burst);
    // The first 100 come back (the burst allowance), then BYE rate-limited.
    const QByteArray got = rawRead(flood, 100 * 9 + 9, 5000);
    QVERIFY(got.endsWith(vigilFrame(Type::Bye, QByteArray(1, char(Bye::RateLimited)))));
    for (int i = 0; i < 10; ++i) {
        QVERIFY(echoes(calm, "calm"));
        QTest::qWait(20);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!vigild.event(QStringLiteral("closed"), QStringLiteral("reason"), QStringLiteral("rate-limited")).isEmpty(), 5000);
    ::close(calm);
    ::close(flood);
}

// PROTOCOL.md §5/§7: BYE server-shutdown to every client, exit 0 within 2 s.
void tst_Faults::sigtermWithTenThousandConnections()
{
    const int count = qEnvironmentVariableIntValue("VIGIL_FAULTS_CONNECTIONS") > 0
        ? qEnvironmentVariableIntValue("VIGIL_FAULTS_CONNECTIONS")
        : 10000;
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < rlim_t(count) + 200)
        QSKIP("the open-file limit is below the connection count");

    VigildProcess vigild;
    QVERIFY2(vigild.start({QStringLiteral("--log-format"), QStringLiteral("text")}), qPrintable(vigild.errorString()));
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    QList<int> fds;
    for (int i = 0; i < count; ++i) {
        const int fd = rawConnect(vigild.port(), true);
        QVERIFY(fd >= 0);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = quint32(i);
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        fds.append(fd);
    }
    QTRY_VERIFY_WITH_TIMEOUT(vigild.lines().size() >= count + 1, 60000);

    QElapsedTimer clock;
    clock.start();
    vigild.terminate();
    QVector<QByteArray> got(count);
    QVector<bool> closed(count, false);
    int closedCount = 0;
    epoll_event events[512];
    while (closedCount < count && clock.elapsed() < 10000) {
        const int n = epoll_wait(ep, events, 512, 100);
        for (int k = 0; k < n; ++k) {
            const int i = int(events[k].data.u32);
            char buffer[64];
            const ssize_t r = ::recv(fds[i], buffer, sizeof(buffer), 0);
            if (r > 0) {
                got[i].append(buffer, r);
            } else if (r == 0 || errno != EAGAIN) {
                closed[i] = true;
                ++closedCount;
                epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], nullptr);
            }
        }
        QCoreApplication::processEvents();
    }
    QTRY_VERIFY_WITH_TIMEOUT(!vigild.isRunning(), 5000);
    const qint64 exitedAfter = vigild.finishedAtMs() - (nowMs() - clock.elapsed());
    QCOMPARE(vigild.exitCode(), 0);
    QVERIFY2(exitedAfter < 2000, qPrintable(QStringLiteral("exited %1 ms after SIGTERM").arg(exitedAfter)));
    const QByteArray bye = vigilFrame(Type::Bye, QByteArray(1, char(Bye::ServerShutdown)));
    int withBye = 0;
    for (int i = 0; i < count; ++i)
        withBye += got[i] == bye ? 1 : 0;
    QCOMPARE(closedCount, count);
    QCOMPARE(withBye, count);
    for (int fd : std::as_const(fds))
        ::close(fd);
    ::close(ep);
}

QTEST_GUILESS_MAIN(tst_Faults)
#include "tst_faults.moc"
