// ProxyHeaderParser: PROXY v1/v2 exactly as HAProxy's proxy-protocol.txt
// defines them, fed whole and byte by byte, and never past the header.
#include "proxyheader.h"

#include <QTest>

using namespace Vigil;

Q_DECLARE_METATYPE(Vigil::ProxyHeaderParser::Command)

namespace {
const QByteArray V2Sig = QByteArray("\r\n\r\n\0\r\nQUIT\n", 12);

QByteArray v2(quint8 verCmd, quint8 family, const QByteArray &block)
{
    QByteArray h = V2Sig;
    h.append(char(verCmd));
    h.append(char(family));
    h.append(char((block.size() >> 8) & 0xff));
    h.append(char(block.size() & 0xff));
    return h + block;
}

QByteArray inet4Block(quint8 a, quint8 b, quint8 c, quint8 d, quint16 sport, quint16 dport)
{
    QByteArray x;
    for (quint8 v : {a, b, c, d})
        x.append(char(v));
    for (quint8 v : {quint8(192), quint8(0), quint8(2), quint8(1)})
        x.append(char(v));
    x.append(char(sport >> 8)).append(char(sport & 0xff));
    x.append(char(dport >> 8)).append(char(dport & 0xff));
    return x;
}

QByteArray inet6Block()
{
    QByteArray x(36, '\0');
    x[0] = char(0x20);
    x[1] = char(0x01);
    x[2] = char(0x0d);
    x[3] = char(0xb8);
    x[15] = char(0x07);
    x[31] = char(0x01); // destination ::1
    x[32] = char(0x30);
    x[33] = char(0x39); // 12345
    x[34] = char(0x1d);
    x[35] = char(0xb0); // 7600
    return x;
}

QByteArray tlv(quint8 type, const QByteArray &value)
{
    QByteArray t;
    t.append(char(type)).append(char(value.size() >> 8)).append(char(value.size() & 0xff));
    return t + value;
}
} // namespace

class tst_ProxyHeader : public QObject
{
    Q_OBJECT

private slots:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void neverPastTheHeader();
    void v1LengthBound();
    void v2LengthBound();
    void firstByteDecides();
    void doneIsSticky();
};

