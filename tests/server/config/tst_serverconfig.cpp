// ServerConfig: policy presets, HELLO keepalive clamping (PROTOCOL.md §2,
// §3), validation messages and listen address parsing.
#include "serverconfig.h"

#include <QTest>

using namespace Vigil;

Q_DECLARE_METATYPE(Vigil::Policy)
Q_DECLARE_METATYPE(Vigil::Framing)

namespace {
using Optional = std::optional<qint64>;
}
Q_DECLARE_METATYPE(Optional)

class tst_ServerConfig : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void policyPresets_data();
    void policyPresets();
    void keepaliveClamping_data();
    void keepaliveClamping();
    void probesOnlyInVigilFraming_data();
    void probesOnlyInVigilFraming();
    void validate_data();
    void validate();
    void effectiveMaxSendBuffer_data();
    void effectiveMaxSendBuffer();
    void effectiveThreads();
    void listenAddressParse_data();
    void listenAddressParse();
    void badListenAddress_data();
    void badListenAddress();
    void names_data();
    void names();
    void changedListenComparesEntriesAsWritten();
    void listenerOptions_data();
    void listenerOptions();
    void proxySources_data();
    void proxySources();
};

// PROTOCOL.md §5 defaults.
void tst_ServerConfig::defaults()
{
    const ServerConfig c;
    QCOMPARE(c.listen.size(), 1);
    QCOMPARE(c.listen.constFirst().toString(), QStringLiteral("127.0.0.1:7600"));
    QCOMPARE(c.framing, Framing::Vigil);
    QCOMPARE(c.policy, Policy::Long);
    QCOMPARE(c.idleTimeoutMs, qint64(30000));
    QCOMPARE(c.maxLifetimeMs, qint64(0));
    QCOMPARE(c.writeTimeoutMs, qint64(10000));
    QCOMPARE(c.maxPayload, qint64(1048576));
    QCOMPARE(c.mode, Mode::Echo);
    QCOMPARE(c.logFormat, LogFormat::Text);
    QVERIFY(c.validate().isEmpty());
}

void tst_ServerConfig::policyPresets_data()
{
    QTest::addColumn<Policy>("listenerPolicy");
    QTest::addColumn<qint64>("maxLifetime");
    QTest::addColumn<int>("requested"); // -1: no HELLO policy, else Policy
    QTest::addColumn<Policy>("policy");
    QTest::addColumn<qint64>("idle");
    QTest::addColumn<qint64>("lifetime");

    QTest::newRow("long default: idle on, lifetime off") << Policy::Long << qint64(0) << -1 << Policy::Long
                                                         << qint64(30000) << qint64(0);
    QTest::newRow("short default: lifetime 10s") << Policy::Short << qint64(0) << -1 << Policy::Short
                                                 << qint64(30000) << qint64(10000);
    QTest::newRow("short with --max-lifetime 1s") << Policy::Short << qint64(1000) << -1 << Policy::Short
                                                  << qint64(30000) << qint64(1000);
    QTest::newRow("HELLO short on a long listener") << Policy::Long << qint64(0) << int(Policy::Short)
                                                    << Policy::Short << qint64(30000) << qint64(10000);
    QTest::newRow("HELLO long on a short listener") << Policy::Short << qint64(0) << int(Policy::Long)
                                                    << Policy::Long << qint64(30000) << qint64(0);
    QTest::newRow("--max-lifetime caps long too") << Policy::Long << qint64(5000) << -1 << Policy::Long
                                                  << qint64(30000) << qint64(5000);
}

void tst_ServerConfig::policyPresets()
{
    QFETCH(Policy, listenerPolicy);
    QFETCH(qint64, maxLifetime);
    QFETCH(int, requested);
    QFETCH(Policy, policy);
    QFETCH(qint64, idle);
    QFETCH(qint64, lifetime);

    ServerConfig c;
    c.policy = listenerPolicy;
    c.maxLifetimeMs = maxLifetime;
    c.writeTimeoutMs = 1234;
    const ConnectionTimers t = requested < 0 ? c.timersFor() : c.timersFor(Policy(requested));
    QCOMPARE(t.policy, policy);
    QCOMPARE(t.idleTimeoutMs, idle);
    QCOMPARE(t.maxLifetimeMs, lifetime);
    QCOMPARE(t.writeTimeoutMs, qint64(1234));
}

