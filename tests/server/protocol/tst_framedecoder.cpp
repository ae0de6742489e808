// FrameDecoder against PROTOCOL.md §1, §2 and §4: every framing, split reads,
// bad input and the bound on buffered bytes.
#include "framedecoder.h"
#include "testwire.h"

#include <QTest>

using namespace Vigil;
using namespace VigilTest;

Q_DECLARE_METATYPE(Vigil::Framing)
Q_DECLARE_METATYPE(Vigil::CloseReason)

namespace {

constexpr quint32 SmallMax = 16;

// Records each message as "TYPE:payload"; can stop after a number of messages.
class RecordingSink final : public MessageSink
{
public:
    bool onMessage(const DecodedMessage &message) override
    {
        messages.append(frameTypeName(message.type).toLatin1() + ':'
                        + QByteArray(message.data, qsizetype(message.size)));
        return stopAfter < 0 || messages.size() < stopAfter;
    }
    QByteArrayList messages;
    int stopAfter = -1;
};

QByteArray data(const QByteArray &payload) { return "DATA:" + payload; }

// Feeds bytes in pieces of the given sizes (the rest in one go) and
// checks the buffer bound after every read.
CloseReason feedInPieces(FrameDecoder &decoder, const QByteArray &bytes, const QList<int> &pieces,
                         RecordingSink &sink, bool *boundHeld)
{
    qsizetype at = 0;
    *boundHeld = true;
    for (int piece : pieces) {
        const qsizetype n = std::min<qsizetype>(piece, bytes.size() - at);
        const CloseReason r = decoder.feed(bytes.constData() + at, size_t(n), sink);
        at += n;
        if (decoder.buffered() > decoder.bufferLimit())
            *boundHeld = false;
        if (r != CloseReason::None)
            return r;
    }
    if (at < bytes.size()) {
        const CloseReason r = decoder.feed(bytes.constData() + at, size_t(bytes.size() - at), sink);
        if (decoder.buffered() > decoder.bufferLimit())
            *boundHeld = false;
        return r;
    }
    return CloseReason::None;
}

} // namespace

class tst_FrameDecoder : public QObject
{
    Q_OBJECT

private slots:
    void wellFormed_data();
    void wellFormed();
    void splitAtEveryBoundary_data() { wellFormed_data(); }
    void splitAtEveryBoundary();
    void byteByByte_data() { wellFormed_data(); }
    void byteByByte();
    void badInput_data();
    void badInput();
    void badInputByteByByte_data() { badInput_data(); }
    void badInputByteByByte();
    void frameTooLargeFromHeaderAlone_data();
    void frameTooLargeFromHeaderAlone();
    void legacyGarbageLimit_data();
    void legacyGarbageLimit();
    void rawChunksAtMaxPayload();
    void bufferNeverExceedsLimit_data();
    void bufferNeverExceedsLimit();
    void sinkCanStopDecoding();
    void bufferLimitPerFraming_data();
    void bufferLimitPerFraming();
    void releaseMemoryKeepsPartialMessage();
};

