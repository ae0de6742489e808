// Flag definitions and their parsing. Every error is one line naming the
// flag and what would be accepted; the caller exits 2 with it.
#include "commandline.h"

#include "configfile.h"
#include "duration.h"

#include <QFileInfo>
#include <QHash>

#include <algorithm>

namespace Vigil {

namespace {
struct OptionSpec
{
    const char *name;
    const char *valueName;
    const char *help;
};

// PROTOCOL.md §5, in its order.
const OptionSpec ValueOptions[] = {
    {"listen", "HOST:PORT", "Address to listen on (repeatable; port 0 picks one); append ,tls for TLS and/or ,proxy for a PROXY header first. Default 127.0.0.1:7600."},
    {"tls-cert", "FILE", "PEM certificate chain for tls listeners (re-read on SIGHUP)."},
    {"tls-key", "FILE", "PEM private key for tls listeners (re-read on SIGHUP)."},
    {"proxy-from", "CIDR", "Sources allowed to send a PROXY header (repeatable). Default 127.0.0.0/8 and ::1."},
    {"handshake-timeout", "DUR", "PROXY header and TLS handshake must complete this long after accept. Default 10s."},
    {"framing", "NAME", "vigil, legacy, line or raw. Default vigil."},
    {"policy", "NAME", "Default policy: long (idle timeout) or short (lifetime too). Default long."},
    {"idle-timeout", "DUR", "Close after this long without a complete message. Default 30s; 0 = off."},
    {"max-lifetime", "DUR", "Close this long after accept. Default 0 (off); the short policy uses 10s."},
    {"write-timeout", "DUR", "Close a peer whose output does not drain this long. Default 10s."},
    {"probe-interval", "DUR", "vigil framing: PING a peer silent this long. Default 0 (off)."},
    {"min-keepalive", "DUR", "Smallest HELLO keepalive honoured. Default 1s."},
    {"max-keepalive", "DUR", "Largest HELLO keepalive honoured. Default 1h."},
    {"max-payload", "BYTES", "Largest accepted payload. Default 1048576."},
    {"max-send-buffer", "BYTES", "Unsent output allowed per connection. Default max(4M, 2 x max payload)."},
    {"max-memory", "BYTES", "Bytes all connections may buffer together; past it BYE server-full. Default: 1/4 of RAM; 0 = no limit."},
    {"max-connections", "N", "Refuse connections beyond N with BYE server-full. Default 0 (no limit)."},
    {"max-per-ip", "N", "Refuse a client address's connections beyond N. Default 0 (no limit)."},
    {"max-msg-rate", "N", "Close a client sending more than N messages a second. Default 0 (no limit)."},
    {"lifetime-jitter", "PCT", "Draw each connection's lifetime from [L x (1 - PCT/100), L], 0 to 50. Default 0."},
    {"lifetime-grace", "DUR", "vigil framing: at the lifetime send GOAWAY, serve on, BYE this much later. Default 0 (BYE at once)."},
    {"drain-time", "DUR", "On SIGTERM stop accepting and spread the closes over this: GOAWAY, then BYE server-shutdown. Default 0 (close at once)."},
    {"frame-timeout", "DUR", "Close a client whose started message (header, line) is not complete this long after its first byte (frame-timeout). Default 0 (off)."},
    {"min-ping-interval", "DUR", "A client PING sooner than this after its last, no DATA between, is a strike; the third closes it (too-many-pings). Default 0 (off)."},
    {"mode", "NAME", "echo (answer every DATA), sink (count only) or forward (relay to --upstream). Default echo."},
    {"upstream", "ADDRESS", "forward mode: HOST:PORT or unix:PATH of the service each client gets its own connection to."},
    {"upstream-framing", "NAME", "forward mode: raw, line, legacy or vigil on the upstream connection. Default raw."},
    {"threads", "N", "Network threads. Default: one per available core."},
    {"log-format", "NAME", "text or json (one JSON object per line). Default text."},
    {"admin", "HOST:PORT", "Serve the admin HTTP API and /metrics here. Default off; non-loopback needs a token."},
    {"admin-token-file", "FILE", "File holding the admin API's bearer token (required off loopback)."},
    {"instance-name", "NAME", "This vigild's name in /metrics (vigil_build_info) and the admin API; printable, at most 64 characters. Default: the host name."},
    {"config", "FILE", "INI file of these options (key = value); flags given here win."},
};

constexpr qsizetype HelpWidth = 79; // where QCommandLineParser wraps its descriptions

// The column where the descriptions of Qt's option list start: the first
// option line is "  --name <VALUE>   Description".
qsizetype descriptionColumn(const QString &qtOptions)
{
    const QStringList lines = qtOptions.split(QLatin1Char('\n'));
    if (lines.size() < 2)
        return 0;
    const QString &first = lines.at(1);
    qsizetype i = first.indexOf(QLatin1String("  "), 2);
    if (i < 0)
        return 0;
    while (i < first.size() && first.at(i) == QLatin1Char(' '))
        ++i;
    return i;
}

// "\nTitle:\n  --name <VALUE>  Description.\n", laid out like Qt's own list:
// descriptions from column (or further right), wrapped at HelpWidth.
QString sectionsHelpText(const QList<OptionSection> &sections, qsizetype column)
{
    QString text;
    for (const OptionSection &section : sections) {
        QStringList names;
        for (const QCommandLineOption &option : section.options) {
            QString name = QStringLiteral("--") + option.names().constFirst();
            if (!option.valueName().isEmpty())
                name += QStringLiteral(" <%1>").arg(option.valueName());
            column = std::max(column, name.size() + 4);
            names << name;
        }
        text += QStringLiteral("\n%1:\n").arg(section.title);
        for (qsizetype i = 0; i < names.size(); ++i) {
            QString line = QString(QStringLiteral("  ") + names.at(i)).leftJustified(column);
            const QStringList words = section.options.at(i).description().split(QLatin1Char(' '), Qt::SkipEmptyParts);
            bool lineHasWords = false;
            for (const QString &word : words) {
                if (lineHasWords && line.size() + 1 + word.size() > HelpWidth) {
                    text += line + QLatin1Char('\n');
                    line = QString(column, QLatin1Char(' '));
                    lineHasWords = false;
                }
                if (lineHasWords)
                    line += QLatin1Char(' ');
                line += word;
                lineHasWords = true;
            }
            text += line + QLatin1Char('\n');
        }
    }
    return text;
}

bool parseBool(const QString &value, bool *ok)
{
    const QString v = value.toLower();
    *ok = true;
    if (v == QLatin1String("true") || v == QLatin1String("yes") || v == QLatin1String("on") || v == QLatin1String("1"))
        return true;
    if (v == QLatin1String("false") || v == QLatin1String("no") || v == QLatin1String("off") || v == QLatin1String("0"))
        return false;
    *ok = false;
    return false;
}
} // namespace

ServerCommandLine::ServerCommandLine(const QString &program, const QList<OptionSection> &sections)
    : m_program(program)
    , m_sections(sections)
{
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const OptionSpec &spec : ValueOptions) {
        m_parser.addOption(QCommandLineOption(QString::fromLatin1(spec.name), QString::fromLatin1(spec.help),
                                              QString::fromLatin1(spec.valueName)));
    }
    m_parser.addOption(QCommandLineOption(QStringLiteral("log-messages"), QStringLiteral("Log every DATA message (event \"message\").")));
    m_parser.addOption(QCommandLineOption(QStringLiteral("admin-previews"),
                                          QStringLiteral("Show DATA's first bytes in the admin API (off: they can hold secrets).")));
    if (program != QLatin1String("vigild")) {
        m_parser.addOption(QCommandLineOption(QStringLiteral("headless"),
                                              QStringLiteral("Run without a window, exactly like vigild.")));
        m_parser.addOption(QCommandLineOption(QStringLiteral("start"), QStringLiteral("Start serving at once.")));
    }
    // Qt's help lists options under one heading: these get their own.
    for (const OptionSection &section : std::as_const(m_sections)) {
        for (QCommandLineOption option : section.options) {
            option.setFlags(option.flags() | QCommandLineOption::HiddenFromHelp);
            m_parser.addOption(option);
        }
    }
    m_parser.addOption(QCommandLineOption(QStringLiteral("version"), QStringLiteral("Print the version and exit.")));
    m_parser.addOption(QCommandLineOption({QStringLiteral("h"), QStringLiteral("help")},
                                          QStringLiteral("Print this help and exit.")));
}

