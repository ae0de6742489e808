// CommandQueue: posted from many threads, run in order by one, with one
// wake-up per batch and no descriptor leaked by a queue that never ran.
#include "commandqueue.h"

#include <QTest>

#include <fcntl.h>
#include <unistd.h>

#include <thread>

using namespace Vigil;

class tst_CommandQueue : public QObject
{
    Q_OBJECT

private slots:
    void onlyTheFirstPostOfABatchWakes();
    void runsInPostOrder();
    void manyThreadsLoseNothing();
    void unrunDescriptorsAreClosed();
};

namespace {
NetworkCommand kick(quint64 id)
{
    NetworkCommand c(NetworkCommand::Type::Kick);
    c.id = id;
    return c;
}
} // namespace

void tst_CommandQueue::onlyTheFirstPostOfABatchWakes()
{
    CommandQueue queue;
    QVERIFY(queue.post(kick(1)));
    QVERIFY(!queue.post(kick(2)));
    QVERIFY(!queue.post(kick(3)));
    std::vector<NetworkCommand> taken;
    queue.takeAll(taken);
    QCOMPARE(taken.size(), size_t(3));
    // Drained: the next post starts a new batch and must wake the loop.
    QVERIFY(queue.post(kick(4)));
}

void tst_CommandQueue::runsInPostOrder()
{
    CommandQueue queue;
    for (quint64 i = 1; i <= 100; ++i)
        queue.post(kick(i));
    std::vector<NetworkCommand> taken;
    queue.takeAll(taken);
    QCOMPARE(taken.size(), size_t(100));
    for (quint64 i = 0; i < 100; ++i)
        QCOMPARE(taken[i].id, i + 1);
    taken.clear();
    queue.takeAll(taken);
    QVERIFY(taken.empty());
}

void tst_CommandQueue::manyThreadsLoseNothing()
{
    constexpr int Threads = 4;
    constexpr quint64 PerThread = 5000;
    CommandQueue queue;
    std::vector<std::thread> posters;
    for (int t = 0; t < Threads; ++t) {
        posters.emplace_back([&queue, t] {
            for (quint64 i = 0; i < PerThread; ++i)
                queue.post(kick(quint64(t) * PerThread + i));
        });
    }
    // Drain while they post; each poster's commands keep their order.
    std::vector<quint64> lastSeen(Threads, 0);
    std::vector<quint64> count(Threads, 0);
    std::vector<NetworkCommand> taken;
    quint64 total = 0;
    bool ordered = true;
    while (total < Threads * PerThread) {
        taken.clear();
        queue.takeAll(taken);
        for (const NetworkCommand &c : taken) {
            const int t = int(c.id / PerThread);
            const quint64 i = c.id % PerThread;
            if (count[t] > 0 && i != lastSeen[t] + 1)
                ordered = false;
            lastSeen[t] = i;
            ++count[t];
            ++total;
        }
        if (taken.empty())
            std::this_thread::yield();
    }
    for (std::thread &p : posters)
        p.join();
    QVERIFY(ordered);
    for (int t = 0; t < Threads; ++t)
        QCOMPARE(count[t], PerThread);
}

void tst_CommandQueue::unrunDescriptorsAreClosed()
{
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    QVERIFY(fd >= 0);
    {
        CommandQueue queue;
        NetworkCommand adopt(NetworkCommand::Type::Adopt);
        adopt.fd = fd;
        queue.post(std::move(adopt));
    }
    errno = 0;
    QCOMPARE(::fcntl(fd, F_GETFD), -1);
    QCOMPARE(errno, EBADF);
}

QTEST_GUILESS_MAIN(tst_CommandQueue)
#include "tst_commandqueue.moc"
