// --mode forward end to end (PROTOCOL.md §8): the real vigild between real
// clients and a real upstream service on 127.0.0.1 (or a unix socket) that
// this test runs, which records every byte it gets and behaves per
// connection as a row needs: echo, say something and close, stall, flood.
#include "adminhttp.h"
#include "vigildprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QLocalServer>
#include <QLocalSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <deque>
#include <memory>

using namespace VigilTest;

namespace {
constexpr int WaitMs = 5000;

// The upstream service behind vigild: TCP or unix, one behaviour per
// accepted connection (the queue's next, else the default).
class UpstreamService final : public QObject
{
public:
    enum class Behaviour { Echo, SayAndClose, Stall, Flood };

    // The sockets outlive the lists below (the servers own them): they
    // must not report to a half-destroyed service.
    ~UpstreamService() override
    {
        for (QIODevice *s : std::as_const(m_sockets))
            s->disconnect(this);
    }

    bool listenTcp()
    {
        connect(&m_tcp, &QTcpServer::newConnection, this, [this]() {
            while (QTcpSocket *s = m_tcp.nextPendingConnection())
                adopt(s);
        });
        return m_tcp.listen(QHostAddress::LocalHost, 0);
    }
    bool listenUnix(const QString &path)
    {
        connect(&m_local, &QLocalServer::newConnection, this, [this]() {
            while (QLocalSocket *s = m_local.nextPendingConnection())
                adopt(s);
        });
        return m_local.listen(path);
    }
    QString address() const
    {
        return m_local.isListening() ? QStringLiteral("unix:") + m_local.fullServerName()
                                     : QStringLiteral("127.0.0.1:%1").arg(m_tcp.serverPort());
    }

    void stopListening() { m_tcp.close(); }
    void setDefault(Behaviour b) { m_default = b; }
    void queue(Behaviour b) { m_queue.push_back(b); }
    void setFarewell(const QByteArray &bytes) { m_farewell = bytes; }

    int accepted() const { return m_accepted; }
    // Everything connection i received, in order.
    QByteArray received(int i) const { return m_received.value(i); }
    qint64 pendingWrite(int i) const
    {
        auto *s = qobject_cast<QAbstractSocket *>(m_sockets.value(i));
        return s ? s->bytesToWrite() : 0;
    }
    bool isClosed(int i) const { return m_closed.value(i, false); }

private:
    void adopt(QIODevice *s)
    {
        const int index = m_accepted++;
        m_sockets.append(s);
        m_received.append(QByteArray());
        m_closed.append(false);
        const Behaviour b = m_queue.empty() ? m_default : m_queue.front();
        if (!m_queue.empty())
            m_queue.pop_front();
        auto markClosed = [this, index]() { m_closed[index] = true; };
        if (auto *tcp = qobject_cast<QTcpSocket *>(s))
            connect(tcp, &QTcpSocket::disconnected, this, markClosed);
        if (auto *local = qobject_cast<QLocalSocket *>(s))
            connect(local, &QLocalSocket::disconnected, this, markClosed);
        switch (b) {
        case Behaviour::Echo:
            connect(s, &QIODevice::readyRead, this, [this, s, index]() {
                const QByteArray bytes = s->readAll();
                m_received[index] += bytes;
                s->write(bytes);
            });
            break;
        case Behaviour::SayAndClose:
            s->write(m_farewell);
            if (auto *tcp = qobject_cast<QTcpSocket *>(s))
                tcp->disconnectFromHost();
            else
                qobject_cast<QLocalSocket *>(s)->disconnectFromServer();
            break;
        case Behaviour::Stall:
            // Never read: the kernel's buffers fill and then vigild's.
            if (auto *tcp = qobject_cast<QTcpSocket *>(s))
                tcp->setReadBufferSize(1);
            break;
        case Behaviour::Flood: {
            // Write far more than any buffer holds, as fast as it is taken.
            auto more = [s]() {
                static const QByteArray chunk(256 * 1024, 'f');
                while (s->bytesToWrite() < 1024 * 1024)
                    s->write(chunk);
            };
            connect(s, &QIODevice::bytesWritten, this, more);
            more();
            break;
        }
        }
    }

    QTcpServer m_tcp;
    QLocalServer m_local;
    Behaviour m_default = Behaviour::Echo;
    std::deque<Behaviour> m_queue;
    QByteArray m_farewell;
    QList<QIODevice *> m_sockets;
    QList<QByteArray> m_received;
    QList<bool> m_closed;
    int m_accepted = 0;
};

qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').constFirst().toLongLong();
    }
    return -1;
}