void tst_ProxyHeader::valid_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("version");
    QTest::addColumn<ProxyHeaderParser::Command>("command");
    QTest::addColumn<QString>("source"); // empty: none

    using C = ProxyHeaderParser::Command;
    QTest::newRow("v1 tcp4") << QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 56324 7600\r\n") << 1 << C::Proxy
                             << QStringLiteral("203.0.113.7:56324");
    QTest::newRow("v1 tcp6") << QByteArray("PROXY TCP6 2001:db8::7 ::1 12345 7600\r\n") << 1 << C::Proxy
                             << QStringLiteral("[2001:db8::7]:12345");
    QTest::newRow("v1 tcp6 full form")
        << QByteArray("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                      "65535 65535\r\n")
        << 1 << C::Proxy << QStringLiteral("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
    QTest::newRow("v1 port 0") << QByteArray("PROXY TCP4 10.0.0.1 10.0.0.2 0 0\r\n") << 1 << C::Proxy
                               << QStringLiteral("10.0.0.1:0");
    QTest::newRow("v1 unknown") << QByteArray("PROXY UNKNOWN\r\n") << 1 << C::Unknown << QString();
    QTest::newRow("v1 unknown with rest")
        << QByteArray("PROXY UNKNOWN ffff:f::1 whatever 1 2\r\n") << 1 << C::Unknown << QString();
    QTest::newRow("v2 inet") << v2(0x21, 0x11, inet4Block(198, 51, 100, 9, 40000, 7600)) << 2 << C::Proxy
                             << QStringLiteral("198.51.100.9:40000");
    QTest::newRow("v2 inet6") << v2(0x21, 0x21, inet6Block()) << 2 << C::Proxy
                              << QStringLiteral("[2001:db8::7]:12345");
    QTest::newRow("v2 inet with tlvs")
        << v2(0x21, 0x11, inet4Block(10, 1, 2, 3, 1, 2) + tlv(0x01, "h2") + tlv(0x04, QByteArray(300, 'x')))
        << 2 << C::Proxy << QStringLiteral("10.1.2.3:1");
    QTest::newRow("v2 local") << v2(0x20, 0x00, QByteArray()) << 2 << C::Local << QString();
    QTest::newRow("v2 local with block") << v2(0x20, 0x11, inet4Block(1, 2, 3, 4, 5, 6)) << 2 << C::Local
                                         << QString();
    QTest::newRow("v2 unspec") << v2(0x21, 0x00, QByteArray()) << 2 << C::Unknown << QString();
    QTest::newRow("v2 unix") << v2(0x21, 0x31, QByteArray(216, 'u')) << 2 << C::Unknown << QString();
}

void tst_ProxyHeader::valid()
{
    QFETCH(QByteArray, header);
    QFETCH(int, version);
    QFETCH(ProxyHeaderParser::Command, command);
    QFETCH(QString, source);

    // Whole, then one byte at a time: the same answer either way.
    for (size_t step : {size_t(header.size()), size_t(1), size_t(7)}) {
        ProxyHeaderParser parser;
        ProxyHeaderParser::Result r;
        size_t at = 0;
        while (at < size_t(header.size())) {
            const size_t n = std::min(step, size_t(header.size()) - at);
            r = parser.feed(header.constData() + at, n);
            QCOMPARE(r.consumed, n);
            at += n;
            if (at < size_t(header.size()))
                QCOMPARE(r.status, ProxyHeaderParser::Status::NeedMore);
        }
        QCOMPARE(r.status, ProxyHeaderParser::Status::Done);
        QCOMPARE(parser.error(), QString());
        QCOMPARE(parser.version(), version);
        QCOMPARE(parser.command(), command);
        QCOMPARE(parser.headerLength(), size_t(header.size()));
        if (!source.isEmpty())
            QCOMPARE(parser.source().toString(), source);
    }
}

void tst_ProxyHeader::invalid_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("error");

    QTest::newRow("plain frame") << QByteArray("VG\x01\x01", 4) << QStringLiteral("not a PROXY protocol header");
    QTest::newRow("lower case") << QByteArray("proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n")
                                << QStringLiteral("not a PROXY protocol header");
    QTest::newRow("v1 no cr") << QByteArray("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n")
                              << QStringLiteral("PROXY v1 header does not end with CRLF");
    QTest::newRow("v1 tcp5") << QByteArray("PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n")
                             << QStringLiteral("PROXY v1 protocol is not TCP4, TCP6 or UNKNOWN");
    QTest::newRow("v1 two spaces") << QByteArray("PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n")
                                   << QStringLiteral("malformed PROXY v1 header");
    QTest::newRow("v1 missing port") << QByteArray("PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n")
                                     << QStringLiteral("malformed PROXY v1 header");
    QTest::newRow("v1 extra field") << QByteArray("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n")
                                    << QStringLiteral("malformed PROXY v1 header");
    QTest::newRow("v1 trailing space") << QByteArray("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 \r\n")
                                       << QStringLiteral("malformed PROXY v1 header");
    QTest::newRow("v1 leading zero ip") << QByteArray("PROXY TCP4 01.2.3.4 1.2.3.4 1 2\r\n")
                                        << QStringLiteral("PROXY v1 address is not an IPv4 address");
    QTest::newRow("v1 v6 in tcp4") << QByteArray("PROXY TCP4 ::1 ::1 1 2\r\n")
                                   << QStringLiteral("PROXY v1 address is not an IPv4 address");
    QTest::newRow("v1 v4 in tcp6") << QByteArray("PROXY TCP6 1.2.3.4 ::1 1 2\r\n")
                                   << QStringLiteral("PROXY v1 address is not an IPv6 address");
    QTest::newRow("v1 port too big") << QByteArray("PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n")
                                     << QStringLiteral("PROXY v1 port is not a number in 0..65535");
    QTest::newRow("v1 port leading zero") << QByteArray("PROXY TCP4 1.2.3.4 1.2.3.4 080 2\r\n")
                                          << QStringLiteral("PROXY v1 port is not a number in 0..65535");
    QTest::newRow("v1 port sign") << QByteArray("PROXY TCP4 1.2.3.4 1.2.3.4 -1 2\r\n")
                                  << QStringLiteral("PROXY v1 port is not a number in 0..65535");
    QTest::newRow("v1 nul") << QByteArray("PROXY TCP4 1.2.3.4\0", 19)
                            << QStringLiteral("PROXY v1 header contains a NUL byte");
    QTest::newRow("v1 unknownx") << QByteArray("PROXY UNKNOWNX\r\n")
                                 << QStringLiteral("malformed PROXY v1 header");
    QTest::newRow("v2 version 1") << v2(0x11, 0x11, inet4Block(1, 2, 3, 4, 5, 6))
                                  << QStringLiteral("PROXY v2 header has an unsupported version");
    QTest::newRow("v2 command 2") << v2(0x22, 0x11, inet4Block(1, 2, 3, 4, 5, 6))
                                  << QStringLiteral("PROXY v2 header has an unknown command");
    QTest::newRow("v2 family 4") << v2(0x21, 0x41, inet4Block(1, 2, 3, 4, 5, 6))
                                 << QStringLiteral("PROXY v2 header has an unknown address family");
    QTest::newRow("v2 udp") << v2(0x21, 0x12, inet4Block(1, 2, 3, 4, 5, 6))
                            << QStringLiteral("PROXY v2 header is not for a stream (TCP) connection");
    QTest::newRow("v2 short inet") << v2(0x21, 0x11, QByteArray(11, '\0'))
                                   << QStringLiteral("PROXY v2 address block is shorter than its family needs");
    QTest::newRow("v2 short inet6") << v2(0x21, 0x21, QByteArray(12, '\0'))
                                    << QStringLiteral("PROXY v2 address block is shorter than its family needs");
    QTest::newRow("v2 bad signature") << QByteArray("\r\n\r\n\0\r\nQUIT\r", 12)
                                      << QStringLiteral("not a PROXY protocol header");
}

