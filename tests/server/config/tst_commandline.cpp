// ServerCommandLine: every vigild flag of PROTOCOL.md §5, its errors, and
// --config with flags winning.
#include "commandline.h"

#include <QFileInfo>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Vigil;

namespace {
ParsedCommandLine parse(const QStringList &flags)
{
    ServerCommandLine commandLine(QStringLiteral("vigild"));
    return commandLine.parse(QStringList{QStringLiteral("vigild")} + flags);
}

QString configField(const ServerConfig &c, const QString &field)
{
    if (field == QLatin1String("listen")) {
        QStringList all;
        for (const ListenAddress &a : c.listen)
            all << a.spec();
        return all.join(QLatin1Char(','));
    }
    if (field == QLatin1String("proxyFrom")) {
        QStringList all;
        for (const ProxySource &s : c.proxyFrom)
            all << s.toString();
        return all.join(QLatin1Char(' '));
    }
    if (field == QLatin1String("handshakeTimeout"))
        return QString::number(c.handshakeTimeoutMs);
    if (field == QLatin1String("tlsCert"))
        return c.tlsCert;
    if (field == QLatin1String("instanceName"))
        return c.effectiveInstanceName();
    if (field == QLatin1String("tlsKey"))
        return c.tlsKey;
    if (field == QLatin1String("framing"))
        return framingName(c.framing);
    if (field == QLatin1String("policy"))
        return policyName(c.policy);
    if (field == QLatin1String("idle"))
        return QString::number(c.idleTimeoutMs);
    if (field == QLatin1String("lifetime"))
        return QString::number(c.maxLifetimeMs);
    if (field == QLatin1String("write"))
        return QString::number(c.writeTimeoutMs);
    if (field == QLatin1String("probe"))
        return QString::number(c.probeIntervalMs);
    if (field == QLatin1String("minKeepalive"))
        return QString::number(c.minKeepaliveMs);
    if (field == QLatin1String("maxKeepalive"))
        return QString::number(c.maxKeepaliveMs);
    if (field == QLatin1String("maxPayload"))
        return QString::number(c.maxPayload);
    if (field == QLatin1String("maxSendBuffer"))
        return QString::number(c.maxSendBuffer);
    if (field == QLatin1String("maxMemory"))
        return QString::number(c.maxMemory);
    if (field == QLatin1String("maxConnections"))
        return QString::number(c.maxConnections);
    if (field == QLatin1String("maxPerIp"))
        return QString::number(c.maxPerIp);
    if (field == QLatin1String("maxMsgRate"))
        return QString::number(c.maxMsgRate);
    if (field == QLatin1String("lifetimeJitter"))
        return QString::number(c.lifetimeJitterPct);
    if (field == QLatin1String("lifetimeGrace"))
        return QString::number(c.lifetimeGraceMs);
    if (field == QLatin1String("drainTime"))
        return QString::number(c.drainTimeMs);
    if (field == QLatin1String("frameTimeout"))
        return QString::number(c.frameTimeoutMs);
    if (field == QLatin1String("minPingInterval"))
        return QString::number(c.minPingIntervalMs);
    if (field == QLatin1String("mode"))
        return modeName(c.mode);
    if (field == QLatin1String("upstream"))
        return c.upstream ? c.upstream->toString() : QStringLiteral("<none>");
    if (field == QLatin1String("upstreamFraming"))
        return framingName(c.upstreamFraming);
    if (field == QLatin1String("threads"))
        return QString::number(c.threads);
    if (field == QLatin1String("logFormat"))
        return logFormatName(c.logFormat);
    if (field == QLatin1String("logMessages"))
        return c.logMessages ? QStringLiteral("true") : QStringLiteral("false");
    if (field == QLatin1String("adminPreviews"))
        return c.adminPreviews ? QStringLiteral("true") : QStringLiteral("false");
    return QStringLiteral("<unknown field %1>").arg(field);
}

QString writeConfig(const QTemporaryDir &dir, const QByteArray &text)
{
    const QString path = dir.filePath(QStringLiteral("vigild.conf"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return QString();
    file.write(text);
    return path;
}
} // namespace

class tst_CommandLine : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void everyFlag_data();
    void everyFlag();
    void badValues_data();
    void badValues();
    void helpAndVersion();
    void configFile_data();
    void configFile();
    void configFileErrors_data();
    void configFileErrors();
    void configFileMustBeRegular();
    void keysCoverEveryValueFlag();
    void extraSections();
    void serverOptionsGiven_data();
    void serverOptionsGiven();
    void changedKeysCoverEveryKey();
    void rebuildReadsTheFileAgain();
    void rebuildFailsOnABrokenFile();
};

void tst_CommandLine::defaults()
{
    const ParsedCommandLine p = parse({});
    QCOMPARE(p.action, ParsedCommandLine::Action::Run);
    QCOMPARE(configField(p.config, QStringLiteral("listen")), QStringLiteral("127.0.0.1:7600"));
    QCOMPARE(p.config.framing, Framing::Vigil);
    QCOMPARE(p.config.policy, Policy::Long);
    QCOMPARE(p.config.idleTimeoutMs, qint64(30000));
    QCOMPARE(p.config.maxLifetimeMs, qint64(0));
    QCOMPARE(p.config.writeTimeoutMs, qint64(10000));
    QCOMPARE(p.config.maxPayload, qint64(1048576));
    QCOMPARE(p.config.mode, Mode::Echo);
    QCOMPARE(p.config.logFormat, LogFormat::Text);
    QVERIFY(!p.config.logMessages);
    QVERIFY(!p.config.adminPreviews);
    // A fleet's vigild are told apart by host name unless named.
    QVERIFY(p.config.instanceName.isEmpty());
    QVERIFY(!QSysInfo::machineHostName().isEmpty());
    QCOMPARE(p.config.effectiveInstanceName(), QSysInfo::machineHostName());
}

void tst_CommandLine::everyFlag_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");

