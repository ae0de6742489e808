// JSON for the admin API beyond the feed codec: ring entries and errors.
#include "adminjson.h"

namespace Vigil::AdminJson {

QJsonObject event(const EventRing::Entry &entry, bool enabled)
{
    return FeedJson::encodeEvent(entry.event, entry.seq, previews(enabled));
}

QJsonObject error(int status, const QString &message)
{
    QJsonObject o;
    o.insert(QStringLiteral("status"), status);
    o.insert(QStringLiteral("error"), message);
    return o;
}

} // namespace Vigil::AdminJson
