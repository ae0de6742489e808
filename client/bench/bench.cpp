// Bench: the coordinating thread only sleeps, counts and prints; all
// socket work happens in the BenchWorker threads.
#include "bench.h"

#include "benchworker.h"
#include "closereason.h"
#include "monotonicclock.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <memory>
#include <thread>

#include <arpa/inet.h>
#include <sys/resource.h>
#include <unistd.h>

namespace Vigil {

namespace {
// Descriptors kept free for the process itself (epoll, stdio, Qt).
constexpr int ReservedDescriptors = 64;
constexpr int TickMs = 20;
constexpr qint64 ProgressIntervalNs = 1000LL * 1000 * 1000;

double toUs(qint64 ns)
{
    return std::round(double(ns) / 100.0) / 10.0;
}

// {"refused": 3, ...} for --json; "refused 3, timed-out 1" for the table.
QJsonObject countsToJson(const QMap<QString, int> &counts)
{
    QJsonObject o;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QString countsToText(const QMap<QString, int> &counts)
{
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
    return parts.join(QStringLiteral(", "));
}

double round2(double v)
{
    return std::round(v * 100.0) / 100.0;
}

double cpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void print(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

// The loopback target as a socket address (bench never leaves the box).
bool resolveTarget(const ConnectTarget &target, BenchShared &shared, QString *error)
{
    QHostAddress address(target.host);
    if (target.host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        address = QHostAddress(QHostAddress::LocalHost);
    if (address.isNull() || !address.isLoopback()) {
        *error = QStringLiteral("refusing to load %1: bench only connects to loopback (127.0.0.0/8 or ::1)").arg(target.toString());
        return false;
    }
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4) {
        auto *sin = reinterpret_cast<sockaddr_in *>(&shared.target);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(target.port);
        sin->sin_addr.s_addr = htonl(v4);
        shared.targetLength = sizeof(sockaddr_in);
    } else {
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&shared.target);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(target.port);
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&sin6->sin6_addr, a.c, sizeof a.c);
        shared.targetLength = sizeof(sockaddr_in6);
    }
    return true;
}

// Raises the soft open-file limit to the hard one and checks that the run fits.
bool ensureDescriptors(int needed, QString *error)
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return true;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rlim_t(needed) + ReservedDescriptors > rl.rlim_cur) {
        *error = QStringLiteral("%1 connections need %2 open files, the limit is %3")
                     .arg(needed).arg(needed + ReservedDescriptors).arg(quint64(rl.rlim_cur));
        return false;
    }
    return true;
}
} // namespace