    QTest::newRow("--listen") << QStringList{"--listen", "127.0.0.1:0"} << "listen" << "127.0.0.1:0";
    QTest::newRow("--listen=") << QStringList{"--listen=127.0.0.1:9"} << "listen" << "127.0.0.1:9";
    QTest::newRow("--listen repeated") << QStringList{"--listen", "127.0.0.1:0", "--listen", "[::1]:0"} << "listen"
                                       << "127.0.0.1:0,[::1]:0";
    QTest::newRow("--listen ,proxy") << QStringList{"--listen", "127.0.0.1:0,proxy"} << "listen" << "127.0.0.1:0,proxy";
    QTest::newRow("--listen ipv6 ,proxy") << QStringList{"--listen", "[::1]:9, proxy"} << "listen" << "[::1]:9,proxy";
    QTest::newRow("--proxy-from default") << QStringList{} << "proxyFrom" << "127.0.0.0/8 ::1/128";
    QTest::newRow("--proxy-from") << QStringList{"--proxy-from", "10.0.0.0/8"} << "proxyFrom" << "10.0.0.0/8";
    QTest::newRow("--proxy-from repeated") << QStringList{"--proxy-from", "10.1.2.3", "--proxy-from", "2001:db8::/32"}
                                           << "proxyFrom" << "10.1.2.3/32 2001:db8::/32";
    QTest::newRow("--proxy-from host bits") << QStringList{"--proxy-from", "192.168.7.9/24"} << "proxyFrom"
                                            << "192.168.7.0/24";
    QTest::newRow("--proxy-from v4-mapped") << QStringList{"--proxy-from", "::ffff:10.0.0.0/104"} << "proxyFrom"
                                            << "10.0.0.0/8";
    QTest::newRow("--proxy-from everyone") << QStringList{"--proxy-from", "0.0.0.0/0"} << "proxyFrom" << "0.0.0.0/0";
    QTest::newRow("--handshake-timeout") << QStringList{"--handshake-timeout", "2s"} << "handshakeTimeout" << "2000";
    QTest::newRow("--handshake-timeout default") << QStringList{} << "handshakeTimeout" << "10000";
    QTest::newRow("--listen ,tls with files") << QStringList{"--listen", "127.0.0.1:0,tls", "--tls-cert", "c.pem", "--tls-key", "k.pem"}
                                             << "listen" << "127.0.0.1:0,tls";
    QTest::newRow("--tls-cert") << QStringList{"--tls-cert", "/etc/vigil/cert.pem"} << "tlsCert" << "/etc/vigil/cert.pem";
    QTest::newRow("--tls-key") << QStringList{"--tls-key", "/etc/vigil/key.pem"} << "tlsKey" << "/etc/vigil/key.pem";
    QTest::newRow("--framing legacy") << QStringList{"--framing", "legacy"} << "framing" << "legacy";
    QTest::newRow("--framing line") << QStringList{"--framing", "line"} << "framing" << "line";
    QTest::newRow("--framing raw") << QStringList{"--framing", "raw"} << "framing" << "raw";
    QTest::newRow("--policy short") << QStringList{"--policy", "short"} << "policy" << "short";
    QTest::newRow("--idle-timeout") << QStringList{"--idle-timeout", "5s"} << "idle" << "5000";
    QTest::newRow("--idle-timeout 0") << QStringList{"--idle-timeout", "0"} << "idle" << "0";
    QTest::newRow("--max-lifetime") << QStringList{"--max-lifetime", "1s"} << "lifetime" << "1000";
    QTest::newRow("--write-timeout") << QStringList{"--write-timeout", "250ms"} << "write" << "250";
    QTest::newRow("--probe-interval") << QStringList{"--probe-interval", "300ms"} << "probe" << "300";
    QTest::newRow("--min-keepalive") << QStringList{"--min-keepalive", "2s"} << "minKeepalive" << "2000";
    QTest::newRow("--max-keepalive") << QStringList{"--max-keepalive", "2m"} << "maxKeepalive" << "120000";
    QTest::newRow("--max-payload") << QStringList{"--max-payload", "64k"} << "maxPayload" << "65536";
    QTest::newRow("--max-send-buffer") << QStringList{"--max-send-buffer", "8M"} << "maxSendBuffer" << "8388608";
    QTest::newRow("--max-memory") << QStringList{"--max-memory", "512M"} << "maxMemory" << "536870912";
    QTest::newRow("--max-memory 0") << QStringList{"--max-memory", "0"} << "maxMemory" << "0";
    QTest::newRow("--max-connections") << QStringList{"--max-connections", "10"} << "maxConnections" << "10";
    QTest::newRow("--max-per-ip") << QStringList{"--max-per-ip", "2"} << "maxPerIp" << "2";
    QTest::newRow("--max-msg-rate") << QStringList{"--max-msg-rate", "100"} << "maxMsgRate" << "100";
    QTest::newRow("--lifetime-jitter") << QStringList{"--lifetime-jitter", "25"} << "lifetimeJitter" << "25";
    QTest::newRow("--lifetime-jitter 50") << QStringList{"--lifetime-jitter", "50"} << "lifetimeJitter" << "50";
    QTest::newRow("--lifetime-grace") << QStringList{"--lifetime-grace", "2s"} << "lifetimeGrace" << "2000";
    QTest::newRow("--drain-time") << QStringList{"--drain-time", "5s"} << "drainTime" << "5000";
    QTest::newRow("--frame-timeout") << QStringList{"--frame-timeout", "3s"} << "frameTimeout" << "3000";
    QTest::newRow("--min-ping-interval") << QStringList{"--min-ping-interval", "2s"} << "minPingInterval" << "2000";
    QTest::newRow("--mode sink") << QStringList{"--mode", "sink"} << "mode" << "sink";
    QTest::newRow("--mode forward") << QStringList{"--mode", "forward", "--upstream", "127.0.0.1:9000"} << "mode" << "forward";
    QTest::newRow("--upstream") << QStringList{"--mode", "forward", "--upstream", "127.0.0.1:9000"} << "upstream"
                                << "127.0.0.1:9000";
    QTest::newRow("--upstream [::1]") << QStringList{"--mode", "forward", "--upstream", "[::1]:9000"} << "upstream"
                                      << "[::1]:9000";
    QTest::newRow("--upstream localhost") << QStringList{"--mode", "forward", "--upstream", "localhost:9000"}
                                          << "upstream" << "127.0.0.1:9000";
    QTest::newRow("--upstream unix:") << QStringList{"--mode", "forward", "--upstream", "unix:/run/app.sock"}
                                      << "upstream" << "unix:/run/app.sock";
    QTest::newRow("--upstream-framing default") << QStringList{"--mode", "forward", "--upstream", "127.0.0.1:9000"}
                                                << "upstreamFraming" << "raw";
    QTest::newRow("--upstream-framing line")
        << QStringList{"--mode", "forward", "--upstream", "127.0.0.1:9000", "--upstream-framing", "line"}
        << "upstreamFraming" << "line";
    QTest::newRow("--upstream-framing vigil")
        << QStringList{"--mode", "forward", "--upstream", "127.0.0.1:9000", "--upstream-framing", "vigil"}
        << "upstreamFraming" << "vigil";
    QTest::newRow("--threads") << QStringList{"--threads", "4"} << "threads" << "4";
    QTest::newRow("--log-format json") << QStringList{"--log-format", "json"} << "logFormat" << "json";
    QTest::newRow("--log-messages") << QStringList{"--log-messages"} << "logMessages" << "true";
    QTest::newRow("--admin-previews") << QStringList{"--admin-previews"} << "adminPreviews" << "true";
    QTest::newRow("--instance-name") << QStringList{"--instance-name", "edge-7601"} << "instanceName" << "edge-7601";
    QTest::newRow("--instance-name with spaces and unicode") << QStringList{"--instance-name", "rack 3 / böx"}
                                                            << "instanceName" << "rack 3 / böx";
    QTest::newRow("--instance-name outside the BMP") << QStringList{"--instance-name", "edge-\U0001F680"}
                                                     << "instanceName" << "edge-\U0001F680";
    QTest::newRow("--instance-name 64 characters") << QStringList{"--instance-name", QString(64, QLatin1Char('n'))}
                                                   << "instanceName" << QString(64, QLatin1Char('n'));
}

