// Watchdogs: the timestamp arithmetic behind every per-connection timer
// (PROTOCOL.md §3, §7): never due before the deadline, earliest wins,
// probes go out every interval of silence.
#include "watchdogs.h"

#include <QTest>

using namespace Vigil;

Q_DECLARE_METATYPE(Vigil::ConnectionTimers)

namespace {
constexpr qint64 Ms = 1000000; // ns per ms
constexpr qint64 Start = 1000 * Ms;

ConnectionTimers timers(qint64 idle, qint64 lifetime = 0, qint64 write = 0, qint64 probe = 0)
{
    ConnectionTimers t;
    t.idleTimeoutMs = idle;
    t.maxLifetimeMs = lifetime;
    t.writeTimeoutMs = write;
    t.probeIntervalMs = probe;
    return t;
}

const char *dueName(Watchdogs::Due due)
{
    switch (due) {
    case Watchdogs::Due::None: return "none";
    case Watchdogs::Due::Idle: return "idle";
    case Watchdogs::Due::Lifetime: return "lifetime";
    case Watchdogs::Due::Write: return "write";
    case Watchdogs::Due::Probe: return "probe";
    case Watchdogs::Due::Frame: return "frame";
    case Watchdogs::Due::AnnouncedClose: return "announced-close";
    }
    return "?";
}
} // namespace

class tst_Watchdogs : public QObject
{
    Q_OBJECT

private slots:
    void neverDueBeforeDeadline_data();
    void neverDueBeforeDeadline();
    void earliestWins_data();
    void earliestWins();
    void zeroTurnsTimersOff();
    void activityMovesIdleNotLifetime();
    void probeRescheduling();
    void probeThenIdleCountsFromLastMessage();
    void writeDeadlineOnlyWhileBlocked();
    void frameDeadlineOnlyWhileAMessageIsUnfinished();
    void frameDeadlinePausesWhileNotReading();
    void announcedCloseReplacesLifetime();
};

void tst_Watchdogs::neverDueBeforeDeadline_data()
{
    QTest::addColumn<ConnectionTimers>("timers");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<qint64>("afterMs");

    QTest::newRow("idle 300ms") << timers(300) << "idle" << qint64(300);
    QTest::newRow("idle 5s") << timers(5000) << "idle" << qint64(5000);
    QTest::newRow("lifetime 1s") << timers(0, 1000) << "lifetime" << qint64(1000);
    QTest::newRow("probe 300ms") << timers(0, 0, 0, 300) << "probe" << qint64(300);
}

void tst_Watchdogs::neverDueBeforeDeadline()
{
    QFETCH(ConnectionTimers, timers);
    QFETCH(QString, kind);
    QFETCH(qint64, afterMs);

    Watchdogs w;
    w.start(Start, timers);
    const qint64 deadline = Start + afterMs * Ms;
    QCOMPARE(w.next(), deadline);
    QCOMPARE(dueName(w.due(Start)), "none");
    QCOMPARE(dueName(w.due(deadline - 1)), "none"); // one nanosecond early
    qint64 at = 0;
    QCOMPARE(QString::fromLatin1(dueName(w.due(deadline, &at))), kind);
    QCOMPARE(at, deadline);
    QCOMPARE(QString::fromLatin1(dueName(w.due(deadline + 10 * Ms, &at))), kind);
    QCOMPARE(at, deadline);
}

void tst_Watchdogs::earliestWins_data()
{
    QTest::addColumn<ConnectionTimers>("timers");
    QTest::addColumn<qint64>("blockedAtMs"); // write queue blocked since (0: not)
    QTest::addColumn<QString>("first");
    QTest::addColumn<qint64>("firstAtMs");

    QTest::newRow("lifetime before idle") << timers(2000, 1000) << qint64(0) << "lifetime" << qint64(1000);
    QTest::newRow("idle before lifetime") << timers(1000, 2000) << qint64(0) << "idle" << qint64(1000);
    QTest::newRow("probe before idle") << timers(1000, 0, 0, 300) << qint64(0) << "probe" << qint64(300);
    QTest::newRow("write before idle") << timers(1000, 0, 200, 0) << qint64(100) << "write" << qint64(300);
    QTest::newRow("idle before write") << timers(250, 0, 200, 0) << qint64(100) << "idle" << qint64(250);
}

