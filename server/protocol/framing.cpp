// Framing and frame type lookups over the tables in framing.h.
#include "framing.h"

namespace Vigil {

QString framingName(Framing framing)
{
    const auto i = size_t(framing);
    return i < Framings.size() ? QString::fromLatin1(Framings[i].name) : QString();
}

std::optional<Framing> parseFraming(const QString &name)
{
    for (const FramingInfo &info : Framings) {
        if (name == QLatin1String(info.name))
            return info.framing;
    }
    return std::nullopt;
}

QString frameTypeName(FrameType type)
{
    for (const FrameTypeInfo &info : FrameTypes) {
        if (info.type == type)
            return QString::fromLatin1(info.name);
    }
    return QStringLiteral("0x%1").arg(quint8(type), 2, 16, QLatin1Char('0'));
}

} // namespace Vigil
