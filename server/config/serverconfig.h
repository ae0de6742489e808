// Everything a server is told to do: listeners, watchdog timeouts, limits
// and logging (PROTOCOL.md §3 and §5). A plain value, copied to each
// network thread.
#pragma once

#include "framing.h"
#include "policy.h"

#include <QHostAddress>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

namespace Vigil {

class TlsContext;

enum class Mode : quint8 { Echo, Sink, Forward };
enum class LogFormat : quint8 { Text, Json };

QString modeName(Mode mode);
std::optional<Mode> parseMode(const QString &name);
QString logFormatName(LogFormat format);
std::optional<LogFormat> parseLogFormat(const QString &name);

struct ListenAddress
{
    QHostAddress host = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 7600;
    // PROTOCOL.md §9: ",tls" speaks TLS; ",proxy" expects a PROXY header
    // from a --proxy-from source before anything else.
    bool tls = false;
    bool proxy = false;

    // "127.0.0.1:7600", "[::1]:7600" (the address only)
    QString toString() const;
    // As --listen spells it: "127.0.0.1:7600,tls,proxy"
    QString spec() const;
    // Accepts HOST:PORT, [V6]:PORT, :PORT and *:PORT (all addresses),
    // localhost. Host names other than localhost are refused: a server
    // binds addresses, not names. HostPort::parse with HostPortRules::listen().
    static std::optional<ListenAddress> parse(const QString &text, QString *error = nullptr);
    // --listen: HOST:PORT followed by ",tls" and/or ",proxy", each at most once.
    static std::optional<ListenAddress> parseListener(const QString &text, QString *error = nullptr);
    bool operator==(const ListenAddress &other) const
    {
        return host == other.host && port == other.port && tls == other.tls && proxy == other.proxy;
    }
};

// A --proxy-from entry: the sources allowed to send a PROXY header
// (PROTOCOL.md §9), an address with a prefix length (a bare address is
// the whole address: /32 or /128).
struct ProxySource
{
    QHostAddress network;
    int prefix = 0;

    QString toString() const; // "127.0.0.0/8", "::1/128"
    static std::optional<ProxySource> parse(const QString &text, QString *error = nullptr);
    bool operator==(const ProxySource &other) const { return network == other.network && prefix == other.prefix; }
};

// --upstream (PROTOCOL.md §8): where forward mode connects, TCP HOST:PORT
// or unix:PATH. The host is an IP address or localhost: a network thread
// connects without blocking, so no name is resolved there.
struct UpstreamAddress
{
    QHostAddress host;
    quint16 port = 0;
    QString unixPath; // set: a unix-domain socket, host and port unused

    bool isUnix() const { return !unixPath.isEmpty(); }
    // "127.0.0.1:9000", "[::1]:9000", "unix:/run/app.sock"
    QString toString() const;
    static std::optional<UpstreamAddress> parse(const QString &text, QString *error = nullptr);
    bool operator==(const UpstreamAddress &other) const
    {
        return host == other.host && port == other.port && unixPath == other.unixPath;
    }
};

struct ServerConfig
{
    static constexpr qint64 DefaultShortLifetimeMs = 10000;
    static constexpr int MaxLifetimeJitterPct = 50; // PROTOCOL.md §10

    QList<ListenAddress> listen{ListenAddress()};
    // PROTOCOL.md §9: who may send a PROXY header (default loopback), how
    // long it (and a TLS handshake) may take from accept, the TLS files.
    QList<ProxySource> proxyFrom = defaultProxyFrom();
    qint64 handshakeTimeoutMs = 10000;
    QString tlsCert;
    QString tlsKey;
    // Loaded from them by the Server (start and reload) while a tls
    // listener exists; shared with the network threads for new handshakes.
    std::shared_ptr<const TlsContext> tlsContext;
    Framing framing = Framing::Vigil;
    Policy policy = Policy::Long;
    qint64 idleTimeoutMs = 30000;
    qint64 maxLifetimeMs = 0; // 0: off for long, 10 s for short
    qint64 writeTimeoutMs = 10000;
    qint64 probeIntervalMs = 0;
    qint64 minKeepaliveMs = 1000;
    qint64 maxKeepaliveMs = 3600 * 1000;
    qint64 maxPayload = 1024 * 1024;
    qint64 maxSendBuffer = 0; // 0: max(4 MiB, 2 x (max payload + header))
    qint64 maxMemory = -1;    // PROTOCOL.md §12; -1: a quarter of physical memory, 0: no limit
    int maxConnections = 0;   // 0: no limit but the open-file limit
    int maxPerIp = 0;
    int maxMsgRate = 0; // messages per second per connection; 0: no limit
    // PROTOCOL.md §10 (v1.1); every one 0 = off, exactly v1.
    qint64 minPingIntervalMs = 0; // a client PING sooner after its last (no DATA between) is a strike
    qint64 frameTimeoutMs = 0;    // a message whose first byte arrived must complete within it
    int lifetimeJitterPct = 0;    // each lifetime drawn from [L x (1 - J/100), L]
    qint64 lifetimeGraceMs = 0;   // vigil framing: GOAWAY at the lifetime, BYE this much later
    qint64 drainTimeMs = 0;       // SIGTERM spreads the closes over it (GOAWAY server-shutdown each)
    Mode mode = Mode::Echo;
    // --mode forward (PROTOCOL.md §8): the service behind vigild and how
    // messages are cut on that connection. Set exactly when mode is Forward.
    std::optional<UpstreamAddress> upstream;
    Framing upstreamFraming = Framing::Raw;
    int threads = 0; // 0: one per available core
    LogFormat logFormat = LogFormat::Text;
    bool logMessages = false;
    bool logToStdout = true; // vigild logs; the embedded monitor server does not
    // vigild's admin HTTP endpoint (--admin, --admin-token-file); off when
    // unset. The core ignores both: vigil_admin serves them.
    std::optional<ListenAddress> admin;
    QString adminTokenFile;
    bool adminPreviews = false; // --admin-previews: DATA's first bytes in the admin API
    // --instance-name: how /metrics (vigil_build_info) and the admin API
    // name this vigild in a fleet; empty: the host name. Fixed at start.
    QString instanceName;

    static QList<ProxySource> defaultProxyFrom();
    static constexpr int MaxInstanceNameLength = 64;
    // Why name cannot be an --instance-name (empty, a control character,
    // longer than MaxInstanceNameLength), or empty when it can.
    static QString instanceNameError(const QString &name);

    // One-line description of the first invalid setting, or empty.
    QString validate() const;
    // PROTOCOL.md §9: whether any listener speaks TLS (and needs tlsContext).
    bool hasTlsListener() const;
    qint64 effectiveMaxSendBuffer() const;
    qint64 effectiveMaxMemory() const;
    int effectiveThreads() const;
    // instanceName, or the host name when none was given.
    QString effectiveInstanceName() const;
    // Timers for a connection that sent no HELLO, or asked for a policy
    // and keepalive (PROTOCOL.md §2: idle = 1.5 x keepalive, clamped).
    ConnectionTimers timersFor(std::optional<Policy> requested = std::nullopt,
                               std::optional<qint64> keepaliveMs = std::nullopt) const;
};

// The keys (long flag names, in --help's order) whose values
// differ between two configs: a reload's `changed` (PROTOCOL.md §11).
// listen compares its entries as written, in any order: port 0 is 0.
QStringList changedKeys(const ServerConfig &before, const ServerConfig &after);

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ServerConfig)
