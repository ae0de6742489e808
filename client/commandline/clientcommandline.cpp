// Parses vigil-client's two command-line forms with QCommandLineParser and
// checks every value, so that main() only has to act on the result.
#include "clientcommandline.h"

#include "duration.h"
#include "hostport.h"
#include "optiontable.h"

#include <QCommandLineParser>
#include <QHostAddress>

#include <limits>

namespace Vigil {

namespace {

constexpr int MaxCount = 1000000000;
constexpr int MaxConnections = 1000000;
constexpr int MaxInflight = 65536;
constexpr qint64 MaxPayload = 64 * 1024 * 1024;
constexpr int MaxThreads = 64;
constexpr int MaxDialConcurrency = 4096;
// Durations drive QTimer, which counts in int milliseconds (about 24 days).
constexpr qint64 MaxDurationMs = std::numeric_limits<int>::max();

ParsedClientCommandLine failure(const QString &error)
{
    ParsedClientCommandLine r;
    r.action = ParsedClientCommandLine::Action::Error;
    r.error = error;
    return r;
}

// Integers in [low, high], named after their flag in the error.
std::optional<qint64> parseInteger(const QString &flag, const QString &text, qint64 low, qint64 high, QString *error)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < low || value > high) {
        *error = QStringLiteral("--%1: expected a whole number in %2..%3, got \"%4\"").arg(flag).arg(low).arg(high).arg(text);
        return std::nullopt;
    }
    return value;
}

std::optional<qint64> parseDurationFlag(const QString &flag, const QString &text, QString *error)
{
    QString why;
    const auto ms = parseDuration(text, &why);
    if (!ms || *ms < 0) {
        *error = QStringLiteral("--%1: %2").arg(flag, why.isEmpty() ? QStringLiteral("bad duration \"%1\"").arg(text) : why);
        return std::nullopt;
    }
    if (*ms > MaxDurationMs) {
        *error = QStringLiteral("--%1: %2 is longer than the longest timer (%3 days)").arg(flag, text).arg(MaxDurationMs / 86400000);
        return std::nullopt;
    }
    return ms;
}

// Options both forms share: where to connect and in which framing.
bool applyCommon(const QCommandLineParser &parser, ConnectTarget &target, Framing &framing, QString *error)
{
    if (parser.isSet(QStringLiteral("connect"))) {
        const auto t = ConnectTarget::parse(parser.value(QStringLiteral("connect")), error);
        if (!t)
            return false;
        target = *t;
    }
    if (parser.isSet(QStringLiteral("framing"))) {
        const QString name = parser.value(QStringLiteral("framing"));
        const auto f = parseFraming(name);
        if (!f) {
            *error = QStringLiteral("--framing: expected vigil, legacy, line or raw, got \"%1\"").arg(name);
            return false;
        }
        framing = *f;
    }
    return true;
}

} // namespace