void tst_Watchdogs::earliestWins()
{
    QFETCH(ConnectionTimers, timers);
    QFETCH(qint64, blockedAtMs);
    QFETCH(QString, first);
    QFETCH(qint64, firstAtMs);

    Watchdogs w;
    w.start(Start, timers);
    if (blockedAtMs)
        w.writeBlockedSinceNs = Start + blockedAtMs * Ms;
    QCOMPARE(w.next(), Start + firstAtMs * Ms);
    // Even asked much later, the earliest deadline is the one reported.
    qint64 at = 0;
    QCOMPARE(QString::fromLatin1(dueName(w.due(Start + 60000 * Ms, &at))), first);
    QCOMPARE(at, Start + firstAtMs * Ms);
}

void tst_Watchdogs::zeroTurnsTimersOff()
{
    Watchdogs w;
    w.start(Start, timers(0, 0, 0, 0));
    QCOMPARE(w.next(), Watchdogs::Never);
    QCOMPARE(dueName(w.due(Watchdogs::Never - 1)), "none");
    w.writeBlockedSinceNs = Start;
    QCOMPARE(w.writeDeadline(), Watchdogs::Never); // write timeout 0 is off too
}

// PROTOCOL.md §3: idle resets on every complete message; lifetime never.
void tst_Watchdogs::activityMovesIdleNotLifetime()
{
    Watchdogs w;
    w.start(Start, timers(1000, 3000));
    w.activity(Start + 900 * Ms);
    QCOMPARE(w.idleDeadline(), Start + 1900 * Ms);
    QCOMPARE(w.lifetimeDeadline(), Start + 3000 * Ms);
    QCOMPARE(dueName(w.due(Start + 1899 * Ms)), "none");
    QCOMPARE(dueName(w.due(Start + 1900 * Ms)), "idle");
    for (int i = 1; i <= 5; ++i)
        w.activity(Start + (900 + i * 500) * Ms);
    QCOMPARE(dueName(w.due(Start + 2999 * Ms)), "none");
    QCOMPARE(dueName(w.due(Start + 3000 * Ms)), "lifetime");
}

// A probe goes out after an interval of silence, then every interval.
void tst_Watchdogs::probeRescheduling()
{
    Watchdogs w;
    w.start(Start, timers(0, 0, 0, 300));
    QCOMPARE(w.probeDeadline(), Start + 300 * Ms);
    w.lastProbeSentNs = Start + 305 * Ms; // sent a little late
    QCOMPARE(w.probeDeadline(), Start + 605 * Ms);
    QCOMPARE(dueName(w.due(Start + 604 * Ms)), "none");
    QCOMPARE(dueName(w.due(Start + 605 * Ms)), "probe");
    // The PONG is a message: activity, and the probe state resets.
    w.activity(Start + 650 * Ms);
    w.lastProbeSentNs = 0;
    QCOMPARE(w.probeDeadline(), Start + 950 * Ms);
}

// PROTOCOL.md §7: probes never move the idle deadline; it counts from the
// last complete inbound message.
void tst_Watchdogs::probeThenIdleCountsFromLastMessage()
{
    Watchdogs w;
    w.start(Start, timers(1000, 0, 0, 300));
    w.activity(Start + 100 * Ms);
    qint64 now = Start + 100 * Ms;
    int probes = 0;
    for (;;) {
        qint64 at = 0;
        now = w.next();
        const Watchdogs::Due due = w.due(now, &at);
        QCOMPARE(at, now);
        if (due == Watchdogs::Due::Probe) {
            ++probes;
            w.lastProbeSentNs = now;
            continue;
        }
        QCOMPARE(dueName(due), "idle");
        break;
    }
    QCOMPARE(now, Start + 1100 * Ms);
    QCOMPARE(probes, 3); // at 400, 700 and 1000 ms
}

void tst_Watchdogs::writeDeadlineOnlyWhileBlocked()
{
    Watchdogs w;
    w.start(Start, timers(0, 0, 1000));
    QCOMPARE(w.writeDeadline(), Watchdogs::Never);
    w.writeBlockedSinceNs = Start + 50 * Ms;
    QCOMPARE(w.writeDeadline(), Start + 1050 * Ms);
    QCOMPARE(dueName(w.due(Start + 1049 * Ms)), "none");
    QCOMPARE(dueName(w.due(Start + 1050 * Ms)), "write");
    w.writeBlockedSinceNs = 0; // the queue drained
    QCOMPARE(dueName(w.due(Start + 5000 * Ms)), "none");
}