QStringList ServerCommandLine::keys()
{
    QStringList k;
    for (const OptionSpec &spec : ValueOptions) {
        if (qstrcmp(spec.name, "config") != 0)
            k << QString::fromLatin1(spec.name);
    }
    k << QStringLiteral("log-messages") << QStringLiteral("admin-previews");
    return k;
}

QString ServerCommandLine::apply(ServerConfig &config, const QString &key, const QString &value)
{
    auto invalid = [&](const QString &why) { return QStringLiteral("invalid value for --%1: %2").arg(key, why); };
    auto duration = [&](qint64 &target) -> QString {
        QString why;
        const auto ms = parseDuration(value, &why);
        if (!ms)
            return invalid(why);
        target = *ms;
        return QString();
    };
    auto bytes = [&](qint64 &target) -> QString {
        QString why;
        const auto n = parseByteSize(value, &why);
        if (!n)
            return invalid(why);
        target = *n;
        return QString();
    };
    auto count = [&](int &target, int min, int max) -> QString {
        bool ok = false;
        const qint64 n = value.trimmed().toLongLong(&ok);
        if (!ok || n < min || n > max)
            return invalid(QStringLiteral("'%1' is not a whole number from %2 to %3").arg(value).arg(min).arg(max));
        target = int(n);
        return QString();
    };

    if (key == QLatin1String("listen")) {
        QString why;
        const auto address = ListenAddress::parseListener(value, &why);
        if (!address)
            return why;
        config.listen.append(*address);
        return QString();
    }
    if (key == QLatin1String("proxy-from")) {
        QString why;
        const auto source = ProxySource::parse(value, &why);
        if (!source)
            return invalid(why);
        if (!config.proxyFrom.contains(*source))
            config.proxyFrom.append(*source);
        return QString();
    }
    if (key == QLatin1String("tls-cert") || key == QLatin1String("tls-key")) {
        if (value.trimmed().isEmpty())
            return invalid(QStringLiteral("empty file name"));
        (key == QLatin1String("tls-cert") ? config.tlsCert : config.tlsKey) = value.trimmed();
        return QString();
    }
    if (key == QLatin1String("handshake-timeout"))
        return duration(config.handshakeTimeoutMs);
    if (key == QLatin1String("admin")) {
        QString why;
        const auto address = ListenAddress::parse(value, &why);
        if (!address)
            return invalid(why);
        config.admin = *address;
        return QString();
    }
    if (key == QLatin1String("admin-token-file")) {
        if (value.trimmed().isEmpty())
            return invalid(QStringLiteral("empty file name"));
        config.adminTokenFile = value.trimmed();
        return QString();
    }
    if (key == QLatin1String("instance-name")) {
        const QString why = ServerConfig::instanceNameError(value);
        if (!why.isEmpty())
            return invalid(why);
        config.instanceName = value;
        return QString();
    }
    if (key == QLatin1String("framing")) {
        const auto f = parseFraming(value);
        if (!f)
            return invalid(QStringLiteral("'%1' (use vigil, legacy, line or raw)").arg(value));
        config.framing = *f;
        return QString();
    }
    if (key == QLatin1String("policy")) {
        const auto p = parsePolicy(value);
        if (!p)
            return invalid(QStringLiteral("'%1' (use long or short)").arg(value));
        config.policy = *p;
        return QString();
    }
    if (key == QLatin1String("mode")) {
        const auto m = parseMode(value);
        if (!m)
            return invalid(QStringLiteral("'%1' (use echo, sink or forward)").arg(value));
        config.mode = *m;
        return QString();
    }
    if (key == QLatin1String("upstream")) {
        QString why;
        const auto address = UpstreamAddress::parse(value, &why);
        if (!address)
            return invalid(why);
        config.upstream = *address;
        return QString();
    }
    if (key == QLatin1String("upstream-framing")) {
        const auto f = parseFraming(value);
        if (!f)
            return invalid(QStringLiteral("'%1' (use raw, line, legacy or vigil)").arg(value));
        config.upstreamFraming = *f;
        return QString();
    }
    if (key == QLatin1String("log-format")) {
        const auto f = parseLogFormat(value);
        if (!f)
            return invalid(QStringLiteral("'%1' (use text or json)").arg(value));
        config.logFormat = *f;
        return QString();
    }
    if (key == QLatin1String("idle-timeout"))
        return duration(config.idleTimeoutMs);
    if (key == QLatin1String("max-lifetime"))
        return duration(config.maxLifetimeMs);
    if (key == QLatin1String("write-timeout"))
        return duration(config.writeTimeoutMs);
    if (key == QLatin1String("probe-interval"))
        return duration(config.probeIntervalMs);
    if (key == QLatin1String("min-keepalive"))
        return duration(config.minKeepaliveMs);
    if (key == QLatin1String("max-keepalive"))
        return duration(config.maxKeepaliveMs);
    if (key == QLatin1String("lifetime-jitter"))
        return count(config.lifetimeJitterPct, 0, ServerConfig::MaxLifetimeJitterPct);
    if (key == QLatin1String("lifetime-grace"))
        return duration(config.lifetimeGraceMs);
    if (key == QLatin1String("drain-time"))
        return duration(config.drainTimeMs);
    if (key == QLatin1String("frame-timeout"))
        return duration(config.frameTimeoutMs);
    if (key == QLatin1String("min-ping-interval"))
        return duration(config.minPingIntervalMs);
    if (key == QLatin1String("max-payload"))
        return bytes(config.maxPayload);
    if (key == QLatin1String("max-send-buffer"))
        return bytes(config.maxSendBuffer);
    if (key == QLatin1String("max-memory"))
        return bytes(config.maxMemory);
    if (key == QLatin1String("max-connections"))
        return count(config.maxConnections, 0, 10000000);
    if (key == QLatin1String("max-per-ip"))
        return count(config.maxPerIp, 0, 10000000);
    if (key == QLatin1String("max-msg-rate"))
        return count(config.maxMsgRate, 0, 100000000);
    if (key == QLatin1String("threads"))
        return count(config.threads, 1, 256);
    if (key == QLatin1String("log-messages")) {
        bool ok = false;
        config.logMessages = parseBool(value, &ok);
        return ok ? QString() : invalid(QStringLiteral("'%1' (use true or false)").arg(value));
    }
    if (key == QLatin1String("admin-previews")) {
        bool ok = false;
        config.adminPreviews = parseBool(value, &ok);
        return ok ? QString() : invalid(QStringLiteral("'%1' (use true or false)").arg(value));
    }
    return QStringLiteral("unknown option '%1'").arg(key);
}