QString ConnectTarget::toString() const
{
    if (host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

std::optional<ConnectTarget> ConnectTarget::parse(const QString &text, QString *error)
{
    QString why;
    const auto parsed = HostPort::parse(text, HostPortRules::connect(), &why);
    if (!parsed) {
        if (error)
            *error = QStringLiteral("--connect: invalid address \"%1\": %2").arg(text.trimmed(), why);
        return std::nullopt;
    }
    ConnectTarget t;
    t.host = parsed->host;
    t.port = parsed->port;
    return t;
}

QString benchModeName(BenchMode mode)
{
    switch (mode) {
    case BenchMode::RequestResponse: return QStringLiteral("rr");
    case BenchMode::Hold: return QStringLiteral("hold");
    case BenchMode::Churn: return QStringLiteral("churn");
    }
    return QString();
}

std::optional<BenchMode> parseBenchMode(const QString &name)
{
    for (BenchMode m : {BenchMode::RequestResponse, BenchMode::Hold, BenchMode::Churn}) {
        if (name == benchModeName(m))
            return m;
    }
    return std::nullopt;
}

bool ClientCommandLine::isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QString ClientCommandLine::versionText()
{
    return QStringLiteral("vigil-client " VIGIL_VERSION "\n");
}

namespace {

// The two forms of the command line, as OptionSpec::forms bits.
enum Form : unsigned { SenderForm = 1, BenchForm = 2 };

// Every option of both forms, in the order --help lists them. An option
// whose meaning differs between the forms has a row for each.
constexpr OptionSpec Options[] = {
    {SenderForm, "connect", "HOST:PORT", nullptr, "server address (default 127.0.0.1:7600)", false},
    {BenchForm, "connect", "HOST:PORT", nullptr, "loopback server address (default 127.0.0.1:7600)", false},
    {SenderForm, "framing", "NAME", "vigil|legacy|line|raw", "vigil (default), legacy, line or raw", false},
    {BenchForm, "framing", "NAME", "...", "vigil (default), legacy, line or raw", false},
    {SenderForm, "count", "N", nullptr, "messages to send (default 5)", false},
    {SenderForm, "interval", "DUR", nullptr, "pause between messages (default 2s)", false},
    {SenderForm, "message", "TEXT", nullptr, "message text (default \"This was a test for long Conn\")", false},
    {SenderForm, "wait", "DUR", nullptr, "after the last message stay connected this long (default 0)", false},
    {SenderForm, "heartbeat", "DUR", nullptr,
     "vigil framing: send PING when nothing was sent for DUR, count the PONGs (default 0: off)", false},
    {SenderForm, "hello", "POLICY[:KEEPALIVE]", nullptr,
     "vigil framing: send HELLO {policy, keepalive_ms} first and print the server's WELCOME JSON (e.g. long:10s)",
     false},
    {SenderForm, "quiet", nullptr, nullptr, "do not print the echoes", false},
    {SenderForm, "reconnect", nullptr, nullptr,
     "vigil framing: after the server's GOAWAY finish the current message, connect again and send the rest", false},
    {SenderForm, "tls", nullptr, nullptr, "speak TLS (to a ,tls listener); the certificate must match the host", false},
    {SenderForm, "ca", "FILE", nullptr, "--tls: trust only the PEM certificates in FILE (default: the system's)", false},
    {SenderForm, "insecure", nullptr, nullptr, "--tls: do not check the server's certificate at all", false},
    {BenchForm, "connections", "N", nullptr, "connections to open (required)", true},
    {BenchForm, "mode", "MODE", "rr|hold|churn",
     "rr: W requests in flight per connection (default); hold: open N, heartbeat every --heartbeat, count how "
     "many stay open; churn: connect, one message, close, at --rate/s",
     false},
    {BenchForm, "inflight", "W", nullptr, "rr: messages in flight per connection (default 1)", false},
    {BenchForm, "payload", "BYTES", nullptr, "payload size (default 64)", false},
    {BenchForm, "duration", "DUR", nullptr, "measured time (default 5s; churn: the longest the run may take)", false},
    {BenchForm, "warmup", "DUR", nullptr, "rr: load before the measurement starts (default 1s)", false},
    {BenchForm, "rate", "R", nullptr,
     "rr: cap on messages/s (default: closed loop); churn: cap on connections/s (default: none, only "
     "--dial-concurrency limits them)",
     false},
    {BenchForm, "sources", "K", nullptr, "connect from 127.0.0.1 .. 127.0.0.K in turn (default 1)", false},
    {BenchForm, "heartbeat", "DUR", nullptr, "hold: heartbeat interval (default 2s)", false},
    {BenchForm, "threads", "T", nullptr, "event-loop threads (default 1)", false},
    {BenchForm, "dial-concurrency", "C", nullptr, "connects in progress at once (default 256)", false},
    {BenchForm, "busy-poll", "USEC", nullptr, "rr: poll this long before sleeping (default 0: off)", false},
    {BenchForm, "reconnect", nullptr, nullptr,
     "rr, hold: dial again a connection the server closes after its GOAWAY, and count it (default: it stays closed)",
     false},
    {BenchForm, "tls", nullptr, nullptr,
     "rr, hold: TLS to a ,tls listener; the handshake counts in the connect time (certificate not checked)", false},
    {BenchForm, "json", nullptr, nullptr, "print one JSON object instead of the table", false},
};
constexpr OptionTable Table(Options);

// Builds a parser for one form that treats "-count" like "--count" and
// knows no -h/-v shortcuts: every flag is spelled out, as PROTOCOL.md lists them.
void prepare(QCommandLineParser &parser, Form form)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    Table.addTo(parser, form);
}

} // namespace

QStringList ClientCommandLine::senderOptionNames()
{
    return Table.names(SenderForm);
}

QStringList ClientCommandLine::benchOptionNames()
{
    return Table.names(BenchForm);
}

QString ClientCommandLine::helpText()
{
    QString text = QStringLiteral("Usage:\n");
    text += Table.usage(QStringLiteral("vigil-client"), SenderForm) + QLatin1Char('\n');
    text += Table.usage(QStringLiteral("vigil-client bench"), BenchForm) + QLatin1Char('\n');
    text += QStringLiteral("  vigil-client --help | --version\n");
    text += QStringLiteral(
        "\n"
        "Sender (the first form) sends --count messages \"<i> <message>\" (i from 0),\n"
        "--interval apart, and prints every echo as it arrives (\"echo: ...\"). Once\n"
        "every echo is back (it stops waiting 2 s after the last one that came) and\n"
        "--wait has passed (silent, watching for the server's close), it prints\n"
        "\"send over\" as its last line and exits 0.\n");
    text += Table.help(SenderForm);
    text += QStringLiteral(
        "\n"
        "bench drives a loopback server (127.0.0.0/8 or ::1 only) from one epoll loop\n"
        "per thread and prints a table, or with --json one JSON object with\n"
        "connections, messages, msgs_per_sec, rtt_p50_us, rtt_p99_us, rtt_max_us,\n"
        "errors and more.\n");
    text += Table.help(BenchForm);
    text += QStringLiteral(
        "\n"
        "DUR is a number with a unit: 250ms, 5s, 2m, 1h. BYTES may end in k or M.\n"
        "\n"
        "Exit codes:\n"
        "  0  done (sender: every message sent; bench: the run completed)\n"
        "  1  could not connect (refused, unreachable, no connection established)\n"
        "  2  bad flag or value\n"
        "  3  sender: the server closed the connection first (the reason is printed)\n");
    return text;
}

ParsedClientCommandLine ClientCommandLine::parse(const QStringList &arguments)
{
    for (int i = 1; i < arguments.size(); ++i) {
        const QString &a = arguments.at(i);
        if (a == QLatin1String("--help") || a == QLatin1String("-help") || a == QLatin1String("-h")) {
            ParsedClientCommandLine r;
            r.action = ParsedClientCommandLine::Action::Help;
            r.text = helpText();
            return r;
        }
        if (a == QLatin1String("--version") || a == QLatin1String("-version")) {
            ParsedClientCommandLine r;
            r.action = ParsedClientCommandLine::Action::Version;
            r.text = versionText();
            return r;
        }
    }
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("bench"))
        return parseBench(arguments);
    return parseSender(arguments);
}