QByteArray encoded(const QString &framing, const QByteArray &payload)
{
    if (framing == QLatin1String("vigil"))
        return vigilFrame(Type::Data, payload);
    if (framing == QLatin1String("legacy"))
        return legacyFrame(payload);
    if (framing == QLatin1String("line"))
        return payload + '\n';
    return payload; // raw
}

QStringList forwardTo(const UpstreamService &upstream, const QString &framing = QStringLiteral("raw"))
{
    return {QStringLiteral("--mode"), QStringLiteral("forward"), QStringLiteral("--upstream"), upstream.address(),
            QStringLiteral("--upstream-framing"), framing};
}
} // namespace

class tst_Forward final : public QObject
{
    Q_OBJECT

private slots:
    void relaysBothWays_data();
    void relaysBothWays();
    void heartbeatsAndHandshakeStayAtTheEdge();
    void heldWhileConnecting();
    void upstreamRefuses();
    void upstreamClosesAfterSending();
    void stalledUpstreamIsBoundedAndIsolated();
    void floodingUpstreamIsBounded();
    void clientCloseClosesUpstream();
    void unixUpstream();
    void adminShowsUpstreamAndFailures();
    void flagPairIsExit2_data();
    void flagPairIsExit2();
};

// PROTOCOL.md §8: DATA payloads go upstream in --upstream-framing, what
// the upstream sends comes back as DATA in the listener's framing.
void tst_Forward::relaysBothWays_data()
{
    QTest::addColumn<QString>("upstreamFraming");
    QTest::newRow("raw") << "raw";
    QTest::newRow("line") << "line";
    QTest::newRow("legacy") << "legacy";
    QTest::newRow("vigil") << "vigil";
}

void tst_Forward::relaysBothWays()
{
    QFETCH(QString, upstreamFraming);
    UpstreamService upstream;
    QVERIFY(upstream.listenTcp());
    START_VIGILD(server, forwardTo(upstream, upstreamFraming));
    CONNECT_CLIENT(client, server);
    QTRY_COMPARE_WITH_TIMEOUT(upstream.accepted(), 1, WaitMs);

    client.sendFrame(Type::Data, "first");
    QTRY_COMPARE_WITH_TIMEOUT(upstream.received(0), encoded(upstreamFraming, "first"), WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Data).size(), 1, WaitMs);
    QCOMPARE(client.frames(Type::Data).at(0).payload, QByteArray("first"));

    if (upstreamFraming != QLatin1String("raw")) {
        // Framed upstreams keep message boundaries both ways, in order;
        // an empty DATA is a message too.
        client.send(vigilFrame(Type::Data, "second") + vigilFrame(Type::Data, QByteArray())
                    + vigilFrame(Type::Data, "third"));
        QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Data).size(), 4, WaitMs);
        QCOMPARE(client.frames(Type::Data).at(1).payload, QByteArray("second"));
        QCOMPARE(client.frames(Type::Data).at(2).payload, QByteArray());
        QCOMPARE(client.frames(Type::Data).at(3).payload, QByteArray("third"));
        QCOMPARE(upstream.received(0), encoded(upstreamFraming, "first") + encoded(upstreamFraming, "second")
                                           + encoded(upstreamFraming, QByteArray()) + encoded(upstreamFraming, "third"));
    }
    // A large payload crosses in both directions whole (raw: as it is read).
    const QByteArray big(200 * 1024, 'b');
    const qsizetype before = upstream.received(0).size();
    client.sendFrame(Type::Data, big);
    QTRY_COMPARE_WITH_TIMEOUT(upstream.received(0).size(), before + encoded(upstreamFraming, big).size(), WaitMs);
    QByteArray back;
    QTRY_VERIFY_WITH_TIMEOUT(([&]() {
                                 back.clear();
                                 const QList<Frame> data = client.frames(Type::Data);
                                 for (qsizetype i = upstreamFraming == QLatin1String("raw") ? 1 : 4; i < data.size(); ++i)
                                     back += data.at(i).payload;
                                 return back.size() >= big.size();
                             }()),
                             WaitMs);
    QCOMPARE(back, big);
    QVERIFY(client.frames(Type::Bye).isEmpty());
}

