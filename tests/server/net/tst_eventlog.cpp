// EventLog: every JSON line parses as one object whatever the payload
// bytes, with `ts` in RFC 3339 UTC milliseconds (PROTOCOL.md §5, §7).
#include "eventlog.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

using namespace Vigil;

namespace {
// Collects what an EventLog writes through a pipe.
class PipeCapture
{
public:
    PipeCapture() { ok = ::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0; }
    ~PipeCapture()
    {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    QList<QByteArray> lines()
    {
        LogSink::forFd(fds[1]).drain(5000); // the sink's writer thread writes
        char buffer[65536];
        ssize_t n;
        while ((n = ::read(fds[0], buffer, sizeof(buffer))) > 0)
            text.append(buffer, qsizetype(n));
        QList<QByteArray> all = text.split('\n');
        if (!all.isEmpty() && all.constLast().isEmpty())
            all.removeLast();
        return all;
    }
    int fds[2] = {-1, -1};
    bool ok = false;
    QByteArray text;
};

PeerAddress loopbackPeer(quint16 port)
{
    PeerAddress p;
    p.address[10] = p.address[11] = 0xff;
    p.address[12] = 127;
    p.address[15] = 1;
    p.port = port;
    return p;
}
} // namespace

class tst_EventLog : public QObject
{
    Q_OBJECT

private slots:
    void jsonPayloadIsAlwaysValid_data();
    void jsonPayloadIsAlwaysValid();
    void jsonConnectionEvents();
    void timestampFormat();
    void textListeningLine();
    void disabledLogWritesNothing();
    void proxiedEvent();
};

void tst_EventLog::jsonPayloadIsAlwaysValid_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("decoded");

    QTest::newRow("ASCII") << QByteArray("hello") << QStringLiteral("hello");
    QTest::newRow("quotes and backslash") << QByteArray("a\"b\\c") << QStringLiteral("a\"b\\c");
    QTest::newRow("control bytes") << QByteArray("\0\x01\n\r\t\x7f", 6) << QString::fromLatin1("\0\x01\n\r\t\x7f", 6);
    QTest::newRow("valid UTF-8") << QByteArray("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")
                                 << QString::fromUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    QTest::newRow("lone 0xff") << QByteArray("a\xff" "b") << QStringLiteral("a\ufffd" "b");
    QTest::newRow("lone continuation") << QByteArray("\x80") << QStringLiteral("\ufffd");
    QTest::newRow("truncated sequence") << QByteArray("\xe2\x82") << QStringLiteral("\ufffd\ufffd");
    QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << QStringLiteral("\ufffd\ufffd");
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << QStringLiteral("\ufffd\ufffd\ufffd");
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << QStringLiteral("\ufffd\ufffd\ufffd\ufffd");
    QTest::newRow("binary frame") << QByteArray("\0\1\2\xff", 4) << QString::fromUtf8("\0\1\2\xef\xbf\xbd", 6);
}

void tst_EventLog::jsonPayloadIsAlwaysValid()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, decoded);

    PipeCapture capture;
    QVERIFY(capture.ok);
    EventLog log(LogFormat::Json, true, capture.fds[1]);
    log.message(7, loopbackPeer(5555), payload.constData(), size_t(payload.size()));
    log.flush();
    const QList<QByteArray> lines = capture.lines();
    QCOMPARE(lines.size(), 1);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(lines.constFirst(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + QLatin1String(": ")
                                                                 + QString::fromLatin1(lines.constFirst().toHex())));
    QCOMPARE(doc.object().value(QLatin1String("payload")).toString(), decoded);
    QCOMPARE(doc.object().value(QLatin1String("bytes")).toInteger(), payload.size());
}