void tst_FrameDecoder::wellFormed_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<quint32>("maxPayload");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QByteArrayList>("expected");

    const QByteArray max(SmallMax, 'm');

    QTest::newRow("vigil: one DATA") << Framing::Vigil << SmallMax << vigilFrame(Type::Data, "hello")
                                     << QByteArrayList{data("hello")};
    QTest::newRow("vigil: zero-length DATA") << Framing::Vigil << SmallMax << vigilFrame(Type::Data, "")
                                             << QByteArrayList{data("")};
    QTest::newRow("vigil: several frames in one read")
        << Framing::Vigil << SmallMax
        << vigilFrame(Type::Data, "a") + vigilFrame(Type::Ping, "p1") + vigilFrame(Type::Pong, "p2")
               + vigilFrame(Type::Data, "") + vigilFrame(Type::Hello, "{}") + vigilFrame(Type::Bye, "\x0b")
        << QByteArrayList{data("a"), "PING:p1", "PONG:p2", data(""), "HELLO:{}", "BYE:\x0b"};
    QTest::newRow("vigil: exactly max payload") << Framing::Vigil << SmallMax << vigilFrame(Type::Data, max)
                                                << QByteArrayList{data(max)};
    QTest::newRow("vigil: PING of 64 bytes")
        << Framing::Vigil << quint32(1024) << vigilFrame(Type::Ping, QByteArray(64, 'p'))
        << QByteArrayList{"PING:" + QByteArray(64, 'p')};
    QTest::newRow("vigil: binary payload") << Framing::Vigil << SmallMax
                                           << vigilFrame(Type::Data, QByteArray("\0\n\r\xff", 4))
                                           << QByteArrayList{data(QByteArray("\0\n\r\xff", 4))};

    QTest::newRow("legacy: one frame") << Framing::Legacy << SmallMax << legacyFrame("hello")
                                       << QByteArrayList{data("hello")};
    QTest::newRow("legacy: zero length") << Framing::Legacy << SmallMax << legacyFrame("")
                                         << QByteArrayList{data("")};
    QTest::newRow("legacy: several frames") << Framing::Legacy << SmallMax
                                            << legacyFrame("one") + legacyFrame("two") + legacyFrame("")
                                            << QByteArrayList{data("one"), data("two"), data("")};
    QTest::newRow("legacy: exactly max payload") << Framing::Legacy << SmallMax << legacyFrame(max)
                                                 << QByteArrayList{data(max)};
    QTest::newRow("legacy: garbage before header is skipped")
        << Framing::Legacy << SmallMax << QByteArray("junk!") + legacyFrame("ok")
        << QByteArrayList{data("ok")};
    QTest::newRow("legacy: partial magic in garbage")
        << Framing::Legacy << SmallMax << QByteArray("www.01hap") + legacyFrame("ok") + "ww" + legacyFrame("2")
        << QByteArrayList{data("ok"), data("2")};
    QTest::newRow("legacy: magic inside payload is payload")
        << Framing::Legacy << quint32(64) << legacyFrame("www.01happy.com") + legacyFrame("x")
        << QByteArrayList{data("www.01happy.com"), data("x")};

    QTest::newRow("line: one line") << Framing::Line << SmallMax << QByteArray("hello\n")
                                    << QByteArrayList{data("hello")};
    QTest::newRow("line: CRLF drops the CR") << Framing::Line << SmallMax << QByteArray("hello\r\n")
                                             << QByteArrayList{data("hello")};
    QTest::newRow("line: inner CR is kept") << Framing::Line << SmallMax << QByteArray("a\rb\n")
                                            << QByteArrayList{data("a\rb")};
    QTest::newRow("line: empty lines") << Framing::Line << SmallMax << QByteArray("\n\r\n")
                                       << QByteArrayList{data(""), data("")};
    QTest::newRow("line: several lines") << Framing::Line << SmallMax << QByteArray("one\ntwo\r\nthree\n")
                                         << QByteArrayList{data("one"), data("two"), data("three")};
    QTest::newRow("line: exactly max payload") << Framing::Line << SmallMax << max + '\n'
                                               << QByteArrayList{data(max)};
    QTest::newRow("line: exactly max payload with CRLF") << Framing::Line << SmallMax << max + "\r\n"
                                                         << QByteArrayList{data(max)};
    QTest::newRow("line: unfinished line is not a message") << Framing::Line << SmallMax
                                                            << QByteArray("done\npartial")
                                                            << QByteArrayList{data("done")};
}

void tst_FrameDecoder::wellFormed()
{
    QFETCH(Framing, framing);
    QFETCH(quint32, maxPayload);
    QFETCH(QByteArray, wire);
    QFETCH(QByteArrayList, expected);

    FrameDecoder decoder(framing, maxPayload);
    RecordingSink sink;
    QCOMPARE(closeReasonName(decoder.feed(wire.constData(), size_t(wire.size()), sink)),
             closeReasonName(CloseReason::None));
    QCOMPARE(sink.messages, expected);
    QVERIFY(decoder.buffered() <= decoder.bufferLimit());
}

