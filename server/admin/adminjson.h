// JSON shapes of the admin API (docs/admin.md): connection records,
// events and stats. Key names are the API; keep them stable.
#pragma once

#include "eventring.h"
#include "serverstats.h"
#include "snapshots.h"

#include <QJsonObject>

namespace Vigil::AdminJson {

// nowMs: MonotonicClock::nowMs(), to turn deadlines into "ms left".
// previews: include the first bytes of DATA (--admin-previews), which can
// hold secrets; without it the keys are left out.
QJsonObject connection(const ConnectionSnapshot &s, qint64 nowMs, bool previews);
QJsonObject event(const EventRing::Entry &entry, bool previews);
QJsonObject stats(const ServerStats &stats);
QString eventName(EventKind kind);
QJsonObject error(int status, const QString &message);

} // namespace Vigil::AdminJson