void tst_CommandLine::everyFlag()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, field);
    QFETCH(QString, value);

    const ParsedCommandLine p = parse(flags);
    QVERIFY2(p.action == ParsedCommandLine::Action::Run, qPrintable(p.error));
    QCOMPARE(configField(p.config, field), value);
}

// PROTOCOL.md §5: a bad flag or value is one line naming it.
void tst_CommandLine::badValues_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("error");

    QTest::newRow("unknown flag") << QStringList{"--bogus"} << "Unknown option 'bogus'.";
    QTest::newRow("missing value") << QStringList{"--idle-timeout"} << "Missing value after '--idle-timeout'.";
    QTest::newRow("positional argument") << QStringList{"extra"} << "unexpected argument 'extra'";
    QTest::newRow("bad framing") << QStringList{"--framing", "json"}
                                 << "invalid value for --framing: 'json' (use vigil, legacy, line or raw)";
    QTest::newRow("bad policy") << QStringList{"--policy", "medium"}
                                << "invalid value for --policy: 'medium' (use long or short)";
    QTest::newRow("bad mode") << QStringList{"--mode", "loud"} << "invalid value for --mode: 'loud' (use echo, sink or forward)";
    // PROTOCOL.md §8: a missing half of the flag pair is a bad combination.
    QTest::newRow("forward without upstream") << QStringList{"--mode", "forward"}
                                              << "--mode forward needs --upstream HOST:PORT or unix:PATH";
    QTest::newRow("upstream without forward") << QStringList{"--upstream", "127.0.0.1:9000"}
                                              << "--upstream is only for --mode forward (mode is echo)";
    QTest::newRow("upstream with sink") << QStringList{"--mode", "sink", "--upstream", "127.0.0.1:9000"}
                                        << "--upstream is only for --mode forward (mode is sink)";
    QTest::newRow("upstream name") << QStringList{"--mode", "forward", "--upstream", "example.org:9000"}
                                   << "invalid value for --upstream: 'example.org:9000': 'example.org' is a host name; give an IP address or localhost";
    QTest::newRow("upstream port 0") << QStringList{"--mode", "forward", "--upstream", "127.0.0.1:0"}
                                     << "invalid value for --upstream: '127.0.0.1:0': bad port '0' (expected a number from 1 to 65535)";
    QTest::newRow("upstream empty unix") << QStringList{"--mode", "forward", "--upstream", "unix:"}
                                         << "invalid value for --upstream: 'unix:': empty socket path (expected unix:PATH)";
    QTest::newRow("bad upstream framing")
        << QStringList{"--mode", "forward", "--upstream", "127.0.0.1:9000", "--upstream-framing", "json"}
        << "invalid value for --upstream-framing: 'json' (use raw, line, legacy or vigil)";
    QTest::newRow("bad log format") << QStringList{"--log-format", "xml"}
                                    << "invalid value for --log-format: 'xml' (use text or json)";
    QTest::newRow("duration without unit") << QStringList{"--idle-timeout", "5"}
                                           << "invalid value for --idle-timeout: duration '5' needs a unit (ms, s, m or h)";
    QTest::newRow("bad duration") << QStringList{"--write-timeout", "soon"}
                                  << "invalid value for --write-timeout: invalid duration 'soon' (use e.g. 250ms, 5s, 2m, 1h)";
    QTest::newRow("bad size") << QStringList{"--max-payload", "big"}
                              << "invalid value for --max-payload: invalid size 'big' (a number of bytes, optionally with k, M or G)";
    QTest::newRow("max payload 0") << QStringList{"--max-payload", "0"}
                                   << "--max-payload must be from 1 to 268435456 bytes";
    QTest::newRow("bad count") << QStringList{"--max-connections", "many"}
                               << "invalid value for --max-connections: 'many' is not a whole number from 0 to 10000000";
    QTest::newRow("negative count") << QStringList{"--max-per-ip", "-1"}
                                    << "invalid value for --max-per-ip: '-1' is not a whole number from 0 to 10000000";
    QTest::newRow("threads 0") << QStringList{"--threads", "0"}
                               << "invalid value for --threads: '0' is not a whole number from 1 to 256";
    QTest::newRow("bad listen") << QStringList{"--listen", "nowhere"}
                                << "invalid listen address 'nowhere': missing port (expected HOST:PORT)";
    QTest::newRow("listen option unknown") << QStringList{"--listen", "127.0.0.1:5,quic"}
                                           << "invalid listen address '127.0.0.1:5,quic': unknown option 'quic' (use tls or proxy)";
    QTest::newRow("listen option twice") << QStringList{"--listen", "127.0.0.1:5,proxy,proxy"}
                                         << "invalid listen address '127.0.0.1:5,proxy,proxy': option 'proxy' given twice";
    QTest::newRow("listen twice with options") << QStringList{"--listen", "127.0.0.1:5", "--listen", "127.0.0.1:5,proxy"}
                                               << "listen address 127.0.0.1:5 given twice";
    QTest::newRow("tls without files") << QStringList{"--listen", "127.0.0.1:0,tls"}
                                       << "--listen 127.0.0.1:0,tls needs --tls-cert and --tls-key";
    QTest::newRow("tls without key") << QStringList{"--listen", "127.0.0.1:0,tls,proxy", "--tls-cert", "c.pem"}
                                     << "--listen 127.0.0.1:0,tls,proxy needs --tls-key";
    QTest::newRow("tls without cert") << QStringList{"--listen", "127.0.0.1:0,tls", "--tls-key", "k.pem"}
                                      << "--listen 127.0.0.1:0,tls needs --tls-cert";
    QTest::newRow("bad proxy-from") << QStringList{"--proxy-from", "proxy.example.org"}
                                    << "invalid value for --proxy-from: invalid proxy source 'proxy.example.org': not an IP address (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8)";
    QTest::newRow("proxy-from prefix too long") << QStringList{"--proxy-from", "10.0.0.0/33"}
                                                << "invalid value for --proxy-from: invalid proxy source '10.0.0.0/33': prefix length must be from 0 to 32";
    QTest::newRow("proxy-from v6 prefix") << QStringList{"--proxy-from", "::1/129"}
                                          << "invalid value for --proxy-from: invalid proxy source '::1/129': prefix length must be from 0 to 128";
    QTest::newRow("proxy-from empty prefix") << QStringList{"--proxy-from", "10.0.0.0/"}
                                             << "invalid value for --proxy-from: invalid proxy source '10.0.0.0/': prefix length must be from 0 to 32";
    QTest::newRow("handshake-timeout without unit") << QStringList{"--handshake-timeout", "5"}
                                                    << "invalid value for --handshake-timeout: duration '5' needs a unit (ms, s, m or h)";
    QTest::newRow("listen twice") << QStringList{"--listen", "127.0.0.1:5", "--listen", "127.0.0.1:5"}
                                  << "listen address 127.0.0.1:5 given twice";
    QTest::newRow("flag twice") << QStringList{"--idle-timeout", "1s", "--idle-timeout", "2s"}
                                << "--idle-timeout given more than once";
    QTest::newRow("config twice") << QStringList{"--config", "a.conf", "--config", "b.conf"}
                                  << "--config given more than once";
    QTest::newRow("jitter above 50") << QStringList{"--lifetime-jitter", "51"}
                                     << "invalid value for --lifetime-jitter: '51' is not a whole number from 0 to 50";
    QTest::newRow("negative jitter") << QStringList{"--lifetime-jitter", "-1"}
                                     << "invalid value for --lifetime-jitter: '-1' is not a whole number from 0 to 50";
    QTest::newRow("jitter with a percent sign") << QStringList{"--lifetime-jitter", "10%"}
                                                << "invalid value for --lifetime-jitter: '10%' is not a whole number from 0 to 50";
    QTest::newRow("grace beyond uint32 ms") << QStringList{"--lifetime-grace", "1200h"}
                                            << "--lifetime-grace must be at most 4294967295ms";
    QTest::newRow("drain beyond uint32 ms") << QStringList{"--drain-time", "1200h"}
                                            << "--drain-time must be at most 4294967295ms";
    QTest::newRow("drain without unit") << QStringList{"--drain-time", "5"}
                                        << "invalid value for --drain-time: duration '5' needs a unit (ms, s, m or h)";
    QTest::newRow("min ping interval without unit") << QStringList{"--min-ping-interval", "5"}
                                                    << "invalid value for --min-ping-interval: duration '5' needs a unit (ms, s, m or h)";
    QTest::newRow("keepalive bounds crossed") << QStringList{"--min-keepalive", "2h"}
                                              << "--min-keepalive is larger than --max-keepalive";
    QTest::newRow("instance name empty") << QStringList{"--instance-name", ""}
                                         << "invalid value for --instance-name: the name is empty";
    QTest::newRow("instance name too long")
        << QStringList{"--instance-name", QString(65, QLatin1Char('n'))}
        << "invalid value for --instance-name: 'nnnnnnnnnnnnnnnn...' is 65 characters long (at most 64)";
    QTest::newRow("instance name with a newline")
        << QStringList{"--instance-name", "edge\nfake_metric 1"}
        << "invalid value for --instance-name: the name holds a non-printable character (U+000a)";
    QTest::newRow("instance name with a tab") << QStringList{"--instance-name", "a\tb"}
                                              << "invalid value for --instance-name: the name holds a non-printable character (U+0009)";
    QTest::newRow("missing config file") << QStringList{"--config", "/nonexistent/vigild.conf"}
                                         << "cannot read config file /nonexistent/vigild.conf: no such file or directory";
}