// PROTOCOL.md §1: a message may arrive split at any byte.
void tst_FrameDecoder::splitAtEveryBoundary()
{
    QFETCH(Framing, framing);
    QFETCH(quint32, maxPayload);
    QFETCH(QByteArray, wire);
    QFETCH(QByteArrayList, expected);

    for (int split = 0; split <= wire.size(); ++split) {
        FrameDecoder decoder(framing, maxPayload);
        RecordingSink sink;
        bool boundHeld = false;
        const CloseReason r = feedInPieces(decoder, wire, {split}, sink, &boundHeld);
        QVERIFY2(r == CloseReason::None, qPrintable(QStringLiteral("split at %1: %2").arg(split).arg(closeReasonName(r))));
        QVERIFY2(boundHeld, qPrintable(QStringLiteral("split at %1").arg(split)));
        QVERIFY2(sink.messages == expected, qPrintable(QStringLiteral("split at %1").arg(split)));
    }
}

void tst_FrameDecoder::byteByByte()
{
    QFETCH(Framing, framing);
    QFETCH(quint32, maxPayload);
    QFETCH(QByteArray, wire);
    QFETCH(QByteArrayList, expected);

    FrameDecoder decoder(framing, maxPayload);
    RecordingSink sink;
    bool boundHeld = false;
    const CloseReason r = feedInPieces(decoder, wire, QList<int>(wire.size(), 1), sink, &boundHeld);
    QCOMPARE(closeReasonName(r), closeReasonName(CloseReason::None));
    QVERIFY(boundHeld);
    QCOMPARE(sink.messages, expected);
}

void tst_FrameDecoder::badInput_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<quint32>("maxPayload");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<CloseReason>("reason");
    QTest::addColumn<QByteArrayList>("before"); // messages decoded before the error

    const QByteArray ok = vigilFrame(Type::Data, "ok");
    QTest::newRow("vigil: bad first magic byte") << Framing::Vigil << SmallMax << QByteArray("XG\x01\x01")
                                                 << CloseReason::ProtocolError << QByteArrayList{};
    QTest::newRow("vigil: bad second magic byte") << Framing::Vigil << SmallMax << QByteArray("VX\x01\x01")
                                                  << CloseReason::ProtocolError << QByteArrayList{};
    QTest::newRow("vigil: garbage after a good frame")
        << Framing::Vigil << SmallMax << ok + "GET / HTTP/1.1\r\n" << CloseReason::ProtocolError
        << QByteArrayList{data("ok")};
    QTest::newRow("vigil: version 2") << Framing::Vigil << SmallMax << vigilFrame(Type::Data, "x", 0x02)
                                      << CloseReason::UnsupportedVersion << QByteArrayList{};
    QTest::newRow("vigil: version 0") << Framing::Vigil << SmallMax << vigilFrame(Type::Data, "x", 0x00)
                                      << CloseReason::UnsupportedVersion << QByteArrayList{};
    QTest::newRow("vigil: type 0") << Framing::Vigil << SmallMax << vigilFrame(0x00, "x")
                                   << CloseReason::ProtocolError << QByteArrayList{};
    QTest::newRow("vigil: type 8") << Framing::Vigil << SmallMax << vigilFrame(0x08, "x")
                                   << CloseReason::ProtocolError << QByteArrayList{};
    QTest::newRow("vigil: type 0xff") << Framing::Vigil << SmallMax << vigilFrame(0xff, "x")
                                      << CloseReason::ProtocolError << QByteArrayList{};
    QTest::newRow("vigil: PING of 65 bytes") << Framing::Vigil << quint32(1024)
                                             << vigilFrame(Type::Ping, QByteArray(65, 'p'))
                                             << CloseReason::ProtocolError << QByteArrayList{};
    QTest::newRow("vigil: PONG of 65 bytes") << Framing::Vigil << quint32(1024)
                                             << vigilFrame(Type::Pong, QByteArray(65, 'p'))
                                             << CloseReason::ProtocolError << QByteArrayList{};
    QTest::newRow("vigil: max payload + 1") << Framing::Vigil << SmallMax
                                            << vigilFrame(Type::Data, QByteArray(SmallMax + 1, 'x'))
                                            << CloseReason::FrameTooLarge << QByteArrayList{};
    QTest::newRow("vigil: too large after a good frame")
        << Framing::Vigil << SmallMax << ok + vigilHeader(Type::Data, 0x80000000u) << CloseReason::FrameTooLarge
        << QByteArrayList{data("ok")};

    QTest::newRow("legacy: negative length") << Framing::Legacy << SmallMax << legacyHeader(-1)
                                             << CloseReason::ProtocolError << QByteArrayList{};
    QTest::newRow("legacy: INT_MIN length") << Framing::Legacy << SmallMax << legacyHeader(qint32(0x80000000u))
                                            << CloseReason::ProtocolError << QByteArrayList{};
    QTest::newRow("legacy: max payload + 1") << Framing::Legacy << SmallMax
                                             << legacyFrame(QByteArray(SmallMax + 1, 'x'))
                                             << CloseReason::FrameTooLarge << QByteArrayList{};
    QTest::newRow("legacy: too large after a good frame")
        << Framing::Legacy << SmallMax << legacyFrame("ok") + legacyHeader(0x7fffffff) << CloseReason::FrameTooLarge
        << QByteArrayList{data("ok")};

    QTest::newRow("line: max payload + 1 without newline")
        << Framing::Line << SmallMax << QByteArray(SmallMax + 1, 'x') << CloseReason::FrameTooLarge
        << QByteArrayList{};
    QTest::newRow("line: max payload + 1 with newline") << Framing::Line << SmallMax
                                                        << QByteArray(SmallMax + 1, 'x') + '\n'
                                                        << CloseReason::FrameTooLarge << QByteArrayList{};
    QTest::newRow("line: max payload + 1 with CRLF") << Framing::Line << SmallMax
                                                     << QByteArray(SmallMax + 1, 'x') + "\r\n"
                                                     << CloseReason::FrameTooLarge << QByteArrayList{};
    QTest::newRow("line: max payload then CR then more") << Framing::Line << SmallMax
                                                         << QByteArray(SmallMax, 'x') + "\rx\n"
                                                         << CloseReason::FrameTooLarge << QByteArrayList{};
    QTest::newRow("line: long line after a good one")
        << Framing::Line << SmallMax << "ok\n" + QByteArray(SmallMax * 3, 'x') << CloseReason::FrameTooLarge
        << QByteArrayList{data("ok")};
}

