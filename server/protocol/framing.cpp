// Names of framings and frame types as the protocol spells them.
#include "framing.h"

namespace Vigil {

QString framingName(Framing framing)
{
    switch (framing) {
    case Framing::Vigil: return QStringLiteral("vigil");
    case Framing::Legacy: return QStringLiteral("legacy");
    case Framing::Line: return QStringLiteral("line");
    case Framing::Raw: return QStringLiteral("raw");
    }
    return QString();
}

std::optional<Framing> parseFraming(const QString &name)
{
    for (Framing f : {Framing::Vigil, Framing::Legacy, Framing::Line, Framing::Raw}) {
        if (name == framingName(f))
            return f;
    }
    return std::nullopt;
}

QString frameTypeName(FrameType type)
{
    switch (type) {
    case FrameType::Data: return QStringLiteral("DATA");
    case FrameType::Ping: return QStringLiteral("PING");
    case FrameType::Pong: return QStringLiteral("PONG");
    case FrameType::Hello: return QStringLiteral("HELLO");
    case FrameType::Welcome: return QStringLiteral("WELCOME");
    case FrameType::Bye: return QStringLiteral("BYE");
    }
    return QStringLiteral("0x%1").arg(quint8(type), 2, 16, QLatin1Char('0'));
}

} // namespace Vigil