QByteArray BenchReport::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("mode"), benchModeName(mode));
    o.insert(QLatin1String("framing"), framingName(framing));
    o.insert(QLatin1String("target"), target);
    o.insert(QLatin1String("connections"), connections);
    o.insert(QLatin1String("connections_requested"), connectionsRequested);
    o.insert(QLatin1String("inflight"), inflight);
    o.insert(QLatin1String("payload"), double(payload));
    o.insert(QLatin1String("sources"), sources);
    o.insert(QLatin1String("threads"), threads);
    o.insert(QLatin1String("duration_s"), round2(durationS));
    o.insert(QLatin1String("warmup_s"), round2(warmupS));
    o.insert(QLatin1String("dial_s"), round2(dialS));
    o.insert(QLatin1String("messages"), double(messages));
    o.insert(QLatin1String("sent"), double(sent));
    o.insert(QLatin1String("msgs_per_sec"), std::round(msgsPerSec));
    o.insert(QLatin1String("rtt_p50_us"), toUs(rtt.valueAtPercentile(50)));
    o.insert(QLatin1String("rtt_p90_us"), toUs(rtt.valueAtPercentile(90)));
    o.insert(QLatin1String("rtt_p99_us"), toUs(rtt.valueAtPercentile(99)));
    o.insert(QLatin1String("rtt_p999_us"), toUs(rtt.valueAtPercentile(99.9)));
    o.insert(QLatin1String("rtt_max_us"), toUs(rtt.max()));
    o.insert(QLatin1String("rtt_mean_us"), std::round(rtt.mean() / 100.0) / 10.0);
    o.insert(QLatin1String("connect_p50_us"), toUs(connect.valueAtPercentile(50)));
    o.insert(QLatin1String("connect_p99_us"), toUs(connect.valueAtPercentile(99)));
    o.insert(QLatin1String("connect_max_us"), toUs(connect.max()));
    o.insert(QLatin1String("errors"), double(errors));
    o.insert(QLatin1String("dial_errors"), dialErrors);
    if (!dialErrorReasons.isEmpty())
        o.insert(QLatin1String("dial_error_reasons"), countsToJson(dialErrorReasons));
    o.insert(QLatin1String("closed_by_server"), closedByServer);
    o.insert(QLatin1String("goaways"), goAways);
    o.insert(QLatin1String("reconnects"), reconnects);
    if (!byeReasons.isEmpty())
        o.insert(QLatin1String("bye_reasons"), countsToJson(byeReasons));
    o.insert(QLatin1String("client_cpu_pct"), std::round(clientCpuPct * 10) / 10);
    if (mode == BenchMode::Hold) {
        o.insert(QLatin1String("stayed_open"), stayedOpen);
        o.insert(QLatin1String("heartbeat_s"), round2(heartbeatS));
    }
    if (mode == BenchMode::Churn)
        o.insert(QLatin1String("connects_per_sec"), std::round(durationS > 0 ? connections / durationS : 0));
    if (!firstError.isEmpty())
        o.insert(QLatin1String("first_error"), firstError);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString BenchReport::toTable() const
{
    auto us = [](qint64 ns) { return QString::number(toUs(ns), 'f', 1); };
    QString t;
    t += QStringLiteral("bench %1 %2 framing=%3 payload=%4 sources=%5 threads=%6\n")
             .arg(benchModeName(mode), target, framingName(framing)).arg(payload).arg(sources).arg(threads);
    t += QStringLiteral("  connections   %1 of %2 (dial %3 s, %4 failed%5)\n")
             .arg(connections).arg(connectionsRequested).arg(dialS, 0, 'f', 2).arg(dialErrors)
             .arg(dialErrorReasons.isEmpty() ? QString() : QStringLiteral(": ") + countsToText(dialErrorReasons));
    if (mode == BenchMode::RequestResponse)
        t += QStringLiteral("  in flight     %1 per connection\n").arg(inflight);
    if (mode == BenchMode::Hold)
        t += QStringLiteral("  stayed open   %1 (heartbeat every %2 s)\n").arg(stayedOpen).arg(heartbeatS, 0, 'f', 2);
    t += QStringLiteral("  messages      %1 in %2 s = %3 msgs/s\n")
             .arg(messages).arg(durationS, 0, 'f', 2).arg(msgsPerSec, 0, 'f', 0);
    t += QStringLiteral("  rtt us        p50 %1  p90 %2  p99 %3  p99.9 %4  max %5\n")
             .arg(us(rtt.valueAtPercentile(50)), us(rtt.valueAtPercentile(90)), us(rtt.valueAtPercentile(99)),
                  us(rtt.valueAtPercentile(99.9)), us(rtt.max()));
    t += QStringLiteral("  connect us    p50 %1  p99 %2  max %3\n")
             .arg(us(connect.valueAtPercentile(50)), us(connect.valueAtPercentile(99)), us(connect.max()));
    t += QStringLiteral("  errors        %1 (closed by server %2%3)%4\n")
             .arg(errors).arg(closedByServer)
             .arg(byeReasons.isEmpty() ? QString() : QStringLiteral(", BYE: ") + countsToText(byeReasons))
             .arg(firstError.isEmpty() ? QString() : QStringLiteral(", first: ") + firstError);
    if (goAways > 0 || reconnects > 0)
        t += QStringLiteral("  goaways       %1 (reconnects %2)\n").arg(goAways).arg(reconnects);
    t += QStringLiteral("  client cpu    %1 %\n").arg(clientCpuPct, 0, 'f', 1);
    return t;
}

Bench::Bench(const BenchOptions &options)
    : m_options(options)
{
}