// PROTOCOL.md §2: idle = 1.5 x K, K clamped to --min/--max-keepalive.
void tst_ServerConfig::keepaliveClamping_data()
{
    QTest::addColumn<qint64>("minKeepalive");
    QTest::addColumn<qint64>("maxKeepalive");
    QTest::addColumn<int>("requested");
    QTest::addColumn<Optional>("keepalive");
    QTest::addColumn<qint64>("idle");

    const int none = -1;
    const int shortPolicy = int(Policy::Short);
    const int longPolicy = int(Policy::Long);
    QTest::newRow("no keepalive keeps the listener's idle") << qint64(1000) << qint64(3600000) << none << Optional()
                                                            << qint64(30000);
    QTest::newRow("10s -> 15s") << qint64(1000) << qint64(3600000) << longPolicy << Optional(10000) << qint64(15000);
    QTest::newRow("no policy on a long listener") << qint64(1000) << qint64(3600000) << none << Optional(10000)
                                                  << qint64(15000);
    QTest::newRow("below min is raised") << qint64(1000) << qint64(3600000) << longPolicy << Optional(100)
                                         << qint64(1500);
    QTest::newRow("at min") << qint64(1000) << qint64(3600000) << longPolicy << Optional(1000) << qint64(1500);
    QTest::newRow("above max is lowered") << qint64(1000) << qint64(60000) << longPolicy << Optional(600000)
                                          << qint64(90000);
    QTest::newRow("at max") << qint64(1000) << qint64(60000) << longPolicy << Optional(60000) << qint64(90000);
    QTest::newRow("0 keeps the listener's idle") << qint64(1000) << qint64(3600000) << longPolicy << Optional(0)
                                                 << qint64(30000);
    QTest::newRow("short policy ignores keepalive") << qint64(1000) << qint64(3600000) << shortPolicy
                                                    << Optional(10000) << qint64(30000);
    QTest::newRow("min 0 allows tiny") << qint64(0) << qint64(0) << longPolicy << Optional(2) << qint64(3);
}

void tst_ServerConfig::keepaliveClamping()
{
    QFETCH(qint64, minKeepalive);
    QFETCH(qint64, maxKeepalive);
    QFETCH(int, requested);
    QFETCH(Optional, keepalive);
    QFETCH(qint64, idle);

    ServerConfig c;
    c.minKeepaliveMs = minKeepalive;
    c.maxKeepaliveMs = maxKeepalive;
    const std::optional<Policy> policy = requested < 0 ? std::nullopt : std::optional<Policy>(Policy(requested));
    QCOMPARE(c.timersFor(policy, keepalive).idleTimeoutMs, idle);
}

void tst_ServerConfig::probesOnlyInVigilFraming_data()
{
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<qint64>("probe");

    QTest::newRow("vigil") << Framing::Vigil << qint64(300);
    QTest::newRow("legacy") << Framing::Legacy << qint64(0);
    QTest::newRow("line") << Framing::Line << qint64(0);
    QTest::newRow("raw") << Framing::Raw << qint64(0);
}

// PROTOCOL.md §3: the probe interval exists in vigil framing only.
void tst_ServerConfig::probesOnlyInVigilFraming()
{
    QFETCH(Framing, framing);
    QFETCH(qint64, probe);

    ServerConfig c;
    c.framing = framing;
    c.probeIntervalMs = 300;
    QCOMPARE(c.timersFor().probeIntervalMs, probe);
}

