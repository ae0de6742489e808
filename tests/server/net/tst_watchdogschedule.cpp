// WatchdogSchedule: lazy filing, due connections handed over once, stale
// entries re-filed before sleeping, closed connections forgotten. Owners
// here are plain records with a deadline; the real Connection is covered
// end to end by tst_networkthread and the server tests.
#include "watchdogschedule.h"

#include <QTest>

#include <utility>

using namespace Vigil;

namespace {
constexpr qint64 Ms = 1000000;

struct FakeOwner
{
    quint64 ident = 0;
    qint64 deadline = Watchdogs::Never;
    qint64 armedAtNs = Watchdogs::Never;
    int fired = 0;
    bool retired = false;
    qint64 afterFire = Watchdogs::Never; // the deadline the next handleDeadline() leaves

    quint64 id() const { return ident; }
    qint64 nextDeadline() const { return deadline; }
    bool isRetired() const { return retired; }
    // Like Connection: acts only on a deadline that has passed.
    void handleDeadline(qint64 nowNs)
    {
        if (deadline > nowNs)
            return;
        ++fired;
        deadline = std::exchange(afterFire, Watchdogs::Never);
    }
};
} // namespace

class tst_WatchdogSchedule : public QObject
{
    Q_OBJECT

private slots:
    void laterDeadlineCostsNoEntry();
    void earlierDeadlineFilesAnEntry();
    void nothingFiresEarly();
    void dueOwnerFiresOnceAndIsRefiled();
    void closedOwnerIsForgotten();
    void settleRefilesAFarStaleTop();
    void settleLeavesANearStaleTop();
    void retiredByItsDeadlineIsNotRefiled();

private:
    using Schedule = WatchdogSchedule<FakeOwner>;
    static void add(Schedule::Owners &owners, FakeOwner &o) { owners.emplace(o.ident, &o); }
};

void tst_WatchdogSchedule::laterDeadlineCostsNoEntry()
{
    Schedule::Owners owners;
    Schedule schedule(owners);
    FakeOwner a{1, 100 * Ms};
    add(owners, a);
    schedule.reschedule(&a);
    QCOMPARE(schedule.size(), size_t(1));
    // A message moves the idle deadline later: no new entry.
    a.deadline = 200 * Ms;
    schedule.reschedule(&a);
    QCOMPARE(schedule.size(), size_t(1));
    QCOMPARE(a.armedAtNs, 100 * Ms);
}

void tst_WatchdogSchedule::earlierDeadlineFilesAnEntry()
{
    Schedule::Owners owners;
    Schedule schedule(owners);
    FakeOwner a{1, 100 * Ms};
    add(owners, a);
    schedule.reschedule(&a);
    a.deadline = 50 * Ms; // e.g. a write became blocked
    schedule.reschedule(&a);
    QCOMPARE(schedule.size(), size_t(2));
    QCOMPARE(a.armedAtNs, 50 * Ms);
    QCOMPARE(schedule.waitMs(0, -1), 50);
}

void tst_WatchdogSchedule::nothingFiresEarly()
{
    Schedule::Owners owners;
    Schedule schedule(owners);
    FakeOwner a{1, 100 * Ms};
    add(owners, a);
    schedule.reschedule(&a);
    schedule.runDue(100 * Ms - 1);
    QCOMPARE(a.fired, 0);
    QCOMPARE(schedule.waitMs(100 * Ms - 1, -1), 1); // rounded up, never early
    schedule.runDue(100 * Ms);
    QCOMPARE(a.fired, 1);
}

void tst_WatchdogSchedule::dueOwnerFiresOnceAndIsRefiled()
{
    Schedule::Owners owners;
    Schedule schedule(owners);
    FakeOwner a{1, 10 * Ms};
    a.afterFire = 30 * Ms; // a probe went out; the idle deadline follows
    add(owners, a);
    schedule.reschedule(&a);
    schedule.runDue(20 * Ms);
    QCOMPARE(a.fired, 1);
    QCOMPARE(a.armedAtNs, 30 * Ms);
    schedule.runDue(20 * Ms);
    QCOMPARE(a.fired, 1);
    schedule.runDue(30 * Ms);
    QCOMPARE(a.fired, 2);
}

void tst_WatchdogSchedule::closedOwnerIsForgotten()
{
    Schedule::Owners owners;
    Schedule schedule(owners);
    FakeOwner a{1, 10 * Ms};
    add(owners, a);
    schedule.reschedule(&a);
    owners.erase(a.ident); // closed before its deadline
    schedule.runDue(100 * Ms);
    QCOMPARE(a.fired, 0);
    QCOMPARE(schedule.size(), size_t(0));
}

void tst_WatchdogSchedule::settleRefilesAFarStaleTop()
{
    Schedule::Owners owners;
    Schedule schedule(owners);
    FakeOwner a{1, 10 * Ms};
    add(owners, a);
    schedule.reschedule(&a);
    a.deadline = 5000 * Ms; // busy peer: its idle deadline moved far out
    schedule.settle();
    QCOMPARE(a.armedAtNs, 5000 * Ms);
    QCOMPARE(schedule.size(), size_t(1));
    QCOMPARE(schedule.waitMs(0, -1), 5000); // sleeps until the real deadline
}

void tst_WatchdogSchedule::settleLeavesANearStaleTop()
{
    Schedule::Owners owners;
    Schedule schedule(owners);
    FakeOwner a{1, 10 * Ms};
    add(owners, a);
    schedule.reschedule(&a);
    a.deadline = 15 * Ms; // within the 10 ms slack: not worth a re-file
    schedule.settle();
    QCOMPARE(a.armedAtNs, 10 * Ms);
    QCOMPARE(schedule.waitMs(0, -1), 10);
    // Coming up at 10 ms it is not due yet; it is re-filed to 15 ms.
    schedule.runDue(10 * Ms);
    QCOMPARE(a.fired, 0);
    QCOMPARE(a.armedAtNs, 15 * Ms);
}

void tst_WatchdogSchedule::retiredByItsDeadlineIsNotRefiled()
{
    Schedule::Owners owners;
    Schedule schedule(owners);
    FakeOwner a{1, 10 * Ms};
    a.afterFire = 20 * Ms;
    add(owners, a);
    schedule.reschedule(&a);
    a.retired = true; // handleDeadline closes it (idle timeout)
    schedule.runDue(10 * Ms);
    QCOMPARE(a.fired, 1);
    QCOMPARE(a.armedAtNs, Watchdogs::Never);
    QCOMPARE(schedule.size(), size_t(0));
}

QTEST_GUILESS_MAIN(tst_WatchdogSchedule)
#include "tst_watchdogschedule.moc"