bool ServerCommandLine::isRepeatable(const QString &key)
{
    return key == QLatin1String("listen") || key == QLatin1String("proxy-from");
}

// Every mistake is reported as "FILE:LINE: what", the line a reader opens
// the file at. Keys follow the command line's rules: known, and given once
// unless repeatable; a listen address (other than port 0) appears once.
QString ServerCommandLine::applyConfigFile(ServerConfig &config, const QString &path)
{
    QString error;
    const auto entries = ConfigFile::load(path, &error);
    if (!entries)
        return error;
    const QStringList known = keys();
    QHash<QString, int> firstLine;
    QList<int> listenLines; // the line of each entry of config.listen
    for (const ConfigEntry &e : *entries) {
        const QString at = ConfigFile::location(path, e.line) + QStringLiteral(": ");
        if (!known.contains(e.key))
            return at + QStringLiteral("unknown key '%1'").arg(e.key);
        if (!isRepeatable(e.key)) {
            const auto earlier = firstLine.constFind(e.key);
            if (earlier != firstLine.constEnd())
                return at + QStringLiteral("duplicate key '%1' (first set on line %2)").arg(e.key).arg(*earlier);
            firstLine.insert(e.key, e.line);
        }
        const QString invalid = apply(config, e.key, e.value);
        if (!invalid.isEmpty())
            return at + invalid;
        if (e.key == QLatin1String("listen")) {
            const ListenAddress &added = config.listen.constLast();
            for (qsizetype i = 0; i + 1 < config.listen.size(); ++i) {
                if (added.port != 0 && config.listen.at(i).host == added.host && config.listen.at(i).port == added.port)
                    return at + QStringLiteral("listen address %1 given twice (first on line %2)")
                                    .arg(added.toString())
                                    .arg(listenLines.at(i));
            }
            listenLines.append(e.line);
        }
    }
    return QString();
}