void tst_ServerConfig::validate_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QString>("error"); // empty: valid

    QTest::newRow("negative idle") << "idle" << qint64(-1) << "--idle-timeout must not be negative";
    QTest::newRow("negative lifetime") << "lifetime" << qint64(-1) << "--max-lifetime must not be negative";
    QTest::newRow("negative write") << "write" << qint64(-1) << "--write-timeout must not be negative";
    QTest::newRow("negative probe") << "probe" << qint64(-5) << "--probe-interval must not be negative";
    QTest::newRow("min keepalive above max") << "minKeepalive" << qint64(7200000)
                                             << "--min-keepalive is larger than --max-keepalive";
    QTest::newRow("max payload 0") << "maxPayload" << qint64(0) << "--max-payload must be from 1 to 268435456 bytes";
    QTest::newRow("max payload 1") << "maxPayload" << qint64(1) << "";
    QTest::newRow("max payload 256M") << "maxPayload" << qint64(268435456) << "";
    QTest::newRow("max payload 256M + 1") << "maxPayload" << qint64(268435457)
                                          << "--max-payload must be from 1 to 268435456 bytes";
    QTest::newRow("send buffer below one message")
        << "maxSendBuffer" << qint64(1000)
        << "--max-send-buffer must hold at least one message (max payload + 64 bytes)";
    QTest::newRow("send buffer of 1 GiB") << "maxSendBuffer" << (qint64(1) << 30) << "";
    QTest::newRow("send buffer above 1 GiB") << "maxSendBuffer" << (qint64(1) << 30) + 1
                                             << "--max-send-buffer must be at most 1G (1073741824 bytes)";
    QTest::newRow("send buffer of 2 GiB") << "maxSendBuffer" << (qint64(1) << 31)
                                          << "--max-send-buffer must be at most 1G (1073741824 bytes)";
    QTest::newRow("negative max connections") << "maxConnections" << qint64(-1) << "limits must not be negative";
    QTest::newRow("negative rate") << "maxMsgRate" << qint64(-1) << "limits must not be negative";
    QTest::newRow("threads 257") << "threads" << qint64(257) << "--threads must be from 1 to 256";
    QTest::newRow("zero timers are fine") << "idle" << qint64(0) << "";
    QTest::newRow("negative min ping interval") << "minPingInterval" << qint64(-1)
                                                << "--min-ping-interval must not be negative";
    QTest::newRow("jitter 50") << "lifetimeJitter" << qint64(50) << "";
    QTest::newRow("jitter 51") << "lifetimeJitter" << qint64(51) << "--lifetime-jitter must be from 0 to 50 (percent)";
    QTest::newRow("negative jitter") << "lifetimeJitter" << qint64(-1) << "--lifetime-jitter must be from 0 to 50 (percent)";
    QTest::newRow("negative grace") << "lifetimeGrace" << qint64(-1) << "--lifetime-grace must not be negative";
    QTest::newRow("negative drain time") << "drainTime" << qint64(-1) << "--drain-time must not be negative";
    QTest::newRow("drain time beyond uint32 ms") << "drainTime" << qint64(4294967296LL) << "--drain-time must be at most 4294967295ms";
    QTest::newRow("negative frame timeout") << "frameTimeout" << qint64(-1) << "--frame-timeout must not be negative";
    QTest::newRow("negative handshake timeout") << "handshakeTimeout" << qint64(-1)
                                                << "--handshake-timeout must not be negative";
    QTest::newRow("handshake timeout 0 is off") << "handshakeTimeout" << qint64(0) << "";
}

void tst_ServerConfig::validate()
{
    QFETCH(QString, field);
    QFETCH(qint64, value);
    QFETCH(QString, error);

    ServerConfig c;
    if (field == QLatin1String("idle"))
        c.idleTimeoutMs = value;
    else if (field == QLatin1String("lifetime"))
        c.maxLifetimeMs = value;
    else if (field == QLatin1String("write"))
        c.writeTimeoutMs = value;
    else if (field == QLatin1String("probe"))
        c.probeIntervalMs = value;
    else if (field == QLatin1String("minKeepalive"))
        c.minKeepaliveMs = value;
    else if (field == QLatin1String("maxPayload"))
        c.maxPayload = value;
    else if (field == QLatin1String("maxSendBuffer"))
        c.maxSendBuffer = value;
    else if (field == QLatin1String("maxConnections"))
        c.maxConnections = int(value);
    else if (field == QLatin1String("maxMsgRate"))
        c.maxMsgRate = int(value);
    else if (field == QLatin1String("threads"))
        c.threads = int(value);
    else if (field == QLatin1String("minPingInterval"))
        c.minPingIntervalMs = value;
    else if (field == QLatin1String("frameTimeout"))
        c.frameTimeoutMs = value;
    else if (field == QLatin1String("lifetimeJitter"))
        c.lifetimeJitterPct = int(value);
    else if (field == QLatin1String("lifetimeGrace"))
        c.lifetimeGraceMs = value;
    else if (field == QLatin1String("drainTime"))
        c.drainTimeMs = value;
    else if (field == QLatin1String("handshakeTimeout"))
        c.handshakeTimeoutMs = value;
    else
        QFAIL("unknown field");
    QCOMPARE(c.validate(), error);
}

