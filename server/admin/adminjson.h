// JSON shapes of the admin API (docs/admin.md). Connection records, events
// and stats are the feed codec's (feedjson.h); this adds what only the
// admin API has.
#pragma once

#include "eventring.h"
#include "feedjson.h"

#include <QJsonObject>

namespace Vigil::AdminJson {

// previews: include the first bytes of DATA (--admin-previews), which can
// hold secrets; without it the keys are left out.
inline FeedJson::Previews previews(bool enabled)
{
    return enabled ? FeedJson::Previews::Include : FeedJson::Previews::Omit;
}
QJsonObject event(const EventRing::Entry &entry, bool previews);
QJsonObject error(int status, const QString &message);

} // namespace Vigil::AdminJson
