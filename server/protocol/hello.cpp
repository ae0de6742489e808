// HELLO parsing and WELCOME building with QJsonDocument: both are rare (one
// per connection at most), so clarity wins over speed here.
#include "hello.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace Vigil {

namespace {
constexpr qsizetype MaxClientName = 128; // UTF-16 units

// At most MaxClientName units, cut between code points, and no lone
// surrogate (JSON's "\ud800" escape makes one): each becomes U+FFFD, so
// the name is valid Unicode wherever it is shown or re-encoded.
QString clientName(const QString &text)
{
    QString name = text.left(MaxClientName);
    if (name.size() == MaxClientName && name.back().isHighSurrogate())
        name.chop(1);
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        if (c.isHighSurrogate() && i + 1 < name.size() && name.at(i + 1).isLowSurrogate())
            ++i;
        else if (c.isSurrogate())
            name[i] = QChar::ReplacementCharacter;
    }
    return name;
}
} // namespace

QString serverVersionString()
{
    return QStringLiteral("vigild/" VIGIL_VERSION);
}

std::optional<Hello> Hello::parse(const char *data, size_t size, QString *error)
{
    auto fail = [error](const QString &why) -> std::optional<Hello> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(data, qsizetype(size)), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("HELLO is not JSON: %1").arg(parseError.errorString()));
    if (!doc.isObject())
        return fail(QStringLiteral("HELLO is not a JSON object"));
    const QJsonObject o = doc.object();
    Hello hello;
    if (o.contains(QLatin1String("client"))) {
        const QJsonValue v = o.value(QLatin1String("client"));
        if (!v.isString())
            return fail(QStringLiteral("HELLO \"client\" is not a string"));
        hello.client = clientName(v.toString());
    }
    if (o.contains(QLatin1String("policy"))) {
        const QJsonValue v = o.value(QLatin1String("policy"));
        const auto policy = v.isString() ? parsePolicy(v.toString()) : std::nullopt;
        if (!policy)
            return fail(QStringLiteral("HELLO \"policy\" must be \"long\" or \"short\""));
        hello.policy = policy;
    }
    if (o.contains(QLatin1String("keepalive_ms"))) {
        const QJsonValue v = o.value(QLatin1String("keepalive_ms"));
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d < 0 || d > 1e12 || std::floor(d) != d)
            return fail(QStringLiteral("HELLO \"keepalive_ms\" must be a whole number of milliseconds"));
        hello.keepaliveMs = qint64(d);
    }
    return hello;
}

QByteArray Hello::toJson() const
{
    QJsonObject o;
    if (!client.isEmpty())
        o.insert(QLatin1String("client"), client);
    if (policy)
        o.insert(QLatin1String("policy"), policyName(*policy));
    if (keepaliveMs)
        o.insert(QLatin1String("keepalive_ms"), double(*keepaliveMs));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray Welcome::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("conn"), double(conn));
    o.insert(QLatin1String("policy"), policyName(timers.policy));
    o.insert(QLatin1String("idle_timeout_ms"), double(timers.idleTimeoutMs));
    o.insert(QLatin1String("max_lifetime_ms"), double(timers.maxLifetimeMs));
    o.insert(QLatin1String("max_payload"), double(maxPayload));
    o.insert(QLatin1String("server"), serverVersionString());
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<Welcome> Welcome::parse(const QByteArray &json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    if (!doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    Welcome w;
    w.conn = quint64(o.value(QLatin1String("conn")).toDouble());
    w.timers.policy = parsePolicy(o.value(QLatin1String("policy")).toString()).value_or(Policy::Long);
    w.timers.idleTimeoutMs = qint64(o.value(QLatin1String("idle_timeout_ms")).toDouble());
    w.timers.maxLifetimeMs = qint64(o.value(QLatin1String("max_lifetime_ms")).toDouble());
    w.maxPayload = qint64(o.value(QLatin1String("max_payload")).toDouble());
    return w;
}

} // namespace Vigil