// PING, PONG, HELLO and BYE belong to vigild; only client messages are
// activity (an upstream that talks does not keep a silent client alive).
void tst_Forward::heartbeatsAndHandshakeStayAtTheEdge()
{
    UpstreamService upstream;
    QVERIFY(upstream.listenTcp());
    START_VIGILD(server, forwardTo(upstream) << QStringLiteral("--idle-timeout") << QStringLiteral("1s"));
    CONNECT_CLIENT(client, server);
    client.sendFrame(Type::Hello, R"({"client":"edge"})");
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Welcome).size(), 1, WaitMs);
    client.sendFrame(Type::Ping, "p1");
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Pong).size(), 1, WaitMs);
    QCOMPARE(client.frames(Type::Pong).at(0).payload, QByteArray("p1"));
    client.sendFrame(Type::Data, "only-this");
    QTRY_COMPARE_WITH_TIMEOUT(upstream.received(0), QByteArray("only-this"), WaitMs);
    client.sendFrame(Type::Pong, "unasked");
    client.sendFrame(Type::Data, "!");
    QTRY_COMPARE_WITH_TIMEOUT(upstream.received(0), QByteArray("only-this!"), WaitMs);
    client.sendFrame(Type::Bye, QByteArray(1, char(11)));
    QVERIFY(client.waitClosed(WaitMs));
    const qint64 conn = server.connId(client.localPort());
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("normal"), WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(upstream.isClosed(0), WaitMs);
    QCOMPARE(upstream.received(0), QByteArray("only-this!"));
}

// Messages sent before the upstream accepted are held and sent in order.
void tst_Forward::heldWhileConnecting()
{
    UpstreamService upstream;
    QVERIFY(upstream.listenTcp());
    START_VIGILD(server, forwardTo(upstream, QStringLiteral("line")));
    TestClient client(server.port());
    QVERIFY(client.waitConnected());
    // Sent at once: vigild's connect is usually done by the time they
    // arrive, but either way the order holds.
    client.send(vigilFrame(Type::Data, "a") + vigilFrame(Type::Data, "b") + vigilFrame(Type::Data, "c"));
    QTRY_COMPARE_WITH_TIMEOUT(upstream.received(0), QByteArray("a\nb\nc\n"), WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Data).size(), 3, WaitMs);
}

void tst_Forward::upstreamRefuses()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe; // a port nobody listens on once it is closed
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    START_VIGILD(server, {QStringLiteral("--mode"), QStringLiteral("forward"), QStringLiteral("--upstream"),
                          QStringLiteral("127.0.0.1:%1").arg(closedPort)});
    CONNECT_CLIENT(client, server);
    QVERIFY(client.waitClosed(WaitMs));
    QCOMPARE(client.byeCode(), 12);
    const qint64 conn = server.connId(client.localPort());
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(conn), QStringLiteral("upstream-closed"), WaitMs);
}

// The client gets every byte the upstream sent before it closed, then BYE 12.
void tst_Forward::upstreamClosesAfterSending()
{
    UpstreamService upstream;
    QVERIFY(upstream.listenTcp());
    upstream.setDefault(UpstreamService::Behaviour::SayAndClose);
    upstream.setFarewell("last words\nand more\n");
    START_VIGILD(server, forwardTo(upstream, QStringLiteral("line")));
    CONNECT_CLIENT(client, server);
    QVERIFY(client.waitClosed(WaitMs));
    const QList<Frame> frames = client.frames();
    QCOMPARE(frames.size(), 3);
    QCOMPARE(frames.at(0).type, Type::Data);
    QCOMPARE(frames.at(0).payload, QByteArray("last words"));
    QCOMPARE(frames.at(1).payload, QByteArray("and more"));
    QCOMPARE(frames.at(2).type, Type::Bye);
    QCOMPARE(client.byeCode(), 12);
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(server.connId(client.localPort())), QStringLiteral("upstream-closed"),
                              WaitMs);
}

