// LogSink: whole lines, in order, from one writer; a stalled reader costs
// dropped (counted) lines, never a blocked caller; one notice afterwards.
#include "eventlog.h"
#include "logsink.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <memory>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace Vigil;

namespace {
// A sink on a pipe whose read end the test drains only when it chooses to.
// Teardown closes the read end first, so a writer still blocked on a full
// pipe (a failed check) gets EPIPE instead of hanging the test.
struct Pipe
{
    explicit Pipe(size_t capacity = LogSink::DefaultCapacity)
    {
        QVERIFY(::pipe2(fds, O_CLOEXEC) == 0);
        sink = std::make_unique<LogSink>(fds[1], capacity);
    }
    ~Pipe()
    {
        ::close(fds[0]);
        sink.reset();
        ::close(fds[1]);
    }
    // Reads until the sink has written everything it holds.
    QByteArray readAll()
    {
        QByteArray text;
        ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
        QElapsedTimer clock;
        clock.start();
        char buffer[65536];
        while (clock.elapsed() < 10000) {
            const ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
            if (n > 0) {
                text.append(buffer, qsizetype(n));
                continue;
            }
            if (sink->drain(20)) {
                ssize_t m;
                while ((m = ::read(fds[0], buffer, sizeof(buffer))) > 0)
                    text.append(buffer, qsizetype(m));
                break;
            }
        }
        return text;
    }
    int fds[2] = {-1, -1};
    std::unique_ptr<LogSink> sink;
};

QByteArray lineOf(int thread, int i, int width)
{
    QByteArray line = QByteArray::number(thread) + ' ' + QByteArray::number(i) + ' ';
    line.append(QByteArray(width, char('a' + thread % 26)));
    line.append('\n');
    return line;
}
} // namespace

class tst_LogSink : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { std::signal(SIGPIPE, SIG_IGN); }
    void linesArriveWholeAndInOrder();
    void longLinesFromManyThreadsNeverSplice();
    void stalledReaderNeverBlocksAndDropsWholeLines();
    void dropNoticeIsOneLogLine_data();
    void dropNoticeIsOneLogLine();
};

void tst_LogSink::linesArriveWholeAndInOrder()
{
    Pipe pipe;
    LogSink &sink = *pipe.sink;
    QByteArray expected;
    for (int i = 0; i < 1000; ++i) {
        const QByteArray line = lineOf(0, i, 20);
        sink.submit(line.constData(), size_t(line.size()));
        expected += line;
    }
    // drain() alone could return before the bytes are read only if the pipe
    // took them all; 1000 short lines fit in a pipe.
    QVERIFY(sink.drain(5000));
    char buffer[65536];
    const ssize_t n = ::read(pipe.fds[0], buffer, sizeof(buffer));
    QCOMPARE(QByteArray(buffer, qsizetype(n)), expected);
    QCOMPARE(sink.droppedLines(), quint64(0));
}

// Lines far above PIPE_BUF from four threads at once: each comes out whole.
void tst_LogSink::longLinesFromManyThreadsNeverSplice()
{
    Pipe pipe(64 * 1024 * 1024);
    LogSink &sink = *pipe.sink;
    constexpr int Threads = 4, Lines = 300, Width = 9000;
    std::vector<std::thread> writers;
    for (int t = 0; t < Threads; ++t) {
        writers.emplace_back([&sink, t]() {
            for (int i = 0; i < Lines; ++i) {
                const QByteArray line = lineOf(t, i, Width);
                sink.submit(line.constData(), size_t(line.size()));
            }
        });
    }
    for (std::thread &w : writers)
        w.join(); // submit() never waits, so they finish before anything is read
    const QByteArray text = pipe.readAll();
    const QList<QByteArray> lines = text.split('\n');
    QCOMPARE(lines.size(), Threads * Lines + 1); // the last element is empty
    std::vector<int> next(Threads, 0);
    for (qsizetype k = 0; k + 1 < lines.size(); ++k) {
        const QList<QByteArray> parts = lines[k].split(' ');
        QCOMPARE(parts.size(), 3);
        const int t = parts[0].toInt();
        QVERIFY(t >= 0 && t < Threads);
        QCOMPARE(parts[1].toInt(), next[size_t(t)]++); // each thread's lines in order
        QCOMPARE(parts[2], QByteArray(Width, char('a' + t)));
    }
    QCOMPARE(sink.droppedLines(), quint64(0));
}

void tst_LogSink::stalledReaderNeverBlocksAndDropsWholeLines()
{
    Pipe pipe(64 * 1024);
    LogSink &sink = *pipe.sink;
    // Nobody reads: the pipe (64 KiB) and the queue (64 KiB) fill, the rest
    // is dropped. 20 MB of lines must not take long: nothing waits.
    QElapsedTimer clock;
    clock.start();
    constexpr int Lines = 20000;
    for (int i = 0; i < Lines; ++i) {
        const QByteArray line = lineOf(1, i, 1000);
        sink.submit(line.constData(), size_t(line.size()));
    }
    QVERIFY2(clock.elapsed() < 5000, "submit() waited for the reader");
    QVERIFY(!sink.drain(100)); // the reader is still stalled
    const quint64 dropped = sink.droppedLines();
    QVERIFY(dropped > quint64(Lines) / 2);

    // The reader comes back: what was kept arrives whole and in order.
    const QByteArray text = pipe.readAll();
    const QList<QByteArray> lines = text.split('\n');
    int last = -1;
    int kept = 0;
    quint64 noticed = 0; // one notice per episode of drops, each with its count
    const QByteArray notice = " log lines dropped while the log was blocked";
    for (qsizetype k = 0; k + 1 < lines.size(); ++k) {
        const QList<QByteArray> parts = lines[k].split(' ');
        if (lines[k].endsWith(notice)) {
            noticed += lines[k].left(lines[k].size() - notice.size()).toULongLong();
            continue;
        }
        QCOMPARE(parts.size(), 3);
        QCOMPARE(parts[2], QByteArray(1000, 'b'));
        QVERIFY(parts[1].toInt() > last);
        last = parts[1].toInt();
        ++kept;
    }
    QCOMPARE(quint64(kept) + dropped, quint64(Lines));
    QCOMPARE(noticed, dropped);
    QVERIFY(text.endsWith(QByteArray(notice + "\n"))); // the last episode is reported once the reader is back
}

void tst_LogSink::dropNoticeIsOneLogLine_data()
{
    QTest::addColumn<bool>("json");
    QTest::newRow("text") << false;
    QTest::newRow("json") << true;
}

void tst_LogSink::dropNoticeIsOneLogLine()
{
    QFETCH(bool, json);
    const LogFormat format = json ? LogFormat::Json : LogFormat::Text;
    const std::string line = EventLog::formatNotice(format, "7 log lines dropped while stdout was blocked");
    QVERIFY(line.size() > 2 && line.back() == '\n');
    QCOMPARE(std::count(line.begin(), line.end(), '\n'), 1);
    if (json) {
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(line)).object();
        QCOMPARE(o.value("event").toString(), QStringLiteral("notice"));
        QCOMPARE(o.value("message").toString(), QStringLiteral("7 log lines dropped while stdout was blocked"));
    } else {
        QCOMPARE(QByteArray::fromStdString(line), QByteArray("notice message=\"7 log lines dropped while stdout was blocked\"\n"));
    }
}

QTEST_GUILESS_MAIN(tst_LogSink)
#include "tst_logsink.moc"