void tst_ProxyHeader::invalid()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, error);

    for (size_t step : {size_t(header.size()), size_t(1)}) {
        ProxyHeaderParser parser;
        ProxyHeaderParser::Result r;
        for (size_t at = 0; at < size_t(header.size()) && r.status == ProxyHeaderParser::Status::NeedMore;
             at += step)
            r = parser.feed(header.constData() + at, std::min(step, size_t(header.size()) - at));
        QCOMPARE(r.status, ProxyHeaderParser::Status::Error);
        QCOMPARE(parser.error(), error);
    }
}

// A TLS ClientHello (or the first frame) in the same segment is not the
// header's: consumed stops at the header's last byte.
void tst_ProxyHeader::neverPastTheHeader()
{
    const QByteArray after("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    const QList<QByteArray> headers = {
        QByteArray("PROXY TCP4 203.0.113.7 192.0.2.1 56324 7600\r\n"),
        QByteArray("PROXY UNKNOWN\r\n"),
        v2(0x21, 0x11, inet4Block(198, 51, 100, 9, 40000, 7600) + tlv(0x02, "example.org")),
        v2(0x20, 0x00, QByteArray()),
    };
    for (const QByteArray &h : headers) {
        ProxyHeaderParser parser;
        const QByteArray segment = h + after;
        const auto r = parser.feed(segment.constData(), size_t(segment.size()));
        QCOMPARE(r.status, ProxyHeaderParser::Status::Done);
        QCOMPARE(r.consumed, size_t(h.size()));
        QCOMPARE(parser.headerLength(), size_t(h.size()));
    }
}