void tst_FrameDecoder::badInput()
{
    QFETCH(Framing, framing);
    QFETCH(quint32, maxPayload);
    QFETCH(QByteArray, wire);
    QFETCH(CloseReason, reason);
    QFETCH(QByteArrayList, before);

    FrameDecoder decoder(framing, maxPayload);
    RecordingSink sink;
    QCOMPARE(closeReasonName(decoder.feed(wire.constData(), size_t(wire.size()), sink)), closeReasonName(reason));
    QCOMPARE(sink.messages, before);
    QVERIFY(decoder.buffered() <= decoder.bufferLimit());
}

// The error is found however the bytes are cut, and never after more
// than the bytes that prove it.
void tst_FrameDecoder::badInputByteByByte()
{
    QFETCH(Framing, framing);
    QFETCH(quint32, maxPayload);
    QFETCH(QByteArray, wire);
    QFETCH(CloseReason, reason);
    QFETCH(QByteArrayList, before);

    FrameDecoder decoder(framing, maxPayload);
    RecordingSink sink;
    CloseReason result = CloseReason::None;
    for (qsizetype i = 0; i < wire.size() && result == CloseReason::None; ++i) {
        result = decoder.feed(wire.constData() + i, 1, sink);
        QVERIFY(decoder.buffered() <= decoder.bufferLimit());
    }
    QCOMPARE(closeReasonName(result), closeReasonName(reason));
    QCOMPARE(sink.messages, before);
}

// PROTOCOL.md §2 BYE 4: "sent right after the header, before any payload
// is buffered". The header alone must be enough.
void tst_FrameDecoder::frameTooLargeFromHeaderAlone_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<QByteArray>("header");

    QTest::newRow("vigil: max + 1") << Framing::Vigil << vigilHeader(Type::Data, SmallMax + 1);
    QTest::newRow("vigil: 2^31") << Framing::Vigil << vigilHeader(Type::Data, 0x80000000u);
    QTest::newRow("vigil: 2^32 - 1") << Framing::Vigil << vigilHeader(Type::Data, 0xffffffffu);
    QTest::newRow("vigil: HELLO too large") << Framing::Vigil << vigilHeader(Type::Hello, SmallMax + 1);
    QTest::newRow("legacy: max + 1") << Framing::Legacy << legacyHeader(qint32(SmallMax + 1));
    QTest::newRow("legacy: INT_MAX") << Framing::Legacy << legacyHeader(0x7fffffff);
}

