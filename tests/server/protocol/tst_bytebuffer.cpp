// ByteBuffer: the partial-frame and output buffer of every connection.
#include "bytebuffer.h"

#include <QTest>

#include <vector>

using namespace Vigil;

namespace {
QByteArray contents(const ByteBuffer &b) { return QByteArray(b.data(), qsizetype(b.size())); }
}

class tst_ByteBuffer : public QObject
{
    Q_OBJECT

private slots:
    void emptyCostsNothing();
    void appendAndConsume();
    void consumeAllRewinds();
    void growKeepsUnreadBytes_data();
    void growKeepsUnreadBytes();
    void reserveAndCommit();
    void releaseIfLarge_data();
    void releaseIfLarge();
    void moveAndSwap();
    void grownCapacityAtTheBoundary_data();
    void grownCapacityAtTheBoundary();
    void reserveAllocatesExactly();
};

// Idle connections must cost nothing: no heap memory until used.
void tst_ByteBuffer::emptyCostsNothing()
{
    ByteBuffer b;
    QVERIFY(b.isEmpty());
    QCOMPARE(b.size(), size_t(0));
    QCOMPARE(b.capacity(), size_t(0));
    QVERIFY(sizeof(ByteBuffer) <= 24);
    b.append("", 0);
    QCOMPARE(b.capacity(), size_t(0));
}

void tst_ByteBuffer::appendAndConsume()
{
    ByteBuffer b;
    b.append("hello ", 6);
    b.append("world", 5);
    QCOMPARE(contents(b), QByteArray("hello world"));
    b.consume(6);
    QCOMPARE(contents(b), QByteArray("world"));
    QCOMPARE(b.size(), size_t(5));
}

void tst_ByteBuffer::consumeAllRewinds()
{
    ByteBuffer b;
    b.append("abc", 3);
    b.consume(3);
    QVERIFY(b.isEmpty());
    b.append("xyz", 3);
    QCOMPARE(contents(b), QByteArray("xyz"));
    b.clear();
    QVERIFY(b.isEmpty());
    QVERIFY(b.capacity() > 0); // clear keeps the memory, release frees it
    b.release();
    QCOMPARE(b.capacity(), size_t(0));
}

void tst_ByteBuffer::growKeepsUnreadBytes_data()
{
    QTest::addColumn<int>("first");
    QTest::addColumn<int>("consumed");
    QTest::addColumn<int>("more");

    QTest::newRow("compacts in place") << 200 << 150 << 100;
    QTest::newRow("grows") << 200 << 10 << 1000;
    QTest::newRow("large") << 100000 << 99999 << 300000;
}

void tst_ByteBuffer::growKeepsUnreadBytes()
{
    QFETCH(int, first);
    QFETCH(int, consumed);
    QFETCH(int, more);

    QByteArray expected;
    for (int i = 0; i < first; ++i)
        expected.append(char(i % 251));
    ByteBuffer b;
    b.append(expected.constData(), size_t(expected.size()));
    b.consume(size_t(consumed));
    expected.remove(0, consumed);
    QByteArray tail(more, 't');
    b.append(tail.constData(), size_t(tail.size()));
    expected += tail;
    QCOMPARE(contents(b), expected);
    QVERIFY(b.capacity() >= b.size());
}

void tst_ByteBuffer::reserveAndCommit()
{
    ByteBuffer b;
    b.append("ab", 2);
    char *p = b.reserveTail(1000);
    std::memcpy(p, "cd", 2);
    b.commit(2);
    QCOMPARE(contents(b), QByteArray("abcd"));
    QVERIFY(b.capacity() >= 1002);
}

void tst_ByteBuffer::releaseIfLarge_data()
{
    QTest::addColumn<int>("bytes");
    QTest::addColumn<bool>("released");

    QTest::newRow("small stays") << 100 << false;
    QTest::newRow("large goes") << 100000 << true;
}