// v1: 107 bytes with the CRLF are fine, one more is an error as soon as
// the 107th byte is not the LF, whatever follows.
void tst_ProxyHeader::v1LengthBound()
{
    const QByteArray base("PROXY UNKNOWN ");
    const QByteArray longest = base + QByteArray(int(ProxyHeaderParser::MaxV1Length) - base.size() - 2, 'x') + "\r\n";
    QCOMPARE(longest.size(), 107);
    ProxyHeaderParser ok;
    QCOMPARE(ok.feed(longest.constData(), size_t(longest.size())).status, ProxyHeaderParser::Status::Done);

    const QByteArray tooLong = base + QByteArray(200, 'x');
    ProxyHeaderParser parser;
    const auto r = parser.feed(tooLong.constData(), size_t(tooLong.size()));
    QCOMPARE(r.status, ProxyHeaderParser::Status::Error);
    QCOMPARE(r.consumed, ProxyHeaderParser::MaxV1Length);
    QCOMPARE(parser.error(), QStringLiteral("PROXY v1 header longer than 107 bytes"));

    ProxyHeaderParser trickle;
    ProxyHeaderParser::Result t;
    size_t fed = 0;
    for (; fed < size_t(tooLong.size()) && t.status == ProxyHeaderParser::Status::NeedMore; ++fed)
        t = trickle.feed(tooLong.constData() + fed, 1);
    QCOMPARE(t.status, ProxyHeaderParser::Status::Error);
    QCOMPARE(fed, ProxyHeaderParser::MaxV1Length);
}

// v2: a header up to 4096 bytes (TLVs skipped, not stored) is fine; a
// declared length past that is refused from the fixed part alone.
void tst_ProxyHeader::v2LengthBound()
{
    const QByteArray block = inet4Block(10, 0, 0, 1, 1, 2);
    const int tlvSpace = int(ProxyHeaderParser::MaxV2Length - ProxyHeaderParser::V2FixedLength) - block.size();
    const QByteArray longest = v2(0x21, 0x11, block + tlv(0xE0, QByteArray(tlvSpace - 3, 'z')));
    QCOMPARE(size_t(longest.size()), ProxyHeaderParser::MaxV2Length);
    ProxyHeaderParser ok;
    QCOMPARE(ok.feed(longest.constData(), size_t(longest.size())).status, ProxyHeaderParser::Status::Done);
    QCOMPARE(ok.source().toString(), QStringLiteral("10.0.0.1:1"));

    const QByteArray tooLong = v2(0x21, 0x11, block + tlv(0xE0, QByteArray(tlvSpace - 2, 'z')));
    ProxyHeaderParser parser;
    const auto r = parser.feed(tooLong.constData(), size_t(tooLong.size()));
    QCOMPARE(r.status, ProxyHeaderParser::Status::Error);
    QCOMPARE(r.consumed, ProxyHeaderParser::V2FixedLength);
    QCOMPARE(parser.error(), QStringLiteral("PROXY v2 header longer than 4096 bytes"));
}

// A client that speaks no PROXY is refused on its first byte, before
// any wait for more.
void tst_ProxyHeader::firstByteDecides()
{
    for (const char c : {'V', 'G', 'w', '\x16', '\n', 'p'}) {
        ProxyHeaderParser parser;
        const auto r = parser.feed(&c, 1);
        QCOMPARE(r.status, ProxyHeaderParser::Status::Error);
        QCOMPARE(r.consumed, size_t(0));
    }
    ProxyHeaderParser partial;
    QCOMPARE(partial.feed("PROX", 4).status, ProxyHeaderParser::Status::NeedMore);
    QCOMPARE(partial.version(), 0);
    QCOMPARE(partial.feed("Y", 1).status, ProxyHeaderParser::Status::NeedMore);
    QCOMPARE(partial.feed("!", 1).status, ProxyHeaderParser::Status::Error);
}

void tst_ProxyHeader::doneIsSticky()
{
    ProxyHeaderParser parser;
    const QByteArray h("PROXY UNKNOWN\r\n");
    QCOMPARE(parser.feed(h.constData(), size_t(h.size())).status, ProxyHeaderParser::Status::Done);
    const auto again = parser.feed("more", 4);
    QCOMPARE(again.status, ProxyHeaderParser::Status::Done);
    QCOMPARE(again.consumed, size_t(0));
    parser.reset();
    QCOMPARE(parser.status(), ProxyHeaderParser::Status::NeedMore);
}

QTEST_GUILESS_MAIN(tst_ProxyHeader)
#include "tst_proxyheader.moc"
