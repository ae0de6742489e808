// Poller: the epoll set and wake-up eventfd of a network thread, on a real
// socket pair and real threads.
#include "poller.h"

#include <QTest>

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace Vigil;

class tst_Poller : public QObject
{
    Q_OBJECT

private slots:
    void startsWithoutError();
    void reportsReadableWithItsTag();
    void modifyTurnsInterestOnAndOff();
    void removedDescriptorIsSilent();
    void wakeFromAnotherThread();
    void wakeIsLevelTriggeredUntilDrained();
    void addOfABadDescriptorFails();

private:
    struct Pair
    {
        int fds[2] = {-1, -1};
        Pair() { QVERIFY(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0); }
        ~Pair()
        {
            ::close(fds[0]);
            ::close(fds[1]);
        }
    };
};

void tst_Poller::startsWithoutError()
{
    Poller poller;
    QVERIFY2(poller.errorString().isEmpty(), qPrintable(poller.errorString()));
    epoll_event events[4];
    QCOMPARE(poller.wait(events, 4, 0), 0);
}

void tst_Poller::reportsReadableWithItsTag()
{
    Poller poller;
    Pair pair;
    int tag = 0;
    QVERIFY(poller.add(pair.fds[0], &tag, true, false));
    epoll_event events[4];
    QCOMPARE(poller.wait(events, 4, 0), 0);
    QCOMPARE(::write(pair.fds[1], "x", 1), ssize_t(1));
    QCOMPARE(poller.wait(events, 4, 5000), 1);
    QCOMPARE(events[0].data.ptr, static_cast<void *>(&tag));
    QVERIFY(events[0].events & EPOLLIN);
    QVERIFY(!poller.isWake(events[0]));
    // Level-triggered: still readable while the byte is unread.
    QCOMPARE(poller.wait(events, 4, 0), 1);
}

void tst_Poller::modifyTurnsInterestOnAndOff()
{
    Poller poller;
    Pair pair;
    int tag = 0;
    QVERIFY(poller.add(pair.fds[0], &tag, false, false));
    epoll_event events[4];
    QCOMPARE(poller.wait(events, 4, 0), 0);
    QVERIFY(poller.modify(pair.fds[0], &tag, false, true)); // an empty send buffer is writable
    QCOMPARE(poller.wait(events, 4, 5000), 1);
    QVERIFY(events[0].events & EPOLLOUT);
    QVERIFY(poller.modify(pair.fds[0], &tag, false, false));
    QCOMPARE(poller.wait(events, 4, 0), 0);
}

void tst_Poller::removedDescriptorIsSilent()
{
    Poller poller;
    Pair pair;
    int tag = 0;
    QVERIFY(poller.add(pair.fds[0], &tag, true, false));
    poller.remove(pair.fds[0]);
    QCOMPARE(::write(pair.fds[1], "x", 1), ssize_t(1));
    epoll_event events[4];
    QCOMPARE(poller.wait(events, 4, 50), 0);
}

void tst_Poller::wakeFromAnotherThread()
{
    Poller poller;
    std::thread waker([&poller] { poller.wake(); });
    epoll_event events[4];
    const int n = poller.wait(events, 4, 5000);
    waker.join();
    QCOMPARE(n, 1);
    QVERIFY(poller.isWake(events[0]));
}

void tst_Poller::wakeIsLevelTriggeredUntilDrained()
{
    Poller poller;
    poller.wake();
    poller.wake(); // two wake-ups, one drain
    epoll_event events[4];
    QCOMPARE(poller.wait(events, 4, 0), 1);
    QCOMPARE(poller.wait(events, 4, 0), 1);
    poller.drainWake();
    QCOMPARE(poller.wait(events, 4, 0), 0);
}

void tst_Poller::addOfABadDescriptorFails()
{
    Poller poller;
    int tag = 0;
    errno = 0;
    QVERIFY(!poller.add(-1, &tag, true, false));
    QCOMPARE(errno, EBADF);
}

QTEST_GUILESS_MAIN(tst_Poller)
#include "tst_poller.moc"