void tst_FrameDecoder::frameTooLargeFromHeaderAlone()
{
    QFETCH(Framing, framing);
    QFETCH(QByteArray, header);

    FrameDecoder decoder(framing, SmallMax);
    RecordingSink sink;
    QCOMPARE(closeReasonName(decoder.feed(header.constData(), size_t(header.size()), sink)),
             closeReasonName(CloseReason::FrameTooLarge));
    QVERIFY(sink.messages.isEmpty());
    QVERIFY(decoder.buffered() <= size_t(header.size()));
}

// PROTOCOL.md §4: more than max payload + 19 bytes without a header close
// the connection; exactly that many are still skipped.
void tst_FrameDecoder::legacyGarbageLimit_data()
{
    QTest::addColumn<int>("garbage");
    QTest::addColumn<int>("pieceSize");
    QTest::addColumn<bool>("closes");

    const int limit = int(SmallMax) + 19;
    QTest::newRow("at the limit, one read") << limit << 0 << false;
    QTest::newRow("at the limit, byte by byte") << limit << 1 << false;
    QTest::newRow("at the limit, 7-byte reads") << limit << 7 << false;
    QTest::newRow("one over, one read") << limit + 1 << 0 << true;
    QTest::newRow("one over, byte by byte") << limit + 1 << 1 << true;
    QTest::newRow("one over, 7-byte reads") << limit + 1 << 7 << true;
    QTest::newRow("far over") << limit * 10 << 0 << true;
}

void tst_FrameDecoder::legacyGarbageLimit()
{
    QFETCH(int, garbage);
    QFETCH(int, pieceSize);
    QFETCH(bool, closes);

    // 'x' never starts the magic, so every byte is garbage.
    const QByteArray wire = QByteArray(garbage, 'x') + legacyFrame("ok");
    FrameDecoder decoder(Framing::Legacy, SmallMax);
    RecordingSink sink;
    QList<int> pieces;
    if (pieceSize > 0)
        pieces = QList<int>(wire.size() / pieceSize + 1, pieceSize);
    bool boundHeld = false;
    const CloseReason r = feedInPieces(decoder, wire, pieces, sink, &boundHeld);
    QVERIFY(boundHeld);
    if (closes) {
        QCOMPARE(closeReasonName(r), closeReasonName(CloseReason::ProtocolError));
        QVERIFY(sink.messages.isEmpty());
    } else {
        QCOMPARE(closeReasonName(r), closeReasonName(CloseReason::None));
        QCOMPARE(sink.messages, QByteArrayList{data("ok")});
    }
}

// PROTOCOL.md §1: a raw message is what one read returns, cut at max payload.
void tst_FrameDecoder::rawChunksAtMaxPayload()
{
    FrameDecoder decoder(Framing::Raw, SmallMax);
    RecordingSink sink;
    const QByteArray wire = QByteArray(SmallMax, 'a') + QByteArray(SmallMax, 'b') + QByteArray(3, 'c');
    QCOMPARE(closeReasonName(decoder.feed(wire.constData(), size_t(wire.size()), sink)),
             closeReasonName(CloseReason::None));
    QCOMPARE(sink.messages, (QByteArrayList{data(QByteArray(SmallMax, 'a')), data(QByteArray(SmallMax, 'b')),
                                            data("ccc")}));
    QCOMPARE(decoder.buffered(), size_t(0));

    sink.messages.clear();
    QCOMPARE(closeReasonName(decoder.feed("x", 1, sink)), closeReasonName(CloseReason::None));
    QCOMPARE(sink.messages, QByteArrayList{data("x")});
}

