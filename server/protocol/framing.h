// Framings a listener can speak (PROTOCOL.md §1) and their wire constants.
// Framings and FrameTypes below are the one table of their names.
#pragma once

#include <QString>
#include <array>
#include <optional>

namespace Vigil {

enum class Framing : quint8 { Vigil, Legacy, Line, Raw };

struct FramingInfo
{
    Framing framing;
    const char *name;
};
// Indexed by the enum's value.
inline constexpr std::array<FramingInfo, 4> Framings = {{
    {Framing::Vigil, "vigil"},
    {Framing::Legacy, "legacy"},
    {Framing::Line, "line"},
    {Framing::Raw, "raw"},
}};
static_assert(Framings[size_t(Framing::Vigil)].framing == Framing::Vigil
                  && Framings[size_t(Framing::Legacy)].framing == Framing::Legacy
                  && Framings[size_t(Framing::Line)].framing == Framing::Line
                  && Framings[size_t(Framing::Raw)].framing == Framing::Raw,
              "Framings is indexed by the enum's value");

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
    GoAway = 0x07, // server -> client, v1.1 (PROTOCOL.md §10)
};

struct FrameTypeInfo
{
    FrameType type;
    const char *name;
};
inline constexpr std::array<FrameTypeInfo, 7> FrameTypes = {{
    {FrameType::Data, "DATA"},
    {FrameType::Ping, "PING"},
    {FrameType::Pong, "PONG"},
    {FrameType::Hello, "HELLO"},
    {FrameType::Welcome, "WELCOME"},
    {FrameType::Bye, "BYE"},
    {FrameType::GoAway, "GOAWAY"},
}};

// Every type from DATA to the last in FrameTypes is known; a decoder
// refuses the others as protocol errors.
constexpr bool isKnownFrameType(quint8 type)
{
    return type >= quint8(FrameTypes.front().type) && type <= quint8(FrameTypes.back().type);
}
namespace Detail {
constexpr bool frameTypesAreDense()
{
    for (size_t i = 0; i < FrameTypes.size(); ++i) {
        if (quint8(FrameTypes[i].type) != quint8(i + 1))
            return false;
    }
    return true;
}
} // namespace Detail
static_assert(Detail::frameTypesAreDense(), "FrameTypes lists the types 0x01.. in order, without gaps");

// The protocol's name, or "0x%02x" for a type this table does not know.
QString frameTypeName(FrameType type);

namespace Wire {
constexpr char Magic0 = 'V';
constexpr char Magic1 = 'G';
constexpr quint8 Version = 0x01;
constexpr int VigilHeaderSize = 8;
constexpr int MaxPingPayload = 64;
// GOAWAY: reason code + uint32 big-endian milliseconds, then optional detail.
constexpr int GoAwayFixedSize = 5;
// Legacy framing: "www.01happy.com" + int32 big-endian length.
constexpr const char LegacyMagic[] = "www.01happy.com";
constexpr int LegacyMagicSize = 15;
constexpr int LegacyHeaderSize = LegacyMagicSize + 4;
} // namespace Wire

} // namespace Vigil