void tst_ServerConfig::effectiveMaxSendBuffer_data()
{
    QTest::addColumn<qint64>("maxPayload");
    QTest::addColumn<qint64>("maxSendBuffer");
    QTest::addColumn<qint64>("effective");

    QTest::newRow("default: 4 MiB") << qint64(1048576) << qint64(0) << qint64(4194304);
    QTest::newRow("large payload: two messages") << qint64(8388608) << qint64(0) << 2 * (qint64(8388608) + 64);
    QTest::newRow("explicit") << qint64(1048576) << qint64(2000000) << qint64(2000000);
}

void tst_ServerConfig::effectiveMaxSendBuffer()
{
    QFETCH(qint64, maxPayload);
    QFETCH(qint64, maxSendBuffer);
    QFETCH(qint64, effective);

    ServerConfig c;
    c.maxPayload = maxPayload;
    c.maxSendBuffer = maxSendBuffer;
    QCOMPARE(c.effectiveMaxSendBuffer(), effective);
}

void tst_ServerConfig::effectiveThreads()
{
    ServerConfig c;
    QVERIFY(c.effectiveThreads() >= 1);
    c.threads = 3;
    QCOMPARE(c.effectiveThreads(), 3);
}

void tst_ServerConfig::listenAddressParse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("canonical");

    QTest::newRow("IPv4") << "127.0.0.1:7600" << "127.0.0.1" << 7600 << "127.0.0.1:7600";
    QTest::newRow("port 0") << "127.0.0.1:0" << "127.0.0.1" << 0 << "127.0.0.1:0";
    QTest::newRow("port 65535") << "127.0.0.1:65535" << "127.0.0.1" << 65535 << "127.0.0.1:65535";
    QTest::newRow("localhost") << "localhost:80" << "127.0.0.1" << 80 << "127.0.0.1:80";
    QTest::newRow(":PORT is every address") << ":9000" << "0.0.0.0" << 9000 << "0.0.0.0:9000";
    QTest::newRow("*:PORT is every address") << "*:9000" << "0.0.0.0" << 9000 << "0.0.0.0:9000";
    QTest::newRow("0.0.0.0") << "0.0.0.0:1" << "0.0.0.0" << 1 << "0.0.0.0:1";
    QTest::newRow("IPv6 in brackets") << "[::1]:7600" << "::1" << 7600 << "[::1]:7600";
    QTest::newRow("spaces") << " 127.0.0.1:5 " << "127.0.0.1" << 5 << "127.0.0.1:5";
}

void tst_ServerConfig::listenAddressParse()
{
    QFETCH(QString, text);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, canonical);

    QString error;
    const auto address = ListenAddress::parse(text, &error);
    QVERIFY2(address.has_value(), qPrintable(error));
    QCOMPARE(address->host, QHostAddress(host));
    QCOMPARE(int(address->port), port);
    QCOMPARE(address->toString(), canonical);
    QCOMPARE(ListenAddress::parse(address->toString()).value_or(ListenAddress()).toString(), canonical);
}

