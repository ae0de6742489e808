// FrameEncoder: exact bytes per PROTOCOL.md §1/§2 and decode(encode(x)) == x.
#include "framedecoder.h"
#include "frameencoder.h"
#include "testwire.h"

#include <QTest>

using namespace Vigil;
using namespace VigilTest;

Q_DECLARE_METATYPE(Vigil::Framing)
Q_DECLARE_METATYPE(Vigil::FrameType)
Q_DECLARE_METATYPE(Vigil::CloseReason)

namespace {
class RecordingSink final : public MessageSink
{
public:
    bool onMessage(const DecodedMessage &message) override
    {
        types.append(message.type);
        payloads.append(QByteArray(message.data, qsizetype(message.size)));
        return true;
    }
    QList<FrameType> types;
    QByteArrayList payloads;
};
} // namespace

class tst_FrameEncoder : public QObject
{
    Q_OBJECT

private slots:
    void exactBytes_data();
    void exactBytes();
    void roundTrip_data();
    void roundTrip();
    void byteBufferMatchesQByteArray_data() { roundTrip_data(); }
    void byteBufferMatchesQByteArray();
    void typedFramesOnlyInVigil_data();
    void typedFramesOnlyInVigil();
    void bye_data();
    void bye();
    void overhead_data();
    void overhead();
    void goAwayBytes();
    void goAwayRoundTrip_data();
    void goAwayRoundTrip();
    void goAwayTooShort();
};

void tst_FrameEncoder::exactBytes_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<FrameType>("type");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("vigil DATA") << Framing::Vigil << FrameType::Data << QByteArray("hi")
                                << QByteArray("VG\x01\x01\x00\x00\x00\x02hi", 10);
    QTest::newRow("vigil empty DATA") << Framing::Vigil << FrameType::Data << QByteArray()
                                      << QByteArray("VG\x01\x01\x00\x00\x00\x00", 8);
    QTest::newRow("vigil PING") << Framing::Vigil << FrameType::Ping << QByteArray("p")
                                << QByteArray("VG\x01\x02\x00\x00\x00\x01p", 9);
    QTest::newRow("vigil WELCOME") << Framing::Vigil << FrameType::Welcome << QByteArray("{}")
                                   << vigilFrame(Type::Welcome, "{}");
    QTest::newRow("vigil 300-byte length is big-endian")
        << Framing::Vigil << FrameType::Data << QByteArray(300, 'x')
        << QByteArray("VG\x01\x01\x00\x00\x01\x2c", 8) + QByteArray(300, 'x');
    QTest::newRow("legacy") << Framing::Legacy << FrameType::Data << QByteArray("hi")
                            << QByteArray("www.01happy.com\x00\x00\x00\x02hi", 21);
    QTest::newRow("line") << Framing::Line << FrameType::Data << QByteArray("hi") << QByteArray("hi\n");
    QTest::newRow("line empty") << Framing::Line << FrameType::Data << QByteArray() << QByteArray("\n");
    QTest::newRow("raw") << Framing::Raw << FrameType::Data << QByteArray("hi") << QByteArray("hi");
}

void tst_FrameEncoder::exactBytes()
{
    QFETCH(Framing, framing);
    QFETCH(FrameType, type);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, expected);

    QCOMPARE(FrameEncoder::encode(framing, type, payload), expected);
}

void tst_FrameEncoder::roundTrip_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<FrameType>("type");
    QTest::addColumn<QByteArray>("payload");

    QByteArray binary;
    for (int i = 0; i < 256; ++i)
        binary.append(char(i));
    const QByteArray big(70000, 'b');
    for (Framing f : {Framing::Vigil, Framing::Legacy, Framing::Line, Framing::Raw}) {
        const QByteArray name = framingName(f).toLatin1();
        if (f != Framing::Raw) // raw has no message boundary for an empty payload
            QTest::addRow("%s empty", name.constData()) << f << FrameType::Data << QByteArray();
        QTest::addRow("%s text", name.constData()) << f << FrameType::Data << QByteArray("hello, vigil");
        QTest::addRow("%s 70000 bytes", name.constData()) << f << FrameType::Data << big;
        if (f != Framing::Line) // a line cannot hold '\n'
            QTest::addRow("%s all byte values", name.constData()) << f << FrameType::Data << binary;
    }
    QTest::newRow("vigil PING") << Framing::Vigil << FrameType::Ping << QByteArray(64, '\x01');
    QTest::newRow("vigil PONG") << Framing::Vigil << FrameType::Pong << QByteArray("12345678");
    QTest::newRow("vigil HELLO") << Framing::Vigil << FrameType::Hello << QByteArray("{\"policy\":\"long\"}");
    QTest::newRow("vigil WELCOME") << Framing::Vigil << FrameType::Welcome << QByteArray("{\"conn\":1}");
    QTest::newRow("vigil BYE") << Framing::Vigil << FrameType::Bye << QByteArray("\x06shutting down");
}

