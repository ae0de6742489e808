// HostPort: splits HOST:PORT, then checks the host (IPv4, bracketed IPv6,
// name) and the port against the caller's rules, one message per mistake.
#include "hostport.h"

#include <QStringList>

#include <algorithm>

namespace Vigil {

namespace {
constexpr qsizetype MaxHostNameLength = 253; // RFC 1035, without the final dot
constexpr qsizetype MaxLabelLength = 63;

bool isLocalhost(const QString &host)
{
    return host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0;
}

bool isDigits(const QString &text)
{
    return !text.isEmpty()
        && std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); });
}

// Dotted quad only: "127.1" and "0x7f.0.0.1" are names to QHostAddress's
// lenient parser but typos to a reader.
bool isDottedQuad(const QString &host)
{
    const QStringList parts = host.split(QLatin1Char('.'));
    if (parts.size() != 4)
        return false;
    for (const QString &part : parts) {
        if (!isDigits(part) || part.size() > 3 || part.toInt() > 255)
            return false;
    }
    return true;
}

bool isHostName(const QString &host)
{
    if (host.size() > MaxHostNameLength)
        return false;
    const QStringList labels = host.split(QLatin1Char('.'));
    for (const QString &label : labels) {
        if (label.isEmpty() || label.size() > MaxLabelLength)
            return false;
        for (const QChar c : label) {
            const bool ok = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
                || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('-') || c == QLatin1Char('_');
            if (!ok)
                return false;
        }
    }
    return true;
}

bool isDigitsAndDots(const QString &host)
{
    return std::all_of(host.cbegin(), host.cend(), [](QChar c) {
        return c == QLatin1Char('.') || (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
    });
}
} // namespace

QString HostPort::toString() const
{
    if (host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

QHostAddress HostPort::address() const
{
    QHostAddress a;
    if (host.isEmpty() || !a.setAddress(host))
        return QHostAddress();
    return a;
}

std::optional<HostPort> HostPort::parse(const QString &input, const HostPortRules &rules, QString *error)
{
    auto fail = [error](const QString &why) -> std::optional<HostPort> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QString text = input.trimmed();
    if (text.isEmpty())
        return fail(QStringLiteral("empty address (expected HOST:PORT)"));
    if (text.contains(QLatin1String("://")))
        return fail(QStringLiteral("'%1' is a URL (expected HOST:PORT, no scheme)").arg(text));

    HostPort result;
    QString portText;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0)
            return fail(QStringLiteral("missing ']' after the IPv6 address"));
        result.host = text.mid(1, close - 1);
        const QString rest = text.mid(close + 1);
        if (rest.isEmpty())
            return fail(QStringLiteral("missing port (expected [IPv6]:PORT)"));
        if (!rest.startsWith(QLatin1Char(':')))
            return fail(QStringLiteral("expected ':' after ']', got '%1'").arg(rest));
        portText = rest.mid(1);
        QHostAddress a;
        if (result.host.isEmpty())
            return fail(QStringLiteral("empty brackets (expected an IPv6 address such as [::1])"));
        if (!a.setAddress(result.host) || a.protocol() != QAbstractSocket::IPv6Protocol)
            return fail(QStringLiteral("'%1' in brackets is not an IPv6 address").arg(result.host));
    } else {
        const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
        if (colon < 0)
            return fail(QStringLiteral("missing port (expected HOST:PORT)"));
        result.host = text.left(colon);
        portText = text.mid(colon + 1);
        if (result.host.contains(QLatin1Char(':')))
            return fail(QStringLiteral("write IPv6 addresses in brackets, e.g. [::1]:7600"));
        if (result.host.isEmpty() || result.host == QLatin1String("*")) {
            if (!rules.anyHost) {
                return fail(result.host.isEmpty() ? QStringLiteral("empty host (expected HOST:PORT)")
                                                  : QStringLiteral("'*' (every address) only fits a listen address"));
            }
            result.host.clear();
        } else if (isDigitsAndDots(result.host)) {
            if (!isDottedQuad(result.host))
                return fail(QStringLiteral("'%1' is not an IPv4 address").arg(result.host));
        } else if (!isHostName(result.host)) {
            return fail(QStringLiteral("'%1' is not a valid host name").arg(result.host));
        } else if (!rules.hostNames && !isLocalhost(result.host)) {
            return fail(QStringLiteral("'%1' is not an IP address (only addresses and localhost can be bound)").arg(result.host));
        }
    }

    const uint lowest = rules.portZero ? 0 : 1;
    if (portText.isEmpty())
        return fail(QStringLiteral("missing port after ':' (expected HOST:PORT)"));
    bool ok = isDigits(portText) && portText.size() <= 5;
    const uint port = ok ? portText.toUInt(&ok) : 0;
    if (!ok || port < lowest || port > 65535)
        return fail(QStringLiteral("bad port '%1' (expected a number from %2 to 65535)").arg(portText).arg(lowest));
    result.port = quint16(port);
    return result;
}

} // namespace Vigil