void tst_ServerConfig::badListenAddress_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("why");

    QTest::newRow("no port") << "127.0.0.1" << "missing port (expected HOST:PORT)";
    QTest::newRow("empty") << "" << "empty address (expected HOST:PORT)";
    QTest::newRow("port too big") << "127.0.0.1:65536" << "bad port '65536' (expected a number from 0 to 65535)";
    QTest::newRow("negative port") << "127.0.0.1:-1" << "bad port '-1' (expected a number from 0 to 65535)";
    QTest::newRow("empty port") << "127.0.0.1:" << "missing port after ':'";
    QTest::newRow("named port") << "127.0.0.1:http" << "bad port 'http'";
    QTest::newRow("host name") << "example.org:80" << "'example.org' is not an IP address";
    QTest::newRow("bad IPv4") << "127.0.0.256:80" << "'127.0.0.256' is not an IPv4 address";
    QTest::newRow("IPv6 without brackets") << "::1:7600" << "write IPv6 addresses in brackets";
    QTest::newRow("IPv4 in brackets") << "[127.0.0.1]:80" << "'127.0.0.1' in brackets is not an IPv6 address";
}

void tst_ServerConfig::badListenAddress()
{
    QFETCH(QString, text);
    QFETCH(QString, why);

    QString error;
    QVERIFY(!ListenAddress::parse(text, &error).has_value());
    QVERIFY2(error.startsWith(QStringLiteral("invalid listen address '%1'").arg(text.trimmed())), qPrintable(error));
    QVERIFY2(error.contains(why), qPrintable(error));
}

void tst_ServerConfig::names_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("long") << "long" << true;
    QTest::newRow("short") << "short" << true;
    QTest::newRow("LONG") << "LONG" << false;
    QTest::newRow("empty") << "" << false;
}

void tst_ServerConfig::names()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);

    const auto policy = parsePolicy(name);
    QCOMPARE(policy.has_value(), valid);
    if (policy)
        QCOMPARE(policyName(*policy), name);
    QCOMPARE(parseMode(QStringLiteral("echo")), std::optional<Mode>(Mode::Echo));
    QCOMPARE(parseMode(QStringLiteral("sink")), std::optional<Mode>(Mode::Sink));
    QVERIFY(!parseMode(name).has_value());
    QCOMPARE(parseLogFormat(QStringLiteral("json")), std::optional<LogFormat>(LogFormat::Json));
    QCOMPARE(parseLogFormat(QStringLiteral("text")), std::optional<LogFormat>(LogFormat::Text));
    QCOMPARE(logFormatName(LogFormat::Json), QStringLiteral("json"));
    QCOMPARE(modeName(Mode::Sink), QStringLiteral("sink"));
}

// PROTOCOL.md §11: listen entries compare as written, in any order; two
// port-0 entries are two entries.
void tst_ServerConfig::changedListenComparesEntriesAsWritten()
{
    const auto address = [](const char *text) { return *ListenAddress::parse(QString::fromLatin1(text)); };
    ServerConfig a;
    a.listen = {address("127.0.0.1:0"), address("127.0.0.1:7601")};
    ServerConfig b = a;
    b.listen = {address("127.0.0.1:7601"), address("127.0.0.1:0")};
    QVERIFY(changedKeys(a, b).isEmpty());
    b.listen = {address("localhost:7601"), address("127.0.0.1:0")};
    QVERIFY(changedKeys(a, b).isEmpty());
    b.listen.append(address("127.0.0.1:0"));
    QCOMPARE(changedKeys(a, b), QStringList{QStringLiteral("listen")});
    b.listen = {address("127.0.0.1:7602"), address("127.0.0.1:0")};
    QCOMPARE(changedKeys(a, b), QStringList{QStringLiteral("listen")});
    b = a;
    b.idleTimeoutMs = 1;
    b.maxPerIp = 2;
    QCOMPARE(changedKeys(a, b), (QStringList{QStringLiteral("idle-timeout"), QStringLiteral("max-per-ip")}));
}