void tst_FrameEncoder::roundTrip()
{
    QFETCH(Framing, framing);
    QFETCH(FrameType, type);
    QFETCH(QByteArray, payload);

    const QByteArray wire = FrameEncoder::encode(framing, type, payload);
    FrameDecoder decoder(framing, 1 << 20);
    RecordingSink sink;
    QCOMPARE(closeReasonName(decoder.feed(wire.constData(), size_t(wire.size()), sink)),
             closeReasonName(CloseReason::None));
    QCOMPARE(sink.payloads.size(), 1);
    QCOMPARE(sink.types.constFirst(), type);
    QCOMPARE(sink.payloads.constFirst(), payload);
    QCOMPARE(decoder.buffered(), size_t(0));
}

void tst_FrameEncoder::byteBufferMatchesQByteArray()
{
    QFETCH(Framing, framing);
    QFETCH(FrameType, type);
    QFETCH(QByteArray, payload);

    ByteBuffer buffer;
    buffer.append("prefix", 6);
    QVERIFY(FrameEncoder::append(framing, type, payload.constData(), size_t(payload.size()), buffer));
    QCOMPARE(QByteArray(buffer.data(), qsizetype(buffer.size())),
             "prefix" + FrameEncoder::encode(framing, type, payload));
}

void tst_FrameEncoder::typedFramesOnlyInVigil_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<FrameType>("type");
    QTest::addColumn<bool>("accepted");

    for (Framing f : {Framing::Vigil, Framing::Legacy, Framing::Line, Framing::Raw}) {
        for (FrameType t : {FrameType::Data, FrameType::Ping, FrameType::Pong, FrameType::Welcome, FrameType::Bye}) {
            QTest::newRow(qPrintable(framingName(f) + QLatin1Char(' ') + frameTypeName(t)))
                << f << t << (f == Framing::Vigil || t == FrameType::Data);
        }
    }
}

void tst_FrameEncoder::typedFramesOnlyInVigil()
{
    QFETCH(Framing, framing);
    QFETCH(FrameType, type);
    QFETCH(bool, accepted);

    QByteArray out("keep");
    QCOMPARE(FrameEncoder::append(framing, type, "x", 1, out), accepted);
    if (!accepted)
        QCOMPARE(out, QByteArray("keep"));
    ByteBuffer buffer;
    QCOMPARE(FrameEncoder::append(framing, type, "x", 1, buffer), accepted);
    if (!accepted)
        QCOMPARE(buffer.size(), size_t(0));
}

void tst_FrameEncoder::bye_data()
{
    QTest::addColumn<CloseReason>("reason");
    QTest::addColumn<quint8>("code");

    QTest::newRow("idle-timeout") << CloseReason::IdleTimeout << Bye::IdleTimeout;
    QTest::newRow("lifetime-expired") << CloseReason::LifetimeExpired << Bye::LifetimeExpired;
    QTest::newRow("protocol-error") << CloseReason::ProtocolError << Bye::ProtocolError;
    QTest::newRow("frame-too-large") << CloseReason::FrameTooLarge << Bye::FrameTooLarge;
    QTest::newRow("unsupported-version") << CloseReason::UnsupportedVersion << Bye::UnsupportedVersion;
    QTest::newRow("server-shutdown") << CloseReason::ServerShutdown << Bye::ServerShutdown;
    QTest::newRow("kicked") << CloseReason::Kicked << Bye::Kicked;
    QTest::newRow("server-full") << CloseReason::ServerFull << Bye::ServerFull;
    QTest::newRow("slow-consumer") << CloseReason::SlowConsumer << Bye::SlowConsumer;
    QTest::newRow("rate-limited") << CloseReason::RateLimited << Bye::RateLimited;
    QTest::newRow("normal") << CloseReason::Normal << Bye::Normal;
    QTest::newRow("upstream-closed") << CloseReason::UpstreamClosed << Bye::UpstreamClosed;
    QTest::newRow("too-many-pings") << CloseReason::TooManyPings << Bye::TooManyPings;
    QTest::newRow("handshake-timeout") << CloseReason::HandshakeTimeout << Bye::HandshakeTimeout;
    QTest::newRow("frame-timeout") << CloseReason::FrameTimeout << Bye::FrameTimeout;
}

// PROTOCOL.md §2: BYE = 1 reason byte, then optional detail text.
void tst_FrameEncoder::bye()
{
    QFETCH(CloseReason, reason);
    QFETCH(quint8, code);

    QCOMPARE(FrameEncoder::bye(reason), vigilFrame(Type::Bye, QByteArray(1, char(code))));
    QCOMPARE(FrameEncoder::bye(reason, "why"), vigilFrame(Type::Bye, QByteArray(1, char(code)) + "why"));
    QCOMPARE(closeReasonName(reason), QString::fromLatin1(QTest::currentDataTag()));
    QCOMPARE(byeCode(reason).value_or(0), code);
    QCOMPARE(closeReasonFromByeCode(code).value_or(CloseReason::None), reason);
    QCOMPARE(parseCloseReason(QString::fromLatin1(QTest::currentDataTag())).value_or(CloseReason::None), reason);
}