void tst_CommandLine::badValues()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, error);

    const ParsedCommandLine p = parse(flags);
    QCOMPARE(p.action, ParsedCommandLine::Action::Error);
    QCOMPARE(p.error, error);
    QVERIFY(!p.error.contains(QLatin1Char('\n')));
}

void tst_CommandLine::helpAndVersion()
{
    const ParsedCommandLine help = parse({QStringLiteral("--help")});
    QCOMPARE(help.action, ParsedCommandLine::Action::Help);
    QVERIFY(help.text.startsWith(QLatin1String("Usage: vigild [options]")));
    for (const QString &key : ServerCommandLine::keys())
        QVERIFY2(help.text.contains(QLatin1String("--") + key), qPrintable(key));
    QVERIFY(help.text.contains(QLatin1String("--config")));
    QVERIFY(help.text.contains(QLatin1String("--version")));

    QCOMPARE(parse({QStringLiteral("-h")}).action, ParsedCommandLine::Action::Help);

    const ParsedCommandLine version = parse({QStringLiteral("--version")});
    QCOMPARE(version.action, ParsedCommandLine::Action::Version);
    QCOMPARE(version.text, QStringLiteral("vigild " VIGIL_VERSION "\n"));
}

void tst_CommandLine::configFile_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");

    const QByteArray file = "# vigild test config\n[vigild]\nidle-timeout = 2s\nframing = line\n"
                            "listen = 127.0.0.1:0\nlisten = 127.0.0.1:7\nlog-messages = yes\nmax-per-ip = 3\n";
    QTest::newRow("file value") << file << QStringList{} << "idle" << "2000";
    QTest::newRow("file framing") << file << QStringList{} << "framing" << "line";
    QTest::newRow("file listen repeated") << file << QStringList{} << "listen" << "127.0.0.1:0,127.0.0.1:7";
    QTest::newRow("file bool") << file << QStringList{} << "logMessages" << "true";
    QTest::newRow("flag wins") << file << QStringList{"--idle-timeout", "300ms"} << "idle" << "300";
    QTest::newRow("flag wins for framing") << file << QStringList{"--framing", "raw"} << "framing" << "raw";
    QTest::newRow("flag --listen replaces the file's")
        << file << QStringList{"--listen", "127.0.0.1:9"} << "listen" << "127.0.0.1:9";
    QTest::newRow("listen port 0 twice") << QByteArray("listen = 127.0.0.1:0\nlisten = 127.0.0.1:0\n") << QStringList{}
                                         << "listen" << "127.0.0.1:0,127.0.0.1:0";
    QTest::newRow("untouched keys stay") << file << QStringList{"--idle-timeout", "1s"} << "maxPerIp" << "3";
    QTest::newRow("log-messages off in file") << QByteArray("log-messages = off\n") << QStringList{} << "logMessages"
                                              << "false";
    QTest::newRow("lifetime-jitter in file") << QByteArray("lifetime-jitter = 10\n") << QStringList{} << "lifetimeJitter"
                                             << "10";
    QTest::newRow("lifetime-grace in file") << QByteArray("lifetime-grace = 1s\n") << QStringList{} << "lifetimeGrace"
                                            << "1000";
    QTest::newRow("drain-time in file") << QByteArray("drain-time = 30s\n") << QStringList{} << "drainTime"
                                        << "30000";
    QTest::newRow("frame-timeout in file") << QByteArray("frame-timeout = 2s\n") << QStringList{} << "frameTimeout"
                                           << "2000";
    QTest::newRow("min-ping-interval in file") << QByteArray("min-ping-interval = 250ms\n") << QStringList{}
                                               << "minPingInterval" << "250";
    const QByteArray edge = "listen = 127.0.0.1:0,proxy\nproxy-from = 10.0.0.0/8\nproxy-from = 192.168.0.1\n"
                            "handshake-timeout = 3s\n";
    QTest::newRow("listen options in file") << edge << QStringList{} << "listen" << "127.0.0.1:0,proxy";
    QTest::newRow("proxy-from repeated in file") << edge << QStringList{} << "proxyFrom" << "10.0.0.0/8 192.168.0.1/32";
    QTest::newRow("--proxy-from replaces the file's")
        << edge << QStringList{"--proxy-from", "172.16.0.0/12"} << "proxyFrom" << "172.16.0.0/12";
    QTest::newRow("handshake-timeout in file") << edge << QStringList{} << "handshakeTimeout" << "3000";
    QTest::newRow("--log-messages wins over file")
        << QByteArray("log-messages = off\n") << QStringList{"--log-messages"} << "logMessages" << "true";
}

