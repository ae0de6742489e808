// Hand-built wire bytes for Vigil tests: frames are spelled out byte by
// byte here (not with FrameEncoder) so the tests check the encoder and
// decoder against PROTOCOL.md, not against each other.
#pragma once

#include <QByteArray>
#include <QString> // operator+ under QT_USE_QSTRINGBUILDER
#include <QtGlobal>

namespace VigilTest {

inline QByteArray bigEndian32(quint32 value)
{
    QByteArray out(4, '\0');
    out[0] = char(value >> 24);
    out[1] = char(value >> 16);
    out[2] = char(value >> 8);
    out[3] = char(value);
    return out;
}

// PROTOCOL.md §2: 'V' 'G' version type length(4, big-endian).
inline QByteArray vigilHeader(quint8 type, quint32 length, quint8 version = 0x01)
{
    QByteArray out;
    out.append('V');
    out.append('G');
    out.append(char(version));
    out.append(char(type));
    out.append(bigEndian32(length));
    return out;
}

inline QByteArray vigilFrame(quint8 type, const QByteArray &payload, quint8 version = 0x01)
{
    return vigilHeader(type, quint32(payload.size()), version) + payload;
}

// PROTOCOL.md §1: "www.01happy.com" then int32 big-endian length.
inline QByteArray legacyHeader(qint32 length)
{
    return QByteArray("www.01happy.com") + bigEndian32(quint32(length));
}

inline QByteArray legacyFrame(const QByteArray &payload)
{
    return legacyHeader(qint32(payload.size())) + payload;
}

// Received bytes for a failure message: printable ASCII, the rest as '.'.
inline QString printable(const QByteArray &bytes, qsizetype max = 48)
{
    QString s;
    for (char c : bytes.left(max))
        s += (c >= 0x20 && c < 0x7f) ? QChar(QLatin1Char(c)) : QChar(QLatin1Char('.'));
    return bytes.size() > max ? s + QStringLiteral("...") : s;
}

// Why a peer's reply is not exactly the echo of its own message: how much
// of it carries another peer's fill byte.
inline QString foreignReply(const QByteArray &got, const QByteArray &mine, char foreignFill)
{
    return QStringLiteral("got %1 bytes, expected exactly the %2-byte echo of its own message; "
                          "%3 bytes are another peer's (fill '%4'); the reply starts \"%5\"")
        .arg(got.size())
        .arg(mine.size())
        .arg(got.count(foreignFill))
        .arg(QLatin1Char(foreignFill))
        .arg(printable(got));
}

namespace Type {
constexpr quint8 Data = 0x01;
constexpr quint8 Ping = 0x02;
constexpr quint8 Pong = 0x03;
constexpr quint8 Hello = 0x04;
constexpr quint8 Welcome = 0x05;
constexpr quint8 Bye = 0x06;
constexpr quint8 GoAway = 0x07; // v1.1, server -> client
} // namespace Type

// BYE reason codes (PROTOCOL.md §2).
namespace Bye {
constexpr quint8 IdleTimeout = 1;
constexpr quint8 LifetimeExpired = 2;
constexpr quint8 ProtocolError = 3;
constexpr quint8 FrameTooLarge = 4;
constexpr quint8 UnsupportedVersion = 5;
constexpr quint8 ServerShutdown = 6;
constexpr quint8 Kicked = 7;
constexpr quint8 ServerFull = 8;
constexpr quint8 SlowConsumer = 9;
constexpr quint8 RateLimited = 10;
constexpr quint8 Normal = 11;
constexpr quint8 UpstreamClosed = 12; // v1.1
constexpr quint8 TooManyPings = 13;
constexpr quint8 HandshakeTimeout = 14;
constexpr quint8 FrameTimeout = 15;
} // namespace Bye

// GOAWAY payload (PROTOCOL.md §2): reason code, uint32 BE ms, detail.
inline QByteArray goAwayPayload(quint8 code, quint32 ms, const QByteArray &detail = QByteArray())
{
    return QByteArray(1, char(code)) + bigEndian32(ms) + detail;
}

} // namespace VigilTest
