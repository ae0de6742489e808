// vigil-client's command line (PROTOCOL.md §6): the sender form and the
// `bench` form, turned into plain option values, plus the exit codes.
#pragma once

#include "framing.h"
#include "policy.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace Vigil {

// Exit codes of vigil-client (also listed in --help).
enum class ClientExit : int {
    Ok = 0,
    ConnectFailed = 1,  // refused, unreachable, no connection at all
    Usage = 2,          // bad flag or value
    ClosedByServer = 3, // the server ended the session before we did
};

// HOST:PORT as given to --connect; the host may be a name or an address.
struct ConnectTarget
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 7600;

    QString toString() const;
    // "127.0.0.1:7600", "localhost:7600", "[::1]:7600". Port 0 is refused.
    static std::optional<ConnectTarget> parse(const QString &text, QString *error = nullptr);
};

// The blog's sender, grown up.
struct SenderOptions
{
    ConnectTarget target;
    Framing framing = Framing::Vigil;
    int count = 5;
    qint64 intervalMs = 2000;
    QString message = QStringLiteral("This was a test for long Conn");
    qint64 heartbeatMs = 0;  // vigil framing: PING while otherwise idle
    std::optional<Policy> helloPolicy; // send HELLO first when set
    std::optional<qint64> helloKeepaliveMs;
    qint64 waitMs = 0;       // stay connected and silent after the last message
    bool quiet = false;      // no per-echo lines
    bool reconnect = false;  // after a GOAWAY: finish, reconnect, go on sending
    // PROTOCOL.md §9: TLS to a ,tls listener. The server's certificate is
    // checked against the system's CAs, or only caFile's; insecure: not at all.
    bool tls = false;
    QString caFile;
    bool insecure = false;
};

enum class BenchMode : quint8 { RequestResponse, Hold, Churn };
QString benchModeName(BenchMode mode);
std::optional<BenchMode> parseBenchMode(const QString &name);

// `vigil-client bench`: a load generator for loopback targets only.
struct BenchOptions
{
    static constexpr int MaxSources = 250;

    ConnectTarget target;
    Framing framing = Framing::Vigil;
    BenchMode mode = BenchMode::RequestResponse;
    int connections = 0;
    int inflight = 1;
    qint64 payload = 64;
    qint64 durationMs = 5000;
    qint64 warmupMs = 1000;
    double rate = 0;          // rr: messages/s cap (0 = closed loop); churn: connects/s
    int sources = 1;          // 127.0.0.1 .. 127.0.0.K
    qint64 heartbeatMs = 0;   // hold: default 2 s
    int threads = 1;
    int dialConcurrency = 256; // connects in progress at once
    qint64 busyPollUs = 0;     // rr: poll this long before sleeping in epoll_wait
    bool reconnect = false;    // rr, hold: a connection closed after its GOAWAY is dialled again
    bool tls = false;          // rr, hold: TLS to a ,tls listener (certificate not checked: loopback only)
    bool json = false;
};

struct ParsedClientCommandLine
{
    enum class Action { Send, Bench, Help, Version, Error };
    Action action = Action::Send;
    SenderOptions sender;
    BenchOptions bench;
    QString error; // one line, for Action::Error
    QString text;  // help or version text
};

class ClientCommandLine final
{
public:
    // arguments[0] is the program name, as QCoreApplication::arguments() gives it.
    static ParsedClientCommandLine parse(const QStringList &arguments);
    static QString helpText();
    // The long names each form takes, from the table help and parser share.
    static QStringList senderOptionNames();
    static QStringList benchOptionNames();
    static QString versionText();
    // True for 127.0.0.0/8, ::1 and "localhost": bench never leaves the box.
    static bool isLoopbackHost(const QString &host);

private:
    static ParsedClientCommandLine parseSender(const QStringList &arguments);
    static ParsedClientCommandLine parseBench(const QStringList &arguments);
};

} // namespace Vigil