// PROTOCOL.md §4: never buffer more than max payload + header for one
// unfinished message, whatever the read sizes.
void tst_FrameDecoder::bufferNeverExceedsLimit_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<QByteArray>("wire");

    const quint32 max = 1000;
    QByteArray vigil, legacy, line;
    for (int i = 0; i < 40; ++i) {
        const QByteArray payload((i * 97) % (max + 1), char('a' + i % 26));
        vigil += vigilFrame(Type::Data, payload);
        legacy += QByteArray(i % 5, 'z') + legacyFrame(payload);
        line += payload + (i % 2 ? "\r\n" : "\n");
    }
    QTest::newRow("vigil") << Framing::Vigil << vigil;
    QTest::newRow("legacy") << Framing::Legacy << legacy;
    QTest::newRow("line") << Framing::Line << line;
    QTest::newRow("raw") << Framing::Raw << line;
    QTest::newRow("vigil: huge declared, payload trickles")
        << Framing::Vigil << vigilHeader(Type::Data, max) + QByteArray(max - 1, 'x');
    QTest::newRow("line: no newline ever") << Framing::Line << QByteArray(max * 3, 'x');
}

void tst_FrameDecoder::bufferNeverExceedsLimit()
{
    QFETCH(Framing, framing);
    QFETCH(QByteArray, wire);

    const quint32 max = 1000;
    for (int pieceSize : {1, 3, 7, 64, 333, 999, 1000, 1001, 1008, 1019, 4096}) {
        FrameDecoder decoder(framing, max);
        RecordingSink sink;
        bool boundHeld = false;
        feedInPieces(decoder, wire, QList<int>(wire.size() / pieceSize + 1, pieceSize), sink, &boundHeld);
        QVERIFY2(boundHeld, qPrintable(QStringLiteral("reads of %1 bytes").arg(pieceSize)));
        QVERIFY(decoder.buffered() <= decoder.bufferLimit());
    }
}

void tst_FrameDecoder::sinkCanStopDecoding()
{
    FrameDecoder decoder(Framing::Vigil, SmallMax);
    RecordingSink sink;
    sink.stopAfter = 2;
    const QByteArray wire = vigilFrame(Type::Data, "1") + vigilFrame(Type::Data, "2") + vigilFrame(Type::Data, "3");
    QCOMPARE(closeReasonName(decoder.feed(wire.constData(), size_t(wire.size()), sink)),
             closeReasonName(CloseReason::None));
    QCOMPARE(sink.messages, (QByteArrayList{data("1"), data("2")}));
}

void tst_FrameDecoder::bufferLimitPerFraming_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<quint64>("limit");

    QTest::newRow("vigil: max + 8") << Framing::Vigil << quint64(1000 + 8);
    QTest::newRow("legacy: max + 19") << Framing::Legacy << quint64(1000 + 19);
    QTest::newRow("line: max + CRLF") << Framing::Line << quint64(1000 + 2);
    QTest::newRow("raw: nothing") << Framing::Raw << quint64(0);
}

void tst_FrameDecoder::bufferLimitPerFraming()
{
    QFETCH(Framing, framing);
    QFETCH(quint64, limit);

    FrameDecoder decoder(framing, 1000);
    QCOMPARE(quint64(decoder.bufferLimit()), limit);
    QCOMPARE(decoder.framing(), framing);
    QCOMPARE(decoder.maxPayload(), quint32(1000));
}

void tst_FrameDecoder::releaseMemoryKeepsPartialMessage()
{
    FrameDecoder decoder(Framing::Vigil, SmallMax);
    RecordingSink sink;
    const QByteArray wire = vigilFrame(Type::Data, "hello");
    QCOMPARE(closeReasonName(decoder.feed(wire.constData(), 6, sink)), closeReasonName(CloseReason::None));
    QCOMPARE(decoder.buffered(), size_t(6));
    decoder.releaseMemory();
    QCOMPARE(decoder.buffered(), size_t(6));
    QCOMPARE(closeReasonName(decoder.feed(wire.constData() + 6, size_t(wire.size() - 6), sink)),
             closeReasonName(CloseReason::None));
    QCOMPARE(sink.messages, QByteArrayList{data("hello")});
    QCOMPARE(decoder.buffered(), size_t(0));
}

QTEST_GUILESS_MAIN(tst_FrameDecoder)
#include "tst_framedecoder.moc"