ClientExit Bench::run(FILE *out, FILE *err)
{
    BenchShared shared;
    QString error;
    if (!resolveTarget(m_options.target, shared, &error)) {
        print(err, QStringLiteral("vigil-client: bench: %1\n").arg(error));
        return ClientExit::Usage;
    }
    const int descriptors = m_options.mode == BenchMode::Churn
        ? std::min(m_options.connections, m_options.dialConcurrency + m_options.threads)
        : m_options.connections;
    if (!ensureDescriptors(descriptors, &error)) {
        print(err, QStringLiteral("vigil-client: bench: %1\n").arg(error));
        return ClientExit::Usage;
    }
    std::signal(SIGPIPE, SIG_IGN);

    const int threads = std::max(1, std::min(m_options.threads, m_options.connections));
    std::vector<std::unique_ptr<BenchWorker>> workers;
    int first = 0;
    for (int t = 0; t < threads; ++t) {
        const int share = m_options.connections / threads + (t < m_options.connections % threads ? 1 : 0);
        workers.push_back(std::make_unique<BenchWorker>(m_options, shared, first, share, m_options.rate / threads));
        first += share;
    }
    const qint64 t0 = MonotonicClock::nowNs();
    std::vector<std::thread> running;
    for (auto &w : workers)
        running.emplace_back([worker = w.get()] { worker->run(); });

    const bool live = isatty(fileno(err));
    qint64 lastProgressNs = t0;
    quint64 lastResponses = 0;
    qint64 trafficStartNs = m_options.mode == BenchMode::Churn ? t0 : 0;
    double cpuAtStart = m_options.mode == BenchMode::Churn ? cpuSeconds() : 0;
    qint64 dialDoneNs = 0;
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(TickMs));
        const qint64 now = MonotonicClock::nowNs();
        bool allDialed = true;
        bool allFinished = true;
        int up = 0;
        quint64 responses = 0;
        quint64 errors = 0;
        for (const auto &w : workers) {
            allDialed = allDialed && w->dialDone();
            allFinished = allFinished && w->finished();
            up += w->connectedNow();
            responses += w->responsesNow();
            errors += w->errorsNow();
        }
        if (allDialed && dialDoneNs == 0)
            dialDoneNs = now;
        // Traffic starts together once every worker has dialled (rr, hold).
        if (allDialed && trafficStartNs == 0) {
            if (up == 0)
                shared.abort.store(true);
            trafficStartNs = now;
            cpuAtStart = cpuSeconds();
            shared.startNs.store(now, std::memory_order_release);
        }
        if (live && now - lastProgressNs >= ProgressIntervalNs) {
            const double rate = double(responses - lastResponses) * 1e9 / double(now - lastProgressNs);
            print(err, QStringLiteral("\rbench: %1/%2 up, %3 msgs/s, %4 errors\x1b[K")
                           .arg(up).arg(m_options.connections).arg(rate, 0, 'f', 0).arg(errors));
            lastProgressNs = now;
            lastResponses = responses;
        }
        if (allFinished)
            break;
    }
    for (auto &t : running)
        t.join();
    const qint64 endNs = MonotonicClock::nowNs();
    if (live)
        print(err, QStringLiteral("\r\x1b[K"));

    BenchReport &r = m_report;
    r.mode = m_options.mode;
    r.framing = m_options.framing;
    r.target = m_options.target.toString();
    r.connectionsRequested = m_options.connections;
    r.inflight = m_options.inflight;
    r.payload = m_options.payload;
    r.sources = m_options.sources;
    r.threads = threads;
    r.warmupS = m_options.mode == BenchMode::RequestResponse ? double(m_options.warmupMs) / 1000.0 : 0;
    r.durationS = m_options.mode == BenchMode::Churn ? double(endNs - t0) / 1e9 : double(m_options.durationMs) / 1000.0;
    r.dialS = m_options.mode == BenchMode::Churn ? 0 : double((dialDoneNs ? dialDoneNs : endNs) - t0) / 1e9;
    r.heartbeatS = double(m_options.heartbeatMs) / 1000.0;
    for (const auto &w : workers) {
        const BenchWorkerResult &wr = w->result();
        r.rtt.merge(wr.rtt);
        r.connect.merge(wr.connect);
        r.messages += wr.messages;
        r.sent += wr.sent;
        r.connections += std::max(0, wr.connected - wr.reconnects); // slots, not dials
        r.dialErrors += wr.dialFailures;
        for (const auto &[reason, count] : wr.dialFailureReasons)
            r.dialErrorReasons[reason] += count;
        r.closedByServer += wr.closedByServer;
        r.goAways += wr.goAways;
        r.reconnects += wr.reconnects;
        for (int code = 0; code < int(wr.byeReasons.size()); ++code) {
            if (wr.byeReasons[size_t(code)] == 0)
                continue;
            const auto reason = closeReasonFromByeCode(quint8(code));
            r.byeReasons[reason ? closeReasonName(*reason) : QStringLiteral("code-%1").arg(code)] += wr.byeReasons[size_t(code)];
        }
        r.stayedOpen += wr.stayedOpen;
        r.errors += wr.errors;
        if (r.firstError.isEmpty())
            r.firstError = wr.firstError;
    }
    r.msgsPerSec = r.durationS > 0 ? double(r.messages) / r.durationS : 0;
    const double wall = double(endNs - (trafficStartNs ? trafficStartNs : t0)) / 1e9;
    r.clientCpuPct = wall > 0 ? (cpuSeconds() - cpuAtStart) / wall * 100.0 : 0;

    if (r.connections == 0) {
        print(err, QStringLiteral("vigil-client: bench: cannot connect to %1: %2\n")
                       .arg(r.target, r.firstError.isEmpty() ? QStringLiteral("no connection") : r.firstError));
        return ClientExit::ConnectFailed;
    }
    if (m_options.json)
        print(out, QString::fromUtf8(r.toJson()) + QLatin1Char('\n'));
    else
        print(out, r.toTable());
    return ClientExit::Ok;
}

} // namespace Vigil
