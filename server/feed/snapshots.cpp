// Event kind lookups over the table in snapshots.h.
#include "snapshots.h"

namespace Vigil {

QString eventKindName(EventKind kind)
{
    const auto i = size_t(kind);
    return i < EventKinds.size() ? QString::fromLatin1(EventKinds[i].name) : QString();
}

std::optional<EventKind> parseEventKind(const QString &name)
{
    for (const EventKindInfo &info : EventKinds) {
        if (name == QLatin1String(info.name))
            return info.kind;
    }
    return std::nullopt;
}

} // namespace Vigil