ParsedClientCommandLine ClientCommandLine::parseSender(const QStringList &arguments)
{
    QCommandLineParser parser;
    prepare(parser, SenderForm);
    if (!parser.parse(arguments))
        return failure(parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return failure(QStringLiteral("unexpected argument \"%1\" (try --help)").arg(parser.positionalArguments().constFirst()));

    ParsedClientCommandLine r;
    r.action = ParsedClientCommandLine::Action::Send;
    SenderOptions &o = r.sender;
    QString error;
    if (!applyCommon(parser, o.target, o.framing, &error))
        return failure(error);
    if (parser.isSet(QStringLiteral("count"))) {
        const auto n = parseInteger(QStringLiteral("count"), parser.value(QStringLiteral("count")), 0, MaxCount, &error);
        if (!n)
            return failure(error);
        o.count = int(*n);
    }
    if (parser.isSet(QStringLiteral("interval"))) {
        const auto ms = parseDurationFlag(QStringLiteral("interval"), parser.value(QStringLiteral("interval")), &error);
        if (!ms)
            return failure(error);
        o.intervalMs = *ms;
    }
    if (parser.isSet(QStringLiteral("message")))
        o.message = parser.value(QStringLiteral("message"));
    if (o.framing == Framing::Line && o.message.contains(QLatin1Char('\n')))
        return failure(QStringLiteral("--message: line framing cannot carry a newline inside a message"));
    if (parser.isSet(QStringLiteral("wait"))) {
        const auto ms = parseDurationFlag(QStringLiteral("wait"), parser.value(QStringLiteral("wait")), &error);
        if (!ms)
            return failure(error);
        o.waitMs = *ms;
    }
    if (parser.isSet(QStringLiteral("heartbeat"))) {
        const auto ms = parseDurationFlag(QStringLiteral("heartbeat"), parser.value(QStringLiteral("heartbeat")), &error);
        if (!ms)
            return failure(error);
        if (*ms > 0 && !hasTypedFrames(o.framing))
            return failure(QStringLiteral("--heartbeat needs --framing vigil (only it has PING frames)"));
        o.heartbeatMs = *ms;
    }
    if (parser.isSet(QStringLiteral("hello"))) {
        if (!hasTypedFrames(o.framing))
            return failure(QStringLiteral("--hello needs --framing vigil (only it has HELLO frames)"));
        const QString value = parser.value(QStringLiteral("hello"));
        const int colon = value.indexOf(QLatin1Char(':'));
        const QString policyText = colon < 0 ? value : value.left(colon);
        const auto policy = parsePolicy(policyText);
        if (!policy)
            return failure(QStringLiteral("--hello: policy must be long or short, got \"%1\"").arg(policyText));
        o.helloPolicy = policy;
        if (colon >= 0) {
            const auto ms = parseDurationFlag(QStringLiteral("hello"), value.mid(colon + 1), &error);
            if (!ms)
                return failure(error);
            o.helloKeepaliveMs = *ms;
        }
    }
    o.quiet = parser.isSet(QStringLiteral("quiet"));
    o.reconnect = parser.isSet(QStringLiteral("reconnect"));
    if (o.reconnect && !hasTypedFrames(o.framing))
        return failure(QStringLiteral("--reconnect needs --framing vigil (only it has GOAWAY frames)"));
    o.tls = parser.isSet(QStringLiteral("tls"));
    o.caFile = parser.value(QStringLiteral("ca"));
    o.insecure = parser.isSet(QStringLiteral("insecure"));
    if ((parser.isSet(QStringLiteral("ca")) || o.insecure) && !o.tls)
        return failure(QStringLiteral("--%1 needs --tls").arg(o.insecure ? QStringLiteral("insecure") : QStringLiteral("ca")));
    if (o.insecure && parser.isSet(QStringLiteral("ca")))
        return failure(QStringLiteral("--ca and --insecure contradict each other"));
    return r;
}

ParsedClientCommandLine ClientCommandLine::parseBench(const QStringList &arguments)
{
    QStringList args = arguments;
    args.removeAt(1); // "bench"
    QCommandLineParser parser;
    prepare(parser, BenchForm);
    if (!parser.parse(args))
        return failure(QStringLiteral("bench: %1").arg(parser.errorText()));
    if (!parser.positionalArguments().isEmpty())
        return failure(QStringLiteral("bench: unexpected argument \"%1\" (try --help)").arg(parser.positionalArguments().constFirst()));

    ParsedClientCommandLine r;
    r.action = ParsedClientCommandLine::Action::Bench;
    BenchOptions &o = r.bench;
    QString error;
    auto fail = [&](const QString &why) { return failure(QStringLiteral("bench: %1").arg(why)); };
    if (!applyCommon(parser, o.target, o.framing, &error))
        return fail(error);
    if (!isLoopbackHost(o.target.host))
        return fail(QStringLiteral("refusing to load %1: bench only connects to loopback (127.0.0.0/8 or ::1)").arg(o.target.toString()));
    if (parser.isSet(QStringLiteral("mode"))) {
        const auto mode = parseBenchMode(parser.value(QStringLiteral("mode")));
        if (!mode)
            return fail(QStringLiteral("--mode: expected rr, hold or churn, got \"%1\"").arg(parser.value(QStringLiteral("mode"))));
        o.mode = *mode;
    }
    if (!parser.isSet(QStringLiteral("connections")))
        return fail(QStringLiteral("--connections N is required"));
    auto integer = [&](const char *flag, qint64 low, qint64 high) -> std::optional<qint64> {
        const QString name = QString::fromLatin1(flag);
        return parseInteger(name, parser.value(name), low, high, &error);
    };
    auto duration = [&](const char *flag) -> std::optional<qint64> {
        const QString name = QString::fromLatin1(flag);
        return parseDurationFlag(name, parser.value(name), &error);
    };
    if (const auto n = integer("connections", 1, MaxConnections))
        o.connections = int(*n);
    else
        return fail(error);
    if (parser.isSet(QStringLiteral("inflight"))) {
        const auto n = integer("inflight", 1, MaxInflight);
        if (!n)
            return fail(error);
        o.inflight = int(*n);
    }
    if (parser.isSet(QStringLiteral("payload"))) {
        QString why;
        const auto bytes = parseByteSize(parser.value(QStringLiteral("payload")), &why);
        if (!bytes || *bytes < 0 || *bytes > MaxPayload)
            return fail(QStringLiteral("--payload: expected 0..%1 bytes, got \"%2\"").arg(MaxPayload).arg(parser.value(QStringLiteral("payload"))));
        o.payload = *bytes;
    }
    if (o.framing == Framing::Raw && o.payload == 0)
        return fail(QStringLiteral("--payload 0 cannot be measured in raw framing (no message boundaries)"));
    if (parser.isSet(QStringLiteral("duration"))) {
        const auto ms = duration("duration");
        if (!ms)
            return fail(error);
        if (*ms <= 0)
            return fail(QStringLiteral("--duration must be more than 0"));
        o.durationMs = *ms;
    }
    if (parser.isSet(QStringLiteral("warmup"))) {
        const auto ms = duration("warmup");
        if (!ms)
            return fail(error);
        o.warmupMs = *ms;
    }
    if (parser.isSet(QStringLiteral("rate"))) {
        bool ok = false;
        const double rate = parser.value(QStringLiteral("rate")).toDouble(&ok);
        if (!ok || rate < 0 || rate > 1e9)
            return fail(QStringLiteral("--rate: expected a number >= 0, got \"%1\"").arg(parser.value(QStringLiteral("rate"))));
        o.rate = rate;
    }
    if (o.mode == BenchMode::Hold && o.rate > 0)
        return fail(QStringLiteral("--rate applies to --mode rr and churn"));
    if (parser.isSet(QStringLiteral("sources"))) {
        const auto n = integer("sources", 1, BenchOptions::MaxSources);
        if (!n)
            return fail(error);
        o.sources = int(*n);
    }
    if (o.sources > 1 && QHostAddress(o.target.host).protocol() == QAbstractSocket::IPv6Protocol)
        return fail(QStringLiteral("--sources needs an IPv4 target (127.0.0.x)"));
    if (parser.isSet(QStringLiteral("heartbeat"))) {
        const auto ms = duration("heartbeat");
        if (!ms)
            return fail(error);
        o.heartbeatMs = *ms;
    }
    if (o.mode == BenchMode::Hold && o.heartbeatMs == 0)
        o.heartbeatMs = 2000;
    if (parser.isSet(QStringLiteral("threads"))) {
        const auto n = integer("threads", 1, MaxThreads);
        if (!n)
            return fail(error);
        o.threads = int(*n);
    }
    if (parser.isSet(QStringLiteral("dial-concurrency"))) {
        const auto n = integer("dial-concurrency", 1, MaxDialConcurrency);
        if (!n)
            return fail(error);
        o.dialConcurrency = int(*n);
    }
    if (parser.isSet(QStringLiteral("busy-poll"))) {
        const auto n = integer("busy-poll", 0, 1000000);
        if (!n)
            return fail(error);
        o.busyPollUs = *n;
    }
    o.threads = std::min(o.threads, o.connections);
    o.json = parser.isSet(QStringLiteral("json"));
    o.reconnect = parser.isSet(QStringLiteral("reconnect"));
    o.tls = parser.isSet(QStringLiteral("tls"));
    if (o.tls && o.mode == BenchMode::Churn)
        return fail(QStringLiteral("--tls is for rr and hold"));
    if (o.reconnect && o.mode == BenchMode::Churn)
        return fail(QStringLiteral("--reconnect is for rr and hold: churn dials every connection anew anyway"));
    if (o.reconnect && !hasTypedFrames(o.framing))
        return fail(QStringLiteral("--reconnect needs --framing vigil (only it has GOAWAY frames)"));
    return r;
}

} // namespace Vigil