void tst_FrameEncoder::overhead_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<int>("bytes");

    QTest::newRow("vigil") << Framing::Vigil << 8;
    QTest::newRow("legacy") << Framing::Legacy << 19;
    QTest::newRow("line") << Framing::Line << 1;
    QTest::newRow("raw") << Framing::Raw << 0;
}

void tst_FrameEncoder::overhead()
{
    QFETCH(Framing, framing);
    QFETCH(int, bytes);

    QCOMPARE(int(FrameEncoder::overhead(framing)), bytes);
    QCOMPARE(int(FrameEncoder::encode(framing, FrameType::Data, "abc").size()), 3 + bytes);
}


// PROTOCOL.md §2: GOAWAY = reason byte, uint32 big-endian ms, detail.
void tst_FrameEncoder::goAwayBytes()
{
    QCOMPARE(FrameEncoder::goAway(CloseReason::LifetimeExpired, 1500),
             vigilFrame(Type::GoAway, QByteArray::fromHex("02000005dc")));
    QCOMPARE(FrameEncoder::goAway(CloseReason::ServerShutdown, 0x01020304u, "bye soon"),
             vigilFrame(Type::GoAway, goAwayPayload(Bye::ServerShutdown, 0x01020304u, "bye soon")));
    QCOMPARE(frameTypeName(FrameType::GoAway), QStringLiteral("GOAWAY"));
    // A GOAWAY exists only where frames are typed.
    QByteArray out;
    QVERIFY(!FrameEncoder::append(Framing::Line, FrameType::GoAway, "x", 1, out));
    QVERIFY(out.isEmpty());
}

void tst_FrameEncoder::goAwayRoundTrip_data()
{
    QTest::addColumn<CloseReason>("reason");
    QTest::addColumn<quint32>("ms");
    QTest::addColumn<QByteArray>("detail");
    QTest::newRow("lifetime, no detail") << CloseReason::LifetimeExpired << quint32(250) << QByteArray();
    QTest::newRow("shutdown, detail") << CloseReason::ServerShutdown << quint32(30000) << QByteArray("draining \xc3\xa9");
    QTest::newRow("0 ms") << CloseReason::LifetimeExpired << quint32(0) << QByteArray();
    QTest::newRow("largest ms") << CloseReason::Kicked << quint32(0xffffffffu) << QByteArray("x");
}

void tst_FrameEncoder::goAwayRoundTrip()
{
    QFETCH(CloseReason, reason);
    QFETCH(quint32, ms);
    QFETCH(QByteArray, detail);

    // Twice in one stream, split at every byte: a client's decoder accepts
    // the type and gives back what was encoded.
    const QByteArray frame = FrameEncoder::goAway(reason, ms, detail);
    const QByteArray twice = frame + frame;
    for (int split = 0; split <= twice.size(); ++split) {
        FrameDecoder decoder(Framing::Vigil, 1024);
        RecordingSink sink;
        QCOMPARE(decoder.feed(twice.constData(), size_t(split), sink), CloseReason::None);
        QCOMPARE(decoder.feed(twice.constData() + split, size_t(twice.size() - split), sink), CloseReason::None);
        QCOMPARE(sink.types, (QList<FrameType>{FrameType::GoAway, FrameType::GoAway}));
        for (const QByteArray &payload : std::as_const(sink.payloads)) {
            const std::optional<GoAwayFrame> g = GoAwayFrame::parse(payload.constData(), size_t(payload.size()));
            QVERIFY(g);
            QCOMPARE(closeReasonFromByeCode(g->code), std::optional<CloseReason>(reason));
            QCOMPARE(g->ms, ms);
            QCOMPARE(g->detail, detail);
            QCOMPARE(g->reasonName(), closeReasonName(reason));
        }
    }
}

void tst_FrameEncoder::goAwayTooShort()
{
    const QByteArray four = QByteArray::fromHex("02000005");
    QVERIFY(!GoAwayFrame::parse(four.constData(), size_t(four.size())));
    const QByteArray unknown = goAwayPayload(200, 7);
    const std::optional<GoAwayFrame> g = GoAwayFrame::parse(unknown.constData(), size_t(unknown.size()));
    QVERIFY(g);
    QCOMPARE(g->reasonName(), QStringLiteral("code 200"));
}

QTEST_GUILESS_MAIN(tst_FrameEncoder)
#include "tst_frameencoder.moc"