// PROTOCOL.md §9: ",tls" and ",proxy" after the address, either order,
// each once; an entry with other options is another entry for a reload.
void tst_ServerConfig::listenerOptions_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("spec"); // empty: refused

    QTest::newRow("plain") << "127.0.0.1:7600" << "127.0.0.1:7600";
    QTest::newRow("proxy") << "127.0.0.1:7600,proxy" << "127.0.0.1:7600,proxy";
    QTest::newRow("tls") << "127.0.0.1:7600,tls" << "127.0.0.1:7600,tls";
    QTest::newRow("both") << "127.0.0.1:7600,tls,proxy" << "127.0.0.1:7600,tls,proxy";
    QTest::newRow("both reversed") << "127.0.0.1:7600,proxy,tls" << "127.0.0.1:7600,tls,proxy";
    QTest::newRow("ipv6") << "[::1]:0,proxy" << "[::1]:0,proxy";
    QTest::newRow("any") << ":7600,proxy" << "0.0.0.0:7600,proxy";
    QTest::newRow("unknown") << "127.0.0.1:7600,ssl" << "";
    QTest::newRow("empty option") << "127.0.0.1:7600," << "";
    QTest::newRow("twice") << "127.0.0.1:7600,tls,tls" << "";
    QTest::newRow("option before address") << "proxy,127.0.0.1:7600" << "";
}

void tst_ServerConfig::listenerOptions()
{
    QFETCH(QString, text);
    QFETCH(QString, spec);

    QString error;
    const auto address = ListenAddress::parseListener(text, &error);
    QCOMPARE(address.has_value(), !spec.isEmpty());
    if (!address) {
        QVERIFY2(error.startsWith(QStringLiteral("invalid listen address '%1'").arg(text)), qPrintable(error));
        return;
    }
    QCOMPARE(address->spec(), spec);
    QCOMPARE(ListenAddress::parseListener(address->spec()).value_or(ListenAddress()), *address);
    // The plain parse (--admin) takes no options.
    QCOMPARE(ListenAddress::parse(text).has_value(), !text.contains(QLatin1Char(',')));

    ServerConfig a;
    a.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:7600"))};
    ServerConfig b;
    b.listen = {*address};
    QCOMPARE(changedKeys(a, b).contains(QLatin1String("listen")), address->spec() != a.listen.first().spec());
}

void tst_ServerConfig::proxySources_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("canonical"); // empty: refused

    QTest::newRow("v4 net") << "10.0.0.0/8" << "10.0.0.0/8";
    QTest::newRow("v4 host") << "10.1.2.3" << "10.1.2.3/32";
    QTest::newRow("v4 host bits dropped") << "10.1.2.3/16" << "10.1.0.0/16";
    QTest::newRow("v4 everything") << "0.0.0.0/0" << "0.0.0.0/0";
    QTest::newRow("v6 net") << "2001:db8::/32" << "2001:db8::/32";
    QTest::newRow("v6 host") << "::1" << "::1/128";
    QTest::newRow("v4-mapped") << "::ffff:192.168.1.0/120" << "192.168.1.0/24";
    QTest::newRow("v4-mapped host") << "::ffff:192.168.1.9" << "192.168.1.9/32";
    QTest::newRow("spaces") << " 10.0.0.0/8 " << "10.0.0.0/8";
    QTest::newRow("name") << "localhost" << "";
    QTest::newRow("v4 /33") << "10.0.0.0/33" << "";
    QTest::newRow("negative") << "10.0.0.0/-1" << "";
    QTest::newRow("netmask") << "10.0.0.0/255.0.0.0" << "";
    QTest::newRow("v4-mapped /64") << "::ffff:0.0.0.0/64" << "";
    QTest::newRow("scoped") << "fe80::1%eth0" << "";
    QTest::newRow("empty") << "" << "";
}

void tst_ServerConfig::proxySources()
{
    QFETCH(QString, text);
    QFETCH(QString, canonical);

    QString error;
    const auto source = ProxySource::parse(text, &error);
    QCOMPARE(source.has_value(), !canonical.isEmpty());
    if (!source) {
        QVERIFY2(error.startsWith(QStringLiteral("invalid proxy source '%1': ").arg(text.trimmed())), qPrintable(error));
        return;
    }
    QCOMPARE(source->toString(), canonical);
    QCOMPARE(ProxySource::parse(source->toString()).value_or(ProxySource()), *source);
}

QTEST_GUILESS_MAIN(tst_ServerConfig)
#include "tst_serverconfig.moc"