// The config file first, then the command line on top: flags win. The
// file is checked whole, even the keys the command line replaces.
QString ServerCommandLine::build(ServerConfig &config, const std::optional<QString> &configFile,
                                 const QList<ConfigEntry> &flags)
{
    config = ServerConfig();
    config.listen.clear();
    config.proxyFrom.clear(); // the defaults come back below when nobody gave one
    if (configFile) {
        const QString error = applyConfigFile(config, *configFile);
        if (!error.isEmpty())
            return error;
    }
    // A --listen (--proxy-from) on the command line replaces the file's.
    auto given = [&flags](const char *key) {
        return std::any_of(flags.cbegin(), flags.cend(), [key](const ConfigEntry &e) { return e.key == QLatin1String(key); });
    };
    if (given("listen"))
        config.listen.clear();
    if (given("proxy-from"))
        config.proxyFrom.clear();
    for (const ConfigEntry &flag : flags) {
        if (!isRepeatable(flag.key)) {
            const auto times = std::count_if(flags.cbegin(), flags.cend(),
                                             [&flag](const ConfigEntry &e) { return e.key == flag.key; });
            if (times > 1)
                return QStringLiteral("--%1 given more than once").arg(flag.key);
        }
        const QString error = apply(config, flag.key, flag.value);
        if (!error.isEmpty())
            return error;
    }
    if (config.listen.isEmpty())
        config.listen.append(ListenAddress());
    if (config.proxyFrom.isEmpty())
        config.proxyFrom = ServerConfig::defaultProxyFrom();
    return config.validate();
}

