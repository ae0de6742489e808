// Close reason and timeout kind lookups over the tables in closereason.h.
#include "closereason.h"

namespace Vigil {

QString closeReasonName(CloseReason reason)
{
    return QString::fromLatin1(CloseReasons[size_t(closeReasonIndex(reason))].name);
}

std::optional<CloseReason> parseCloseReason(const QString &name)
{
    for (const CloseReasonInfo &info : CloseReasons) {
        if (name == QLatin1String(info.name))
            return info.reason;
    }
    return std::nullopt;
}

std::optional<quint8> byeCode(CloseReason reason)
{
    const quint8 code = CloseReasons[size_t(closeReasonIndex(reason))].byeCode;
    return code != 0 ? std::optional<quint8>(code) : std::nullopt;
}

std::optional<CloseReason> closeReasonFromByeCode(quint8 code)
{
    if (code == 0)
        return std::nullopt;
    for (const CloseReasonInfo &info : CloseReasons) {
        if (info.byeCode == code)
            return info.reason;
    }
    return std::nullopt;
}

QString timeoutKindName(TimeoutKind kind)
{
    const auto i = size_t(kind);
    return i < TimeoutKinds.size() ? QString::fromLatin1(TimeoutKinds[i].name) : QString();
}

std::optional<TimeoutKind> parseTimeoutKind(const QString &name)
{
    for (const TimeoutKindInfo &info : TimeoutKinds) {
        if (name == QLatin1String(info.name))
            return info.kind;
    }
    return std::nullopt;
}

} // namespace Vigil