// After a burst, an emptied buffer gives large memory back.
void tst_ByteBuffer::releaseIfLarge()
{
    QFETCH(int, bytes);
    QFETCH(bool, released);

    ByteBuffer b;
    const QByteArray data(bytes, 'x');
    b.append(data.constData(), size_t(data.size()));
    b.releaseIfLarge(); // not empty: kept
    QVERIFY(b.capacity() >= size_t(bytes));
    b.consume(size_t(bytes));
    b.releaseIfLarge();
    QCOMPARE(b.capacity() == 0, released);
}

void tst_ByteBuffer::moveAndSwap()
{
    ByteBuffer a;
    a.append("moved", 5);
    ByteBuffer b(std::move(a));
    QCOMPARE(contents(b), QByteArray("moved"));
    QVERIFY(a.isEmpty()); // a moved-from buffer is empty
    ByteBuffer c;
    c.append("other", 5);
    c = std::move(b);
    QCOMPARE(contents(c), QByteArray("moved"));
    ByteBuffer d;
    d.swap(c);
    QCOMPARE(contents(d), QByteArray("moved"));
    QVERIFY(c.isEmpty());
}

// Doubling past 2^31 used to wrap the 32-bit capacity to 0. Checked on the
// arithmetic, so no test allocates gigabytes.
void tst_ByteBuffer::grownCapacityAtTheBoundary_data()
{
    QTest::addColumn<quint64>("current");
    QTest::addColumn<quint64>("needed");
    QTest::addColumn<quint64>("expected");
    const quint64 gib = quint64(1) << 30;
    QTest::newRow("empty") << quint64(0) << quint64(1) << quint64(256);
    QTest::newRow("doubling") << quint64(4096) << quint64(4097) << quint64(8192);
    QTest::newRow("1 GiB + 1") << gib << gib + 1 << 2 * gib;
    QTest::newRow("1.5 GiB to 2 GiB") << gib + gib / 2 << 2 * gib - 1 << 2 * gib;
    QTest::newRow("exactly the maximum") << 2 * gib << 2 * gib << 2 * gib;
    QTest::newRow("past the maximum") << 2 * gib << 2 * gib + 1 << quint64(0);
    QTest::newRow("far past") << quint64(0) << 5 * gib << quint64(0);
}

void tst_ByteBuffer::grownCapacityAtTheBoundary()
{
    QFETCH(quint64, current);
    QFETCH(quint64, needed);
    QFETCH(quint64, expected);
    QCOMPARE(quint64(ByteBuffer::grownCapacity(size_t(current), size_t(needed))), expected);
    QCOMPARE(ByteBuffer::MaxCapacity, size_t(1) << 31);
    // A limit caps the doubling, never below what is needed.
    QCOMPARE(ByteBuffer::grownCapacity(1024 * 1024, 1024 * 1024 + 1, 1024 * 1024 + 10), size_t(1024 * 1024 + 10));
    QCOMPARE(ByteBuffer::grownCapacity(256, 5000, 1000), size_t(5000));
}

// A frame that declares 1 MiB costs 1 MiB, not 2.
void tst_ByteBuffer::reserveAllocatesExactly()
{
    ByteBuffer b;
    b.append("abc", 3);
    b.reserve(1024 * 1024 + 8);
    QCOMPARE(b.capacity(), size_t(1024 * 1024 + 8));
    QCOMPARE(contents(b), QByteArray("abc"));
    b.reserve(100); // never shrinks
    QCOMPARE(b.capacity(), size_t(1024 * 1024 + 8));
    std::vector<char> rest(1024 * 1024 + 5, 'x');
    b.append(rest.data(), rest.size());
    QCOMPARE(b.capacity(), size_t(1024 * 1024 + 8));
    QCOMPARE(b.size(), size_t(1024 * 1024 + 8));
}

QTEST_GUILESS_MAIN(tst_ByteBuffer)
#include "tst_bytebuffer.moc"