std::optional<ServerConfig> ServerCommandLine::rebuild(const ParsedCommandLine &parsed, QString *error)
{
    ServerConfig config;
    const std::optional<QString> file =
        parsed.configFile.isEmpty() ? std::nullopt : std::optional<QString>(parsed.configFile);
    const QString why = build(config, file, parsed.flags);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    // Not a flag: where this server logs stays as it started.
    config.logToStdout = parsed.config.logToStdout;
    return config;
}

QString ServerCommandLine::helpText() const
{
    // Qt's usage line names the binary's path; ours names the program.
    QString options = m_parser.helpText();
    options = options.mid(options.indexOf(QLatin1String("Options:")));
    QString text = QStringLiteral("Usage: %1 [options]\n").arg(m_program);
    text += m_program == QLatin1String("vigild")
        ? QStringLiteral("Vigil TCP server: every connection carries idle, lifetime, write and probe watchdogs.\n\n")
        : QStringLiteral("Vigil monitor: run a Vigil server and watch every connection's watchdogs.\n\n");
    text += options;
    text += sectionsHelpText(m_sections, descriptionColumn(options));
    text += QStringLiteral(
        "\nDurations (DUR) take a unit: 250ms, 5s, 2m, 1h, 1m30s; 0 turns a timer off.\n"
        "Sizes (BYTES) are bytes, or with k, M, G (powers of 1024).\n"
        "\nOutput: one line per listener, \"listening on HOST:PORT framing=NAME\", then one\n"
        "line per event (connected, hello, message, timeout, rejected, closed, stopped);\n"
        "--log-format json makes each a JSON object with \"ts\" and \"event\".\n"
        "\nSIGINT/SIGTERM: stop accepting, BYE server-shutdown to every client, exit 0 within 2 s.\n"
        "SIGHUP: read --config again and apply it, flags still winning (event reloaded\n"
        "or reload-failed); timers and limits apply to open connections too.\n"
        "Exit status: 0 stopped by a signal, 1 cannot listen, 2 bad flag or value.\n");
    return text;
}