void tst_EventLog::jsonConnectionEvents()
{
    PipeCapture capture;
    EventLog log(LogFormat::Json, true, capture.fds[1]);
    const PeerAddress peer = loopbackPeer(40000);
    ConnectionTimers timers;
    timers.idleTimeoutMs = 1500;
    log.connected(3, peer);
    log.hello(3, peer, QStringLiteral("sensor \"17\""), timers);
    log.timeout(3, peer, TimeoutKind::Idle, 1500);
    log.closed(3, peer, CloseReason::IdleTimeout, ConnectionTotals{});
    log.rejected(peer, CloseReason::ServerFull);
    log.stopped();
    const QList<QByteArray> lines = capture.lines();
    QCOMPARE(lines.size(), 6);
    const QStringList names{"connected", "hello", "timeout", "closed", "rejected", "stopped"};
    for (int i = 0; i < lines.size(); ++i) {
        const QJsonObject o = QJsonDocument::fromJson(lines[i]).object();
        QCOMPARE(o.value(QLatin1String("event")).toString(), names[i]);
        if (i < 4) {
            QCOMPARE(o.value(QLatin1String("conn")).toInteger(), 3);
            QCOMPARE(o.value(QLatin1String("peer")).toString(), QStringLiteral("127.0.0.1:40000"));
        }
    }
    QCOMPARE(QJsonDocument::fromJson(lines[1]).object().value(QLatin1String("client")).toString(),
             QStringLiteral("sensor \"17\""));
    QCOMPARE(QJsonDocument::fromJson(lines[2]).object().value(QLatin1String("kind")).toString(), QStringLiteral("idle"));
    QCOMPARE(QJsonDocument::fromJson(lines[3]).object().value(QLatin1String("reason")).toString(),
             QStringLiteral("idle-timeout"));
    const QJsonObject rejected = QJsonDocument::fromJson(lines[4]).object();
    QCOMPARE(rejected.value(QLatin1String("reason")).toString(), QStringLiteral("server-full"));
    QCOMPARE(rejected.value(QLatin1String("peer")).toString(), QStringLiteral("127.0.0.1:40000"));
}

// PROTOCOL.md §9: `proxied` carries conn, the client's address as peer and
// the socket's as proxy, in JSON and in text.
void tst_EventLog::proxiedEvent()
{
    PeerAddress client;
    client.address = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
    client.port = 12345;
    client.v4 = false;
    {
        PipeCapture capture;
        EventLog log(LogFormat::Json, true, capture.fds[1]);
        log.proxied(9, client, loopbackPeer(40001));
        log.timeout(9, client, TimeoutKind::Handshake, 10000);
        log.stopped();
        const QList<QByteArray> lines = capture.lines();
        QCOMPARE(lines.size(), 3);
        const QJsonObject o = QJsonDocument::fromJson(lines[0]).object();
        QCOMPARE(o.value(QLatin1String("event")).toString(), QStringLiteral("proxied"));
        QCOMPARE(o.value(QLatin1String("conn")).toInteger(), 9);
        QCOMPARE(o.value(QLatin1String("peer")).toString(), QStringLiteral("[2001:db8::7]:12345"));
        QCOMPARE(o.value(QLatin1String("proxy")).toString(), QStringLiteral("127.0.0.1:40001"));
        QCOMPARE(QJsonDocument::fromJson(lines[1]).object().value(QLatin1String("kind")).toString(),
                 QStringLiteral("handshake"));
    }
    PipeCapture capture;
    EventLog log(LogFormat::Text, true, capture.fds[1]);
    log.proxied(9, client, loopbackPeer(40001));
    log.stopped();
    const QList<QByteArray> lines = capture.lines();
    QVERIFY(!lines.isEmpty());
    QVERIFY2(lines[0].contains("proxied") && lines[0].contains("conn=9") && lines[0].contains("peer=[2001:db8::7]:12345")
                 && lines[0].contains("proxy=127.0.0.1:40001"),
             lines[0].constData());
}

void tst_EventLog::timestampFormat()
{
    const QString ts = QString::fromStdString(EventLog::timestamp());
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$")).match(ts).hasMatch(),
             qPrintable(ts));
    const QDateTime parsed = QDateTime::fromString(ts, Qt::ISODateWithMs);
    QVERIFY(parsed.isValid());
    QCOMPARE(parsed.timeSpec(), Qt::UTC);
    QVERIFY(qAbs(parsed.msecsTo(QDateTime::currentDateTimeUtc())) < 5000);
}

void tst_EventLog::textListeningLine()
{
    PipeCapture capture;
    EventLog log(LogFormat::Text, true, capture.fds[1]);
    log.listening(QStringLiteral("127.0.0.1:7600"), Framing::Legacy);
    log.closed(1, loopbackPeer(5), CloseReason::ClientClosed, ConnectionTotals{});
    log.flush();
    const QList<QByteArray> lines = capture.lines();
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0], QByteArray("listening on 127.0.0.1:7600 framing=legacy"));
    QVERIFY2(lines[1].startsWith("closed conn=1 peer=127.0.0.1:5 reason=client-closed"), lines[1].constData());
}

void tst_EventLog::disabledLogWritesNothing()
{
    PipeCapture capture;
    EventLog log(LogFormat::Json, false, capture.fds[1]);
    QVERIFY(!log.isEnabled());
    log.listening(QStringLiteral("127.0.0.1:1"), Framing::Vigil);
    log.connected(1, loopbackPeer(1));
    log.stopped();
    log.flush();
    QVERIFY(capture.lines().isEmpty());
}

QTEST_GUILESS_MAIN(tst_EventLog)
#include "tst_eventlog.moc"