// PROTOCOL.md §10: counted from the message's first byte, not from the
// last activity; off when no message is unfinished or the timeout is 0.
void tst_Watchdogs::frameDeadlineOnlyWhileAMessageIsUnfinished()
{
    Watchdogs w;
    ConnectionTimers t = timers(30000);
    t.frameTimeoutMs = 500;
    w.start(Start, t);
    QCOMPARE(w.frameDeadline(), Watchdogs::Never);
    QCOMPARE(w.next(), Start + 30000 * Ms);
    w.frameStartedNs = Start + 100 * Ms;
    QCOMPARE(w.frameDeadline(), Start + 600 * Ms);
    QCOMPARE(w.next(), Start + 600 * Ms);
    QCOMPARE(dueName(w.due(Start + 599 * Ms)), "none");
    qint64 at = 0;
    QCOMPARE(dueName(w.due(Start + 600 * Ms, &at)), "frame");
    QCOMPARE(at, Start + 600 * Ms);
    w.activity(Start + 550 * Ms); // activity does not move it
    QCOMPARE(w.frameDeadline(), Start + 600 * Ms);
    w.frameStartedNs = 0; // the message completed
    QCOMPARE(dueName(w.due(Start + 5000 * Ms)), "none");
    w.timers.frameTimeoutMs = 0;
    w.frameStartedNs = Start;
    QCOMPARE(w.frameDeadline(), Watchdogs::Never);
}

// While vigild itself does not read (backpressure), the client cannot
// finish its message: the deadline stops and resumes with what was left.
void tst_Watchdogs::frameDeadlinePausesWhileNotReading()
{
    Watchdogs w;
    ConnectionTimers t = timers(0);
    t.frameTimeoutMs = 500;
    w.start(Start, t);
    w.frameStartedNs = Start;
    w.pauseFrame(Start + 200 * Ms);
    w.pauseFrame(Start + 300 * Ms); // already paused: the first pause counts
    QCOMPARE(w.frameDeadline(), Watchdogs::Never);
    QCOMPARE(dueName(w.due(Start + 10000 * Ms)), "none");
    w.resumeFrame(Start + 1200 * Ms); // 1 s paused, 300 ms left
    QCOMPARE(w.frameDeadline(), Start + 1500 * Ms);
    QCOMPARE(dueName(w.due(Start + 1499 * Ms)), "none");
    QCOMPARE(dueName(w.due(Start + 1500 * Ms)), "frame");
    w.resumeFrame(Start + 2000 * Ms); // not paused: no change
    QCOMPARE(w.frameDeadline(), Start + 1500 * Ms);
    // A pause with no message started moves nothing.
    w.frameStartedNs = 0;
    w.pauseFrame(Start + 3000 * Ms);
    w.resumeFrame(Start + 4000 * Ms);
    QCOMPARE(w.frameStartedNs, qint64(0));
}

// PROTOCOL.md §10: after a GOAWAY the announced close is the deadline,
// neither the lifetime (already past) nor earlier than announced.
void tst_Watchdogs::announcedCloseReplacesLifetime()
{
    Watchdogs w;
    w.start(Start, timers(0, 1000));
    QCOMPARE(dueName(w.due(Start + 1000 * Ms)), "lifetime");
    w.announcedCloseNs = Start + 1500 * Ms; // GOAWAY with 500 ms, sent at the lifetime
    QCOMPARE(w.lifetimeDeadline(), Start + 1500 * Ms);
    QCOMPARE(w.next(), Start + 1500 * Ms);
    QCOMPARE(dueName(w.due(Start + 1499 * Ms)), "none");
    QCOMPARE(dueName(w.due(Start + 1500 * Ms)), "announced-close");
    w.start(Start, timers(0, 0)); // also without a lifetime (a drain)
    w.announcedCloseNs = Start + 200 * Ms;
    QCOMPARE(dueName(w.due(Start + 200 * Ms)), "announced-close");
}

QTEST_GUILESS_MAIN(tst_Watchdogs)
#include "tst_watchdogs.moc"