ParsedCommandLine ServerCommandLine::parse(const QStringList &arguments)
{
    ParsedCommandLine result;
    auto fail = [&result](const QString &error) {
        result.action = ParsedCommandLine::Action::Error;
        result.error = error;
        return result;
    };
    if (!m_parser.parse(arguments))
        return fail(m_parser.errorText());
    if (m_parser.isSet(QStringLiteral("help"))) {
        result.action = ParsedCommandLine::Action::Help;
        result.text = helpText();
        return result;
    }
    if (m_parser.isSet(QStringLiteral("version"))) {
        result.action = ParsedCommandLine::Action::Version;
        result.text = m_program + QLatin1Char(' ') + QStringLiteral(VIGIL_VERSION) + QLatin1Char('\n');
        return result;
    }
    if (!m_parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("unexpected argument '%1'").arg(m_parser.positionalArguments().constFirst()));

    if (m_parser.values(QStringLiteral("config")).size() > 1)
        return fail(QStringLiteral("--config given more than once"));
    QList<ConfigEntry> flags;
    for (const QString &key : keys()) {
        if (key == QLatin1String("log-messages") || key == QLatin1String("admin-previews")) {
            if (m_parser.isSet(key))
                flags.append(ConfigEntry{key, QStringLiteral("true"), 0});
            continue;
        }
        const QStringList values = m_parser.values(key);
        for (const QString &value : values)
            flags.append(ConfigEntry{key, value, 0});
    }
    std::optional<QString> configFile;
    if (m_parser.isSet(QStringLiteral("config")))
        configFile = m_parser.value(QStringLiteral("config"));
    ServerConfig config;
    const QString error = build(config, configFile, flags);
    if (!error.isEmpty())
        return fail(error);
    if (configFile)
        result.configFile = QFileInfo(*configFile).absoluteFilePath(); // a reload may run after a chdir
    result.flags = flags;
    result.config = config;
    if (m_program != QLatin1String("vigild")) {
        result.start = m_parser.isSet(QStringLiteral("start"));
        result.headless = m_parser.isSet(QStringLiteral("headless"));
    }
    const QStringList serverKeys = keys() << QStringLiteral("config");
    result.serverOptionsGiven = std::any_of(serverKeys.cbegin(), serverKeys.cend(),
                                            [this](const QString &key) { return m_parser.isSet(key); });
    for (const OptionSection &section : std::as_const(m_sections)) {
        for (const QCommandLineOption &option : section.options) {
            const QString name = option.names().constFirst();
            if (!m_parser.isSet(name))
                continue;
            if (option.valueName().isEmpty()) {
                result.extra.insert(name, QString());
                continue;
            }
            const QStringList values = m_parser.values(name);
            if (values.size() > 1)
                return fail(QStringLiteral("--%1 given more than once").arg(name));
            result.extra.insert(name, values.constFirst());
        }
    }
    return result;
}

} // namespace Vigil