void tst_CommandLine::configFile()
{
    QFETCH(QByteArray, file);
    QFETCH(QStringList, flags);
    QFETCH(QString, field);
    QFETCH(QString, value);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeConfig(dir, file);
    QVERIFY(!path.isEmpty());
    const ParsedCommandLine p = parse(QStringList{QStringLiteral("--config"), path} + flags);
    QVERIFY2(p.action == ParsedCommandLine::Action::Run, qPrintable(p.error));
    QCOMPARE(configField(p.config, field), value);
}

void tst_CommandLine::configFileErrors_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("errorEnd"); // after "<path>"

    // Every mistake in the file is "FILE:LINE: what", like a compiler's.
    QTest::newRow("unknown key") << QByteArray("idle-timeout = 1s\nbogus = 1\n") << QStringList{}
                                 << ":2: unknown key 'bogus'";
    QTest::newRow("config inside config") << QByteArray("config = other.conf\n") << QStringList{}
                                          << ":1: unknown key 'config'";
    QTest::newRow("syntax") << QByteArray("idle-timeout 1s\n") << QStringList{} << ":1: expected 'key = value'";
    QTest::newRow("bad duration") << QByteArray("# limits\n\nidle-timeout = 5 seconds\n") << QStringList{}
                                  << ":3: invalid value for --idle-timeout: invalid duration '5 seconds' "
                                     "(use e.g. 250ms, 5s, 2m, 1h)";
    QTest::newRow("bad framing") << QByteArray("[vigild]\nframing = json\n") << QStringList{}
                                 << ":2: invalid value for --framing: 'json' (use vigil, legacy, line or raw)";
    QTest::newRow("bad listen") << QByteArray("listen = nowhere\n") << QStringList{}
                                << ":1: invalid listen address 'nowhere': missing port (expected HOST:PORT)";
    // The file is checked whole, also where the command line replaces it.
    QTest::newRow("bad value under a flag") << QByteArray("idle-timeout = soon\n") << QStringList{"--idle-timeout", "1s"}
                                            << ":1: invalid value for --idle-timeout: invalid duration 'soon' "
                                               "(use e.g. 250ms, 5s, 2m, 1h)";
    QTest::newRow("bad listen under --listen") << QByteArray("listen = nowhere\n") << QStringList{"--listen", "127.0.0.1:0"}
                                               << ":1: invalid listen address 'nowhere': missing port (expected HOST:PORT)";
    // As on the command line, a key that is not repeatable appears once.
    QTest::newRow("duplicate key") << QByteArray("idle-timeout = 1s\nmode = echo\nidle-timeout = 2s\n") << QStringList{}
                                   << ":3: duplicate key 'idle-timeout' (first set on line 1)";
    QTest::newRow("duplicate key, same value") << QByteArray("[vigild]\nmode = echo\n[General]\nmode = echo\n")
                                               << QStringList{} << ":4: duplicate key 'mode' (first set on line 2)";
    QTest::newRow("duplicate bool") << QByteArray("log-messages = yes\nlog-messages = no\n") << QStringList{}
                                    << ":2: duplicate key 'log-messages' (first set on line 1)";
    QTest::newRow("duplicate under a flag") << QByteArray("mode = echo\nmode = sink\n") << QStringList{"--mode", "echo"}
                                            << ":2: duplicate key 'mode' (first set on line 1)";
    QTest::newRow("same listen address twice") << QByteArray("listen = 127.0.0.1:7\n\nlisten = 127.0.0.1:7\n")
                                               << QStringList{} << ":3: listen address 127.0.0.1:7 given twice (first on line 1)";
    QByteArray nul("max-payload = 10");
    nul.append('\0');
    nul.append(" 24\n");
    QTest::newRow("NUL byte") << nul << QStringList{} << ":1: contains a NUL byte (is this a text file?)";
}

