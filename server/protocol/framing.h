// Framings a listener can speak (PROTOCOL.md §1) and their wire constants.
#pragma once

#include <QString>
#include <optional>

namespace Vigil {

enum class Framing : quint8 { Vigil, Legacy, Line, Raw };

QString framingName(Framing framing);
std::optional<Framing> parseFraming(const QString &name);

// Only the native framing has typed frames (PING, HELLO, BYE ...).
constexpr bool hasTypedFrames(Framing framing) { return framing == Framing::Vigil; }

// Native frame (PROTOCOL.md §2).
enum class FrameType : quint8 {
    Data = 0x01,
    Ping = 0x02,
    Pong = 0x03,
    Hello = 0x04,
    Welcome = 0x05,
    Bye = 0x06,
};

QString frameTypeName(FrameType type);

namespace Wire {
constexpr char Magic0 = 'V';
constexpr char Magic1 = 'G';
constexpr quint8 Version = 0x01;
constexpr int VigilHeaderSize = 8;
constexpr int MaxPingPayload = 64;
// Legacy framing: "www.01happy.com" + int32 big-endian length.
constexpr const char LegacyMagic[] = "www.01happy.com";
constexpr int LegacyMagicSize = 15;
constexpr int LegacyHeaderSize = LegacyMagicSize + 4;
} // namespace Wire

} // namespace Vigil
