// vigild's stdout as log shippers see it: a reader that stops reading must
// not stop the server, and every line stays whole, whatever the number of
// network threads and the length of the lines (PROTOCOL.md §5, §7).
#include "vigildprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

using namespace VigilTest;

namespace {
// vigild with stdout on a pipe this test reads only when it wants to.
class PipedVigild final
{
public:
    ~PipedVigild()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
        if (m_read >= 0)
            ::close(m_read);
    }

    bool start(const QStringList &arguments)
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            return false;
        m_read = fds[0];
        const int write = fds[1];
        m_process.setProcessChannelMode(QProcess::ForwardedOutputChannel);
        m_process.setChildProcessModifier([write]() { ::dup2(write, 1); });
        m_process.start(QStringLiteral(VIGILD_PATH),
                        QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")} + arguments);
        const bool started = m_process.waitForStarted(5000);
        ::close(write);
        if (!started)
            return false;
        // Read just the listening line, then leave the pipe alone.
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 10000 && !m_text.contains('\n'))
            readSome(100);
        const QRegularExpression re(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(m_text));
        m_port = m.hasMatch() ? quint16(m.captured(1).toUInt()) : 0;
        return m_port != 0;
    }

    // Reads what is there within timeoutMs; false at EOF.
    bool readSome(int timeoutMs)
    {
        pollfd p{m_read, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0)
            return true;
        char buffer[65536];
        const ssize_t n = ::read(m_read, buffer, sizeof(buffer));
        if (n > 0)
            m_text.append(buffer, qsizetype(n));
        return n > 0;
    }
    // Reads until the output contains needle (or timeoutMs passes).
    bool readUntil(const QByteArray &needle, int timeoutMs)
    {
        QElapsedTimer clock;
        clock.start();
        while (!m_text.contains(needle) && clock.elapsed() < timeoutMs) {
            if (!readSome(50))
                break;
        }
        return m_text.contains(needle);
    }

    quint16 port() const { return m_port; }
    const QByteArray &text() const { return m_text; }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_text;
    int m_read = -1;
    quint16 m_port = 0;
};

QByteArray payloadFor(int i)
{
    QByteArray p = QByteArray::number(i) + ':';
    p.append(QByteArray(1000, char('a' + i % 26)));
    return p;
}
} // namespace

class tst_LogOutput : public QObject
{
    Q_OBJECT

private slots:
    void stalledReaderDoesNotStopTheServer();
    void linesStayWholeAcrossThreads_data();
    void linesStayWholeAcrossThreads();
};

// A log reader that stops reading (a stuck shipper, a paused `less`): the
// echoes go on, the watchdogs fire on time, lines beyond the log's buffer
// are dropped, and once the reader is back one notice says how many.
void tst_LogOutput::stalledReaderDoesNotStopTheServer()
{
    PipedVigild vigild;
    QVERIFY(vigild.start({QStringLiteral("--log-messages"), QStringLiteral("--threads"), QStringLiteral("1"),
                          QStringLiteral("--idle-timeout"), QStringLiteral("2s")}));

    // 5,000 echoes of 1 KB: over 5 MB of "message" lines into a pipe of 64 KiB.
    TestClient sender(vigild.port());
    QVERIFY(sender.waitConnected());
    TestClient silent(vigild.port());
    QVERIFY(silent.waitConnected());
    const qint64 silentSince = nowMs();
    constexpr int Messages = 5000;
    QByteArray expected;
    for (int i = 0; i < Messages; ++i) {
        const QByteArray frame = vigilFrame(Type::Data, payloadFor(i));
        expected += frame;
        sender.send(frame);
        // Keep the sender alive past the idle timeout: it is never silent.
        if (i % 500 == 499)
            QVERIFY(sender.waitForReceived(expected.size(), 20000));
    }
    QVERIFY2(sender.waitForReceived(expected.size(), 30000), "echoes stopped while stdout was blocked");
    QCOMPARE(sender.received(), expected);

    // The silent client is closed by its idle watchdog, on time, meanwhile.
    QVERIFY(silent.waitClosed(10000));
    QCOMPARE(silent.byeCode(), int(Bye::IdleTimeout));
    QVERIFY(silent.closedAtMs() - silentSince >= 2000);
    QVERIFY2(silent.closedAtMs() - silentSince < 4000, "the idle close came late while stdout was blocked");

    // The reader comes back: the kept lines, whole, then the notice.
    const QRegularExpression notice(QStringLiteral("notice message=\"(\\d+) log lines dropped while stdout was blocked\""));
    QVERIFY(vigild.readUntil("log lines dropped while stdout was blocked\"\n", 20000));
    const QRegularExpressionMatch m = notice.match(QString::fromUtf8(vigild.text()));
    QVERIFY(m.hasMatch());
    QVERIFY(m.captured(1).toULongLong() > 0);
    for (const QByteArray &line : vigild.text().split('\n')) {
        if (line.isEmpty())
            continue;
        const QByteArray event = line.left(line.indexOf(' '));
        QVERIFY2(QList<QByteArray>({"listening", "connected", "message", "timeout", "closed", "notice"}).contains(event),
                 line.left(80).constData());
    }

    vigild.process().terminate();
    QVERIFY(vigild.readUntil("stopped\n", 10000));
    QVERIFY(vigild.process().waitForFinished(10000));
    QCOMPARE(vigild.process().exitCode(), 0);
}

void tst_LogOutput::linesStayWholeAcrossThreads_data()
{
    QTest::addColumn<bool>("logMessages");
    QTest::newRow("churn") << false;
    QTest::newRow("log-messages") << true;
}

// Two network threads logging at once into one pipe (`| jq`, a container
// runtime): every line is one JSON object.
void tst_LogOutput::linesStayWholeAcrossThreads()
{
    QFETCH(bool, logMessages);
    VigildProcess vigild;
    QStringList arguments{QStringLiteral("--threads"), QStringLiteral("2")};
    if (logMessages)
        arguments << QStringLiteral("--log-messages");
    QVERIFY(vigild.start(arguments));

    constexpr int Clients = 40, Rounds = 5;
    int expectedClosed = 0;
    for (int round = 0; round < Rounds; ++round) {
        std::vector<std::unique_ptr<TestClient>> clients;
        for (int i = 0; i < Clients; ++i)
            clients.push_back(std::make_unique<TestClient>(vigild.port()));
        for (auto &c : clients) {
            QVERIFY(c->waitConnected());
            // Payloads far above PIPE_BUF (4 KiB) when messages are logged.
            for (int k = 0; k < 4; ++k)
                c->sendFrame(Type::Data, QByteArray(900, char('a' + k)) + QByteArray::number(k));
        }
        for (auto &c : clients) {
            QVERIFY(c->waitForFrames(4, 10000));
            c->socket().disconnectFromHost();
        }
        expectedClosed += Clients;
    }
    QTRY_COMPARE_WITH_TIMEOUT(int(vigild.events(QStringLiteral("closed")).size()), expectedClosed, 20000);
    QList<QByteArray> malformed;
    for (const QByteArray &line : vigild.lines()) {
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            malformed.append(line.left(120));
    }
    QCOMPARE(malformed, QList<QByteArray>());
}

QTEST_GUILESS_MAIN(tst_LogOutput)
#include "tst_logoutput.moc"