void tst_CommandLine::configFileErrors()
{
    QFETCH(QByteArray, file);
    QFETCH(QStringList, flags);
    QFETCH(QString, errorEnd);

    QTemporaryDir dir;
    const QString path = writeConfig(dir, file);
    const ParsedCommandLine p = parse(QStringList{QStringLiteral("--config"), path} + flags);
    QCOMPARE(p.action, ParsedCommandLine::Action::Error);
    QCOMPARE(p.error, path + errorEnd);
    QVERIFY(!p.error.contains(QLatin1Char('\n')));
}

// Only a regular file: a FIFO must not block vigild's start, /dev/zero
// must not fill its memory (PROTOCOL.md §5 caps the file at 1 MiB).
void tst_CommandLine::configFileMustBeRegular()
{
    QTemporaryDir dir;
    const QString fifo = dir.filePath(QStringLiteral("vigild.conf"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    for (const QString &path : {fifo, QStringLiteral("/dev/zero"), QStringLiteral("/dev/null")}) {
        const ParsedCommandLine p = parse({QStringLiteral("--config"), path});
        QCOMPARE(p.action, ParsedCommandLine::Action::Error);
        QVERIFY2(p.error.startsWith(QStringLiteral("cannot read config file %1: it is a ").arg(path)), qPrintable(p.error));
        QVERIFY2(p.error.endsWith(QLatin1String(", not a regular file")), qPrintable(p.error));
    }
}

void tst_CommandLine::keysCoverEveryValueFlag()
{
    const QStringList expected{"listen", "tls-cert", "tls-key", "proxy-from", "handshake-timeout", "framing", "policy", "idle-timeout", "max-lifetime", "write-timeout",
                               "probe-interval", "min-keepalive", "max-keepalive", "max-payload", "max-send-buffer", "max-memory",
                               "max-connections", "max-per-ip", "max-msg-rate", "lifetime-jitter",
                               "lifetime-grace", "drain-time", "frame-timeout", "min-ping-interval", "mode", "upstream", "upstream-framing", "threads", "log-format",
                               "admin", "admin-token-file", "instance-name", "log-messages", "admin-previews"};
    QCOMPARE(ServerCommandLine::keys(), expected);
}

void tst_CommandLine::extraSections()
{
    const OptionSection section{QStringLiteral("Extra options"),
                                {QCommandLineOption(QStringLiteral("shout"), QStringLiteral("Say it loud.")),
                                 QCommandLineOption(QStringLiteral("colour"),
                                                    QStringLiteral("Paint every line of the log in NAME, a colour name that "
                                                                   "the terminal knows, which wraps."),
                                                    QStringLiteral("NAME"))}};
    ServerCommandLine commandLine(QStringLiteral("vigil-monitor"), {section});
    const QString program = QStringLiteral("vigil-monitor");

    ParsedCommandLine p = commandLine.parse({program, QStringLiteral("--shout"), QStringLiteral("--colour"), QStringLiteral("red"),
                                             QStringLiteral("--threads"), QStringLiteral("2")});
    QCOMPARE(p.action, ParsedCommandLine::Action::Run);
    QCOMPARE(p.extra.size(), 2);
    QCOMPARE(p.extra.value(QStringLiteral("shout"), QStringLiteral("unset")), QString());
    QCOMPARE(p.extra.value(QStringLiteral("colour")), QStringLiteral("red"));
    QCOMPARE(p.config.threads, 2);

    p = commandLine.parse({program});
    QVERIFY(p.extra.isEmpty());

    p = commandLine.parse({program, QStringLiteral("--colour"), QStringLiteral("red"), QStringLiteral("--colour=blue")});
    QCOMPARE(p.action, ParsedCommandLine::Action::Error);
    QCOMPARE(p.error, QStringLiteral("--colour given more than once"));

    // Listed under their own heading only, after Qt's list, wrapped like it.
    const QString help = commandLine.parse({program, QStringLiteral("--help")}).text;
    const qsizetype heading = help.indexOf(QLatin1String("\nExtra options:\n"));
    QVERIFY2(heading > help.indexOf(QLatin1String("--help")), qPrintable(help));
    QCOMPARE(help.count(QLatin1String("--colour")), 1);
    QVERIFY(help.contains(QLatin1String("  --shout ")));
    QVERIFY(help.contains(QLatin1String("  --colour <NAME> ")));
    const QString block = help.mid(heading + 1, help.indexOf(QLatin1String("\n\n"), heading + 1) - heading - 1);
    const QStringList lines = block.split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 4); // heading, --shout, --colour on two lines
    for (const QString &line : lines)
        QVERIFY2(line.size() <= 79, qPrintable(line));
    const qsizetype indent = lines.at(3).size() - lines.at(3).trimmed().size(); // continued under the description
    QCOMPARE(indent, lines.at(2).indexOf(QLatin1String("Paint")));

    // vigild's own help has no such heading.
    QVERIFY(!parse({QStringLiteral("--help")}).text.contains(QLatin1String("Extra options")));
}

void tst_CommandLine::serverOptionsGiven_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<bool>("given");
    QTest::newRow("nothing") << QStringList() << false;
    QTest::newRow("--start") << QStringList{"--start"} << false;
    QTest::newRow("--headless") << QStringList{"--headless"} << false;
    QTest::newRow("value option") << QStringList{"--idle-timeout", "5s"} << true;
    QTest::newRow("flag option") << QStringList{"--log-messages"} << true;
    QTest::newRow("--start and a value") << QStringList{"--start", "--listen", "127.0.0.1:0"} << true;
}

