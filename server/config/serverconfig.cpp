// Server settings: names, address parsing, validation and the policy rules.
#include "serverconfig.h"

#include "hostport.h"

#include <QSysInfo>

#include <limits>
#include <utility>
#include <vector>

#include <sched.h>
#include <unistd.h>

namespace Vigil {

namespace {
constexpr qint64 MaxPayloadLimit = qint64(256) * 1024 * 1024; // keeps buffers within 32-bit sizes
constexpr qint64 MinSendBuffer = qint64(4) * 1024 * 1024;
constexpr qint64 MaxSendBufferLimit = qint64(1) << 30;
} // namespace

QString modeName(Mode mode)
{
    switch (mode) {
    case Mode::Sink:
        return QStringLiteral("sink");
    case Mode::Forward:
        return QStringLiteral("forward");
    case Mode::Echo:
        break;
    }
    return QStringLiteral("echo");
}

std::optional<Mode> parseMode(const QString &name)
{
    if (name == QLatin1String("echo"))
        return Mode::Echo;
    if (name == QLatin1String("sink"))
        return Mode::Sink;
    if (name == QLatin1String("forward"))
        return Mode::Forward;
    return std::nullopt;
}

QString logFormatName(LogFormat format)
{
    return format == LogFormat::Json ? QStringLiteral("json") : QStringLiteral("text");
}

std::optional<LogFormat> parseLogFormat(const QString &name)
{
    if (name == QLatin1String("text"))
        return LogFormat::Text;
    if (name == QLatin1String("json"))
        return LogFormat::Json;
    return std::nullopt;
}

QString ListenAddress::toString() const
{
    if (host.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(host.toString()).arg(port);
    if (host == QHostAddress(QHostAddress::Any) || host == QHostAddress(QHostAddress::AnyIPv4))
        return QStringLiteral("0.0.0.0:%1").arg(port);
    return QStringLiteral("%1:%2").arg(host.toString()).arg(port);
}

QString ListenAddress::spec() const
{
    QString text = toString();
    if (tls)
        text += QStringLiteral(",tls");
    if (proxy)
        text += QStringLiteral(",proxy");
    return text;
}

std::optional<ListenAddress> ListenAddress::parseListener(const QString &input, QString *error)
{
    QStringList parts = input.trimmed().split(QLatin1Char(','));
    const QString first = parts.takeFirst();
    QString why;
    auto address = parse(first, &why);
    if (!address) {
        // The message names the whole entry, options included.
        if (error)
            *error = QStringLiteral("invalid listen address '%1': %2")
                         .arg(input.trimmed(), why.mid(why.indexOf(QLatin1String("': ")) + 3));
        return std::nullopt;
    }
    for (const QString &raw : std::as_const(parts)) {
        const QString option = raw.trimmed();
        bool *flag = option == QLatin1String("tls") ? &address->tls
                   : option == QLatin1String("proxy") ? &address->proxy
                                                      : nullptr;
        if (!flag)
            why = QStringLiteral("unknown option '%1' (use tls or proxy)").arg(option);
        else if (*flag)
            why = QStringLiteral("option '%1' given twice").arg(option);
        if (!why.isEmpty()) {
            if (error)
                *error = QStringLiteral("invalid listen address '%1': %2").arg(input.trimmed(), why);
            return std::nullopt;
        }
        *flag = true;
    }
    return address;
}

QString ProxySource::toString() const
{
    return QStringLiteral("%1/%2").arg(network.toString()).arg(prefix);
}

std::optional<ProxySource> ProxySource::parse(const QString &input, QString *error)
{
    const QString text = input.trimmed();
    auto fail = [&](const QString &why) -> std::optional<ProxySource> {
        if (error)
            *error = QStringLiteral("invalid proxy source '%1': %2").arg(text, why);
        return std::nullopt;
    };
    const qsizetype slash = text.indexOf(QLatin1Char('/'));
    QHostAddress address(slash < 0 ? text : text.left(slash));
    if (address.isNull() || !address.scopeId().isEmpty())
        return fail(QStringLiteral("not an IP address (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8)"));
    // An IPv4-mapped IPv6 address is the IPv4 one: peers are matched that way.
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    int bits = address.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
    int prefix = bits;
    if (slash >= 0) {
        bool ok = false;
        const QString p = text.mid(slash + 1);
        prefix = p.toInt(&ok);
        if (!ok || p.startsWith(QLatin1Char('+')) || p.startsWith(QLatin1Char('-')) || prefix < 0 || prefix > bits)
            return fail(QStringLiteral("prefix length must be from 0 to %1").arg(bits));
    }
    if (mapped && address.protocol() == QAbstractSocket::IPv6Protocol) {
        if (slash >= 0 && prefix < 96)
            return fail(QStringLiteral("an IPv4-mapped address needs a prefix of 96 or more"));
        address = QHostAddress(v4);
        prefix -= 96;
    }
    ProxySource source;
    // The address bits past the prefix mean nothing: keep the network.
    const auto parsed = QHostAddress::parseSubnet(QStringLiteral("%1/%2").arg(address.toString()).arg(prefix));
    source.network = parsed.first;
    source.prefix = parsed.second;
    if (source.network.isNull())
        return fail(QStringLiteral("not a subnet"));
    return source;
}

QList<ProxySource> ServerConfig::defaultProxyFrom()
{
    return {ProxySource{QHostAddress(QStringLiteral("127.0.0.0")), 8}, ProxySource{QHostAddress::LocalHostIPv6, 128}};
}

std::optional<ListenAddress> ListenAddress::parse(const QString &input, QString *error)
{
    QString why;
    const auto parsed = HostPort::parse(input, HostPortRules::listen(), &why);
    if (!parsed) {
        if (error)
            *error = QStringLiteral("invalid listen address '%1': %2").arg(input.trimmed(), why);
        return std::nullopt;
    }
    ListenAddress address;
    address.port = parsed->port;
    if (parsed->host.isEmpty())
        address.host = QHostAddress(QHostAddress::AnyIPv4);
    else if (parsed->address().isNull()) // the one name HostPortRules::listen() lets through
        address.host = QHostAddress(QHostAddress::LocalHost);
    else
        address.host = parsed->address();
    return address;
}

QString UpstreamAddress::toString() const
{
    if (isUnix())
        return QStringLiteral("unix:") + unixPath;
    if (host.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(host.toString()).arg(port);
    return QStringLiteral("%1:%2").arg(host.toString()).arg(port);
}

std::optional<UpstreamAddress> UpstreamAddress::parse(const QString &input, QString *error)
{
    const QString text = input.trimmed();
    auto fail = [&](const QString &why) -> std::optional<UpstreamAddress> {
        if (error)
            *error = QStringLiteral("'%1': %2").arg(text, why);
        return std::nullopt;
    };
    UpstreamAddress address;
    if (text.startsWith(QLatin1String("unix:"))) {
        address.unixPath = text.mid(5);
        if (address.unixPath.isEmpty())
            return fail(QStringLiteral("empty socket path (expected unix:PATH)"));
        // sockaddr_un holds 108 bytes with the terminating zero.
        if (address.unixPath.toLocal8Bit().size() > 107)
            return fail(QStringLiteral("socket path longer than 107 bytes"));
        return address;
    }
    QString why;
    const auto parsed = HostPort::parse(text, HostPortRules::connect(), &why);
    if (!parsed)
        return fail(why);
    address.port = parsed->port;
    address.host = parsed->address();
    if (address.host.isNull()) {
        if (parsed->host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) != 0)
            return fail(QStringLiteral("'%1' is a host name; give an IP address or localhost").arg(parsed->host));
        address.host = QHostAddress(QHostAddress::LocalHost);
    }
    return address;
}

bool ServerConfig::hasTlsListener() const
{
    return std::any_of(listen.cbegin(), listen.cend(), [](const ListenAddress &a) { return a.tls; });
}

QString ServerConfig::validate() const
{
    if (listen.isEmpty())
        return QStringLiteral("no listen address");
    for (qsizetype i = 0; i < listen.size(); ++i) {
        for (qsizetype j = i + 1; j < listen.size(); ++j) {
            // One socket per address, whatever its options.
            if (listen[i].host == listen[j].host && listen[i].port == listen[j].port && listen[i].port != 0)
                return QStringLiteral("listen address %1 given twice").arg(listen[i].toString());
        }
        // PROTOCOL.md §9: a tls listener needs both files.
        if (listen[i].tls) {
            const bool noCert = tlsCert.isEmpty(), noKey = tlsKey.isEmpty();
            if (noCert || noKey)
                return QStringLiteral("--listen %1 needs %2").arg(listen[i].spec(),
                    noCert && noKey ? QStringLiteral("--tls-cert and --tls-key")
                                    : noCert ? QStringLiteral("--tls-cert") : QStringLiteral("--tls-key"));
        }
    }
    const struct {
        qint64 value;
        const char *name;
    } durations[] = {{idleTimeoutMs, "idle-timeout"}, {maxLifetimeMs, "max-lifetime"},
                     {writeTimeoutMs, "write-timeout"}, {probeIntervalMs, "probe-interval"},
                     {minKeepaliveMs, "min-keepalive"}, {maxKeepaliveMs, "max-keepalive"},
                     {minPingIntervalMs, "min-ping-interval"}, {frameTimeoutMs, "frame-timeout"},
                     {lifetimeGraceMs, "lifetime-grace"}, {drainTimeMs, "drain-time"},
                     {handshakeTimeoutMs, "handshake-timeout"}};
    for (const auto &d : durations) {
        if (d.value < 0)
            return QStringLiteral("--%1 must not be negative").arg(QLatin1String(d.name));
    }
    if (maxKeepaliveMs && minKeepaliveMs > maxKeepaliveMs)
        return QStringLiteral("--min-keepalive is larger than --max-keepalive");
    if (maxPayload < 1 || maxPayload > MaxPayloadLimit)
        return QStringLiteral("--max-payload must be from 1 to %1 bytes").arg(MaxPayloadLimit);
    if (maxSendBuffer != 0 && maxSendBuffer < maxPayload + 64)
        return QStringLiteral("--max-send-buffer must hold at least one message (max payload + 64 bytes)");
    // With the largest reply on top, a send buffer stays below ByteBuffer's
    // 2 GiB capacity limit.
    if (maxSendBuffer > MaxSendBufferLimit)
        return QStringLiteral("--max-send-buffer must be at most 1G (1073741824 bytes)");
    if (lifetimeJitterPct < 0 || lifetimeJitterPct > MaxLifetimeJitterPct)
        return QStringLiteral("--lifetime-jitter must be from 0 to %1 (percent)").arg(MaxLifetimeJitterPct);
    // GOAWAY carries the grace as uint32 milliseconds.
    if (lifetimeGraceMs > qint64(std::numeric_limits<quint32>::max()))
        return QStringLiteral("--lifetime-grace must be at most %1ms").arg(std::numeric_limits<quint32>::max());
    if (drainTimeMs > qint64(std::numeric_limits<quint32>::max()))
        return QStringLiteral("--drain-time must be at most %1ms").arg(std::numeric_limits<quint32>::max());
    if (maxConnections < 0 || maxPerIp < 0 || maxMsgRate < 0)
        return QStringLiteral("limits must not be negative");
    if (threads < 0 || threads > 256)
        return QStringLiteral("--threads must be from 1 to 256");
    // PROTOCOL.md §8: the flag pair comes together or not at all.
    if (mode == Mode::Forward && !upstream)
        return QStringLiteral("--mode forward needs --upstream HOST:PORT or unix:PATH");
    if (upstream && mode != Mode::Forward)
        return QStringLiteral("--upstream is only for --mode forward (mode is %1)").arg(modeName(mode));
    if (!instanceName.isNull()) {
        const QString why = instanceNameError(instanceName);
        if (!why.isEmpty())
            return QStringLiteral("--instance-name: %1").arg(why);
    }
    // The admin API can kick every client: off loopback only with a token.
    if (admin && !admin->host.isLoopback() && adminTokenFile.isEmpty())
        return QStringLiteral("--admin %1 is not a loopback address: give --admin-token-file too")
            .arg(admin->toString());
    return QString();
}

// The name ends up in a Prometheus label and in log lines, so it must be
// one visible line an operator can type back into a query.
QString ServerConfig::instanceNameError(const QString &name)
{
    if (name.isEmpty())
        return QStringLiteral("the name is empty");
    if (name.size() > MaxInstanceNameLength)
        return QStringLiteral("'%1...' is %2 characters long (at most %3)")
            .arg(name.left(16))
            .arg(name.size())
            .arg(MaxInstanceNameLength);
    // By code point, so a character outside the BMP is not two surrogates.
    for (const char32_t c : name.toUcs4()) {
        if (!QChar::isPrint(c))
            return QStringLiteral("the name holds a non-printable character (U+%1)")
                .arg(uint(c), 4, 16, QLatin1Char('0'));
    }
    return QString();
}

QString ServerConfig::effectiveInstanceName() const
{
    if (!instanceName.isEmpty())
        return instanceName;
    const QString host = QSysInfo::machineHostName();
    return host.isEmpty() ? QStringLiteral("vigild") : host.left(MaxInstanceNameLength);
}

qint64 ServerConfig::effectiveMaxSendBuffer() const
{
    if (maxSendBuffer > 0)
        return maxSendBuffer;
    return std::max(MinSendBuffer, 2 * (maxPayload + 64));
}

qint64 ServerConfig::effectiveMaxMemory() const
{
    if (maxMemory >= 0)
        return maxMemory;
    // A quarter of the machine's physical memory; no limit (0) where it
    // cannot be read, rather than a wrong one.
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    return pages > 0 && pageSize > 0 ? qint64(pages) * qint64(pageSize) / 4 : 0;
}

int ServerConfig::effectiveThreads() const
{
    if (threads > 0)
        return threads;
    // The cores this process may run on (taskset, cgroups), not the box's.
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        return std::max(1, CPU_COUNT(&set));
    return 1;
}

ConnectionTimers ServerConfig::timersFor(std::optional<Policy> requested, std::optional<qint64> keepaliveMs) const
{
    ConnectionTimers t;
    t.policy = requested.value_or(policy);
    t.idleTimeoutMs = idleTimeoutMs;
    t.writeTimeoutMs = writeTimeoutMs;
    t.probeIntervalMs = framing == Framing::Vigil ? probeIntervalMs : 0;
    t.frameTimeoutMs = frameTimeoutMs;
    if (t.policy == Policy::Short)
        t.maxLifetimeMs = maxLifetimeMs > 0 ? maxLifetimeMs : DefaultShortLifetimeMs;
    else
        t.maxLifetimeMs = maxLifetimeMs;
    // MQTT-style keepalive: the client promises to speak every K ms, the
    // server allows 1.5 x K within its bounds. 0 (or none) keeps the default.
    if (t.policy == Policy::Long && keepaliveMs && *keepaliveMs > 0) {
        qint64 k = *keepaliveMs;
        if (minKeepaliveMs > 0)
            k = std::max(k, minKeepaliveMs);
        if (maxKeepaliveMs > 0)
            k = std::min(k, maxKeepaliveMs);
        t.idleTimeoutMs = k + k / 2;
    }
    return t;
}

namespace {
// The same entries, each as often, whatever the order.
bool sameListen(const QList<ListenAddress> &a, const QList<ListenAddress> &b)
{
    if (a.size() != b.size())
        return false;
    std::vector<bool> used(size_t(b.size()), false);
    for (const ListenAddress &entry : a) {
        bool found = false;
        for (qsizetype i = 0; i < b.size() && !found; ++i) {
            if (!used[size_t(i)] && b[i] == entry) {
                used[size_t(i)] = true;
                found = true;
            }
        }
        if (!found)
            return false;
    }
    return true;
}
} // namespace

QStringList changedKeys(const ServerConfig &a, const ServerConfig &b)
{
    // One row per key of the command line (ServerCommandLine::keys()); a
    // new key needs its row here, or a reload would not report it.
    const struct {
        const char *key;
        bool same;
    } rows[] = {
        {"listen", sameListen(a.listen, b.listen)},
        {"tls-cert", a.tlsCert == b.tlsCert},
        {"tls-key", a.tlsKey == b.tlsKey},
        {"proxy-from", a.proxyFrom == b.proxyFrom},
        {"handshake-timeout", a.handshakeTimeoutMs == b.handshakeTimeoutMs},
        {"framing", a.framing == b.framing},
        {"policy", a.policy == b.policy},
        {"idle-timeout", a.idleTimeoutMs == b.idleTimeoutMs},
        {"max-lifetime", a.maxLifetimeMs == b.maxLifetimeMs},
        {"write-timeout", a.writeTimeoutMs == b.writeTimeoutMs},
        {"probe-interval", a.probeIntervalMs == b.probeIntervalMs},
        {"lifetime-jitter", a.lifetimeJitterPct == b.lifetimeJitterPct},
        {"lifetime-grace", a.lifetimeGraceMs == b.lifetimeGraceMs},
        {"drain-time", a.drainTimeMs == b.drainTimeMs},
        {"frame-timeout", a.frameTimeoutMs == b.frameTimeoutMs},
        {"min-ping-interval", a.minPingIntervalMs == b.minPingIntervalMs},
        {"min-keepalive", a.minKeepaliveMs == b.minKeepaliveMs},
        {"max-keepalive", a.maxKeepaliveMs == b.maxKeepaliveMs},
        {"max-payload", a.maxPayload == b.maxPayload},
        {"max-send-buffer", a.maxSendBuffer == b.maxSendBuffer},
        {"max-memory", a.maxMemory == b.maxMemory},
        {"max-connections", a.maxConnections == b.maxConnections},
        {"max-per-ip", a.maxPerIp == b.maxPerIp},
        {"max-msg-rate", a.maxMsgRate == b.maxMsgRate},
        {"mode", a.mode == b.mode},
        {"upstream", a.upstream == b.upstream},
        {"upstream-framing", a.upstreamFraming == b.upstreamFraming},
        {"threads", a.threads == b.threads},
        {"log-format", a.logFormat == b.logFormat},
        {"admin", a.admin == b.admin},
        {"admin-token-file", a.adminTokenFile == b.adminTokenFile},
        {"log-messages", a.logMessages == b.logMessages},
        {"admin-previews", a.adminPreviews == b.adminPreviews},
        {"instance-name", a.instanceName == b.instanceName},
    };
    QStringList changed;
    for (const auto &row : rows) {
        if (!row.same)
            changed << QString::fromLatin1(row.key);
    }
    return changed;
}

} // namespace Vigil
