// ByteBuffer: the partial-frame and output buffer of every connection.
#include "bytebuffer.h"

#include <QTest>

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

QTEST_GUILESS_MAIN(tst_ByteBuffer)
#include "tst_bytebuffer.moc"