void tst_CommandLine::serverOptionsGiven()
{
    QFETCH(QStringList, flags);
    QFETCH(bool, given);
    const ParsedCommandLine p = ServerCommandLine(QStringLiteral("vigil-monitor")).parse(QStringList{QStringLiteral("vigil-monitor")} + flags);
    QCOMPARE(p.action, ParsedCommandLine::Action::Run);
    QCOMPARE(p.serverOptionsGiven, given);
}

// A reload reports every key whose value changed (PROTOCOL.md §11): each
// key of the command line, set alone, is exactly what changedKeys names.
void tst_CommandLine::changedKeysCoverEveryKey()
{
    const QHash<QString, QString> samples{
        {"listen", "127.0.0.1:9"},       {"framing", "line"},          {"policy", "short"},
        {"idle-timeout", "5s"},          {"max-lifetime", "1s"},       {"write-timeout", "250ms"},
        {"probe-interval", "300ms"},     {"min-keepalive", "2s"},      {"max-keepalive", "2m"},
        {"max-payload", "64k"},          {"max-send-buffer", "8M"},    {"max-memory", "512M"},
        {"max-connections", "10"},       {"max-per-ip", "2"},          {"max-msg-rate", "100"},
        {"mode", "sink"},                {"threads", "4"},             {"log-format", "json"},
        {"upstream", "127.0.0.1:9000"},  {"upstream-framing", "line"},
        {"admin", "127.0.0.1:9600"},     {"admin-token-file", "/etc/vigil/token"},
        {"log-messages", "true"},        {"admin-previews", "true"},
        {"lifetime-jitter", "20"},       {"lifetime-grace", "2s"},     {"frame-timeout", "3s"},
        {"min-ping-interval", "1s"},     {"drain-time", "10s"},
        {"tls-cert", "/etc/vigil/cert.pem"}, {"tls-key", "/etc/vigil/key.pem"},
        {"proxy-from", "10.0.0.0/8"},    {"handshake-timeout", "3s"},
        {"instance-name", "edge-1"},
    };
    const ServerConfig defaults;
    QVERIFY(changedKeys(defaults, defaults).isEmpty());
    for (const QString &key : ServerCommandLine::keys()) {
        if (!samples.contains(key))
            QFAIL(qPrintable(QStringLiteral("no sample value for --%1: add one here and a row in changedKeys()").arg(key)));
        ServerConfig changed = defaults;
        QCOMPARE(ServerCommandLine::apply(changed, key, samples.value(key)), QString());
        QCOMPARE(changedKeys(defaults, changed), QStringList{key});
        QCOMPARE(changedKeys(changed, defaults), QStringList{key});
    }
}