// A stalled upstream: vigild stops reading its client once
// --max-send-buffer waits (no loss, bounded memory), its neighbours keep
// being served, and the write timeout ends it with BYE 12.
void tst_Forward::stalledUpstreamIsBoundedAndIsolated()
{
    UpstreamService upstream;
    QVERIFY(upstream.listenTcp());
    upstream.queue(UpstreamService::Behaviour::Stall);
    START_VIGILD(server, forwardTo(upstream) << QStringLiteral("--max-payload") << QStringLiteral("64k")
                                             << QStringLiteral("--max-send-buffer") << QStringLiteral("256k")
                                             << QStringLiteral("--write-timeout") << QStringLiteral("3s")
                                             << QStringLiteral("--threads") << QStringLiteral("1"));
    CONNECT_CLIENT(stalled, server);
    QTRY_COMPARE_WITH_TIMEOUT(upstream.accepted(), 1, WaitMs);
    const qint64 rssBefore = rssKiB(server.pid());
    QVERIFY(rssBefore > 0);
    // 48 MiB: far past the kernel's buffers on both of vigild's sockets.
    const QByteArray message = vigilFrame(Type::Data, QByteArray(60 * 1024, 's'));
    for (int i = 0; i < 800; ++i)
        stalled.socket().write(message);
    // Backpressure reached the client: most of it waits in its own socket.
    QTRY_VERIFY_WITH_TIMEOUT(stalled.socket().bytesToWrite() > 0, WaitMs);
    QTest::qWait(500);
    QVERIFY2(stalled.socket().bytesToWrite() > 16 * 1024 * 1024,
             qPrintable(QStringLiteral("only %1 bytes wait in the client").arg(stalled.socket().bytesToWrite())));
    // A neighbour on the same thread is served meanwhile.
    CONNECT_CLIENT(neighbour, server);
    neighbour.sendFrame(Type::Data, "still here");
    QTRY_COMPARE_WITH_TIMEOUT(neighbour.frames(Type::Data).size(), 1, WaitMs);
    QCOMPARE(neighbour.frames(Type::Data).at(0).payload, QByteArray("still here"));
    const qint64 rssDuring = rssKiB(server.pid());
    QVERIFY2(rssDuring - rssBefore < 16 * 1024,
             qPrintable(QStringLiteral("vigild grew by %1 KiB").arg(rssDuring - rssBefore)));
    // The write timeout gives up on the upstream: BYE upstream-closed.
    QVERIFY(stalled.waitClosed(3000 + 4 * WaitMs));
    QCOMPARE(stalled.byeCode(), 12);
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(server.connId(stalled.localPort())),
                              QStringLiteral("upstream-closed"), WaitMs);
    QVERIFY(!neighbour.isClosed());
}

