// Names of event kinds, as the monitor's traffic view shows them.
#include "snapshots.h"

namespace Vigil {

QString eventKindName(EventKind kind)
{
    switch (kind) {
    case EventKind::Connected: return QStringLiteral("connected");
    case EventKind::Hello: return QStringLiteral("hello");
    case EventKind::MessageIn: return QStringLiteral("message in");
    case EventKind::MessageOut: return QStringLiteral("message out");
    case EventKind::PingIn: return QStringLiteral("ping in");
    case EventKind::PingOut: return QStringLiteral("ping out");
    case EventKind::PongIn: return QStringLiteral("pong in");
    case EventKind::Timeout: return QStringLiteral("timeout");
    case EventKind::Closed: return QStringLiteral("closed");
    case EventKind::Rejected: return QStringLiteral("rejected");
    }
    return QString();
}

} // namespace Vigil