// A reload builds the config again: the file as it reads now, the same
// flags on top, so the command line still wins.
void tst_CommandLine::rebuildReadsTheFileAgain()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeConfig(dir, "idle-timeout = 2s\nmax-per-ip = 3\nlisten = 127.0.0.1:0\n");
    QVERIFY(!path.isEmpty());
    const ParsedCommandLine p = parse({QStringLiteral("--config"), path, QStringLiteral("--max-per-ip"), QStringLiteral("5")});
    QVERIFY2(p.action == ParsedCommandLine::Action::Run, qPrintable(p.error));
    QCOMPARE(p.configFile, QFileInfo(path).absoluteFilePath());
    QCOMPARE(p.config.idleTimeoutMs, qint64(2000));
    QCOMPARE(p.config.maxPerIp, 5);

    QVERIFY(!writeConfig(dir, "idle-timeout = 7s\nmax-per-ip = 4\nlisten = 127.0.0.1:0\nlisten = 127.0.0.1:9\n").isEmpty());
    QString error;
    const std::optional<ServerConfig> again = ServerCommandLine::rebuild(p, &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->idleTimeoutMs, qint64(7000));
    QCOMPARE(again->maxPerIp, 5); // the flag still wins
    QCOMPARE(again->listen.size(), 2);
    QCOMPARE(changedKeys(p.config, *again), (QStringList{"listen", "idle-timeout"}));

    // Without --config there is no file to read: the same config again.
    const ParsedCommandLine flagsOnly = parse({QStringLiteral("--idle-timeout"), QStringLiteral("3s")});
    QVERIFY(flagsOnly.configFile.isEmpty());
    const std::optional<ServerConfig> same = ServerCommandLine::rebuild(flagsOnly, &error);
    QVERIFY2(same, qPrintable(error));
    QVERIFY(changedKeys(flagsOnly.config, *same).isEmpty());
}

void tst_CommandLine::rebuildFailsOnABrokenFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeConfig(dir, "idle-timeout = 2s\n");
    const ParsedCommandLine p = parse({QStringLiteral("--config"), path});
    QVERIFY2(p.action == ParsedCommandLine::Action::Run, qPrintable(p.error));

    QVERIFY(!writeConfig(dir, "idle-timeout = 1s\nno-such-key = 1\n").isEmpty());
    QString error;
    QVERIFY(!ServerCommandLine::rebuild(p, &error));
    QCOMPARE(error, QStringLiteral("%1:2: unknown key 'no-such-key'").arg(QFileInfo(path).absoluteFilePath()));

    QVERIFY(QFile::remove(path));
    QVERIFY(!ServerCommandLine::rebuild(p, &error));
    QVERIFY2(error.contains(QFileInfo(path).absoluteFilePath()), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