// An upstream that sends faster than its client reads: vigild stops
// reading the upstream instead of buffering, and the client that does not
// read is closed by the write timeout as slow-consumer.
void tst_Forward::floodingUpstreamIsBounded()
{
    UpstreamService upstream;
    QVERIFY(upstream.listenTcp());
    upstream.queue(UpstreamService::Behaviour::Flood);
    START_VIGILD(server, forwardTo(upstream) << QStringLiteral("--max-payload") << QStringLiteral("64k")
                                             << QStringLiteral("--max-send-buffer") << QStringLiteral("256k")
                                             << QStringLiteral("--write-timeout") << QStringLiteral("3s"));
    const qint64 rssBefore = rssKiB(server.pid());
    QTcpSocket reader; // connects and never reads
    reader.setReadBufferSize(1);
    reader.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(reader.waitForConnected(WaitMs));
    QTRY_COMPARE_WITH_TIMEOUT(upstream.accepted(), 1, WaitMs);
    // The flood backs up into the upstream's own socket.
    QTRY_VERIFY_WITH_TIMEOUT(upstream.pendingWrite(0) >= 1024 * 1024, WaitMs);
    QTest::qWait(500);
    const qint64 rssDuring = rssKiB(server.pid());
    QVERIFY2(rssDuring - rssBefore < 16 * 1024,
             qPrintable(QStringLiteral("vigild grew by %1 KiB").arg(rssDuring - rssBefore)));
    QTRY_COMPARE_WITH_TIMEOUT(server.closedReason(server.event(QStringLiteral("connected"))
                                                      .value(QLatin1String("conn"))
                                                      .toInteger()),
                              QStringLiteral("slow-consumer"), 3000 + 4 * WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(upstream.isClosed(0), WaitMs);
}

// The client leaves: what it sent reaches the upstream, then the upstream
// is closed.
void tst_Forward::clientCloseClosesUpstream()
{
    UpstreamService upstream;
    QVERIFY(upstream.listenTcp());
    START_VIGILD(server, forwardTo(upstream, QStringLiteral("line")));
    CONNECT_CLIENT(client, server);
    QTRY_COMPARE_WITH_TIMEOUT(upstream.accepted(), 1, WaitMs);
    client.send(vigilFrame(Type::Data, "one") + vigilFrame(Type::Data, "two"));
    client.socket().disconnectFromHost();
    QTRY_VERIFY_WITH_TIMEOUT(upstream.isClosed(0), WaitMs);
    QCOMPARE(upstream.received(0), QByteArray("one\ntwo\n"));
}

void tst_Forward::unixUpstream()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UpstreamService upstream;
    QVERIFY(upstream.listenUnix(dir.filePath(QStringLiteral("app.sock"))));
    START_VIGILD(server, forwardTo(upstream, QStringLiteral("legacy")) << QStringLiteral("--framing")
                                                                       << QStringLiteral("line"));
    CONNECT_CLIENT(client, server);
    client.send("over unix\n");
    QTRY_COMPARE_WITH_TIMEOUT(upstream.received(0), legacyFrame("over unix"), WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(client.received(), QByteArray("over unix\n"), WaitMs);

    // No socket file: refused, BYE upstream-closed.
    START_VIGILD(missing, {QStringLiteral("--mode"), QStringLiteral("forward"), QStringLiteral("--upstream"),
                           QStringLiteral("unix:") + dir.filePath(QStringLiteral("none.sock"))});
    CONNECT_CLIENT(lost, missing);
    QVERIFY(lost.waitClosed(WaitMs));
    QCOMPARE(lost.byeCode(), 12);
    QTRY_COMPARE_WITH_TIMEOUT(missing.closedReason(missing.connId(lost.localPort())), QStringLiteral("upstream-closed"),
                              WaitMs);
}

// The admin API's connection record carries the upstream; /metrics counts
// upstream failures by cause.
void tst_Forward::adminShowsUpstreamAndFailures()
{
    UpstreamService upstream;
    QVERIFY(upstream.listenTcp());
    AdminVigild vigild;
    vigild.start(QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin"),
                             QStringLiteral("127.0.0.1:0")}
                 + forwardTo(upstream));
    QTRY_VERIFY_WITH_TIMEOUT(vigild.ready(), 10000);
    AdminHttp http;
    http.setPort(vigild.adminPort());

    TestClient client(vigild.port());
    QVERIFY(client.waitConnected());
    client.sendFrame(Type::Data, "abc");
    QTRY_COMPARE_WITH_TIMEOUT(client.frames(Type::Data).size(), 1, WaitMs);
    QJsonObject record;
    QTRY_VERIFY_WITH_TIMEOUT(([&]() {
                                 const QJsonArray list =
                                     QJsonDocument::fromJson(http.get(QStringLiteral("/api/v1/connections")).body).array();
                                 record = list.isEmpty() ? QJsonObject()
                                                         : list.at(0).toObject().value(QLatin1String("upstream")).toObject();
                                 return record.value(QLatin1String("bytes_in")).toInteger() == 3;
                             }()),
                             WaitMs);
    QCOMPARE(record.value(QLatin1String("address")).toString(), upstream.address());
    QCOMPARE(record.value(QLatin1String("state")).toString(), QStringLiteral("open"));
    QCOMPARE(record.value(QLatin1String("bytes_out")).toInteger(), 3);
    QCOMPARE(record.value(QLatin1String("pending_out")).toInteger(), 0);

    // The upstream stops listening: the next client's connect is refused.
    upstream.stopListening();
    TestClient refused(vigild.port());
    QVERIFY(refused.waitClosed(WaitMs));
    QCOMPARE(refused.byeCode(), 12);
    auto metric = [&](const QByteArray &line) {
        for (const QByteArray &l : http.get(QStringLiteral("/metrics")).body.split('\n')) {
            if (l.startsWith(QByteArray(line + ' ')))
                return l.mid(line.size() + 1).toLongLong();
        }
        return qint64(-1);
    };
    QTRY_COMPARE_WITH_TIMEOUT(metric("vigil_upstream_failures_total{cause=\"refused\"}"), 1, WaitMs);
    QCOMPARE(metric("vigil_upstream_failures_total{cause=\"closed\"}"), 0);
    QCOMPARE(metric("vigil_closes_total{reason=\"upstream-closed\"}"), 1);
}

void tst_Forward::flagPairIsExit2_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("error");
    QTest::newRow("forward alone") << QStringList{"--mode", "forward"}
                                   << "--mode forward needs --upstream HOST:PORT or unix:PATH";
    QTest::newRow("upstream alone") << QStringList{"--upstream", "127.0.0.1:9000"}
                                    << "--upstream is only for --mode forward (mode is echo)";
}

void tst_Forward::flagPairIsExit2()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, error);
    const RunResult r = runVigild(flags);
    QCOMPARE(r.exitStatus, QProcess::NormalExit);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    const QList<QByteArray> lines = r.err.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.constFirst().contains(error.toUtf8()), r.err.constData());
}

QTEST_GUILESS_MAIN(tst_Forward)
#include "tst_forward.moc"
