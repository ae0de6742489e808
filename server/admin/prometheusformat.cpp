// Prometheus text format writer. Family names and labels are part of the
// admin API (docs/admin.md): dashboards depend on them, so keep them.
#include "prometheusformat.h"

namespace Vigil {

namespace {
class MetricsWriter
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out += "# HELP ";
        m_out += name;
        m_out += ' ';
        m_out += help;
        m_out += "\n# TYPE ";
        m_out += name;
        m_out += ' ';
        m_out += type;
        m_out += '\n';
    }

    void sample(const char *name, quint64 value, const QByteArray &labels = QByteArray())
    {
        sampleText(name, QByteArray::number(value), labels);
    }

    void sampleText(const char *name, const QByteArray &value, const QByteArray &labels = QByteArray())
    {
        m_out += name;
        if (!labels.isEmpty()) {
            m_out += '{';
            m_out += labels;
            m_out += '}';
        }
        m_out += ' ';
        m_out += value;
        m_out += '\n';
    }

    QByteArray text() const { return m_out; }

private:
    QByteArray m_out;
};

// Label values are fixed names (reasons, kinds) but for the instance name,
// which an operator chooses: escape them.
QByteArray label(const char *key, const QString &value)
{
    QByteArray escaped = value.toUtf8();
    escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return QByteArray(key) + "=\"" + escaped + '"';
}

// Seconds as Prometheus floats: "0.0001", "0.25", "1".
QByteArray seconds(double value)
{
    return QByteArray::number(value, 'g', 15);
}
} // namespace

QByteArray prometheusMetrics(const ServerStats &stats, const QString &instance)
{
    MetricsWriter w;
    w.family("vigil_build_info", "gauge", "Version and --instance-name of the running vigild (always 1).");
    w.sample("vigil_build_info", 1,
             label("version", QStringLiteral(VIGIL_VERSION)) + ',' + label("instance", instance));

    w.family("vigil_connections_open", "gauge", "Connections open now.");
    w.sample("vigil_connections_open", stats.open);
    w.family("vigil_connections_accepted_total", "counter", "Connections accepted since start.");
    w.sample("vigil_connections_accepted_total", stats.accepted);
    w.family("vigil_connections_rejected_total", "counter",
             "Connections refused at accept (--max-connections, --max-per-ip).");
    w.sample("vigil_connections_rejected_total", stats.rejected);

    w.family("vigil_messages_total", "counter", "Complete messages, by direction.");
    w.sample("vigil_messages_total", stats.messagesIn, label("direction", QStringLiteral("in")));
    w.sample("vigil_messages_total", stats.messagesOut, label("direction", QStringLiteral("out")));
    w.family("vigil_bytes_total", "counter", "Bytes read from and written to clients (framing included), by direction.");
    w.sample("vigil_bytes_total", stats.bytesIn, label("direction", QStringLiteral("in")));
    w.sample("vigil_bytes_total", stats.bytesOut, label("direction", QStringLiteral("out")));

    // Every reason is present from the start, so rate() works on the first close.
    w.family("vigil_closes_total", "counter", "Closed connections, by close reason (BYE names, client-closed, reset).");
    for (int i = 0; i < CloseReasonCount; ++i) {
        const CloseReason reason = closeReasonAt(i);
        if (reason == CloseReason::None)
            continue;
        w.sample("vigil_closes_total", stats.closes[size_t(i)], label("reason", closeReasonName(reason)));
    }

    w.family("vigil_timeouts_total", "counter", "Watchdogs that fired, by kind.");
    for (const TimeoutKindInfo &info : TimeoutKinds)
        w.sample("vigil_timeouts_total", stats.timeoutsFor(info.kind), label("kind", timeoutKindName(info.kind)));

    // PROTOCOL.md §10. Every reason a BYE can carry is listed, as above.
    w.family("vigil_goaways_total", "counter", "GOAWAY frames sent, by the close reason they announce.");
    for (const CloseReasonInfo &info : CloseReasons) {
        if (info.byeCode != 0 && info.reason != CloseReason::Normal)
            w.sample("vigil_goaways_total", stats.goAwaysFor(info.reason), label("reason", closeReasonName(info.reason)));
    }
    w.family("vigil_ping_strikes_total", "counter",
             "Client PINGs sooner than --min-ping-interval after the previous one (the third closes: too-many-pings).");
    w.sample("vigil_ping_strikes_total", stats.pingStrikes);
    // PROTOCOL.md §8: every cause is listed, 0 included, as above.
    w.family("vigil_upstream_failures_total", "counter",
             "Forward mode: upstream connections that ended their client's session (BYE upstream-closed), by cause.");
    for (const UpstreamFailureInfo &info : UpstreamFailures)
        w.sample("vigil_upstream_failures_total", stats.upstreamFailuresFor(info.cause), label("cause", QLatin1String(info.name)));

    w.family("vigil_watchdog_lateness_seconds", "histogram", "How long after its deadline a watchdog fired.");
    quint64 cumulative = 0;
    for (size_t i = 0; i < LatenessBucketsUs.size(); ++i) {
        cumulative += stats.lateness[i];
        w.sample("vigil_watchdog_lateness_seconds_bucket", cumulative,
                 "le=\"" + seconds(double(LatenessBucketsUs[i]) / 1e6) + '"');
    }
    cumulative += stats.lateness[LatenessBucketsUs.size()];
    w.sample("vigil_watchdog_lateness_seconds_bucket", cumulative, "le=\"+Inf\"");
    w.sampleText("vigil_watchdog_lateness_seconds_sum", seconds(double(stats.latenessSumUs) / 1e6));
    w.sample("vigil_watchdog_lateness_seconds_count", cumulative);

    w.family("vigil_buffered_bytes", "gauge",
             "Bytes held for all connections: unfinished inbound messages and unsent output (--max-memory).");
    w.sample("vigil_buffered_bytes", quint64(stats.bufferedBytes));
    w.family("vigil_buffered_bytes_limit", "gauge", "--max-memory in force (0: no limit).");
    w.sample("vigil_buffered_bytes_limit", quint64(stats.memoryLimit));
    w.family("vigil_draining", "gauge", "1 while a drain (--drain-time, POST /api/v1/drain) closes the connections.");
    w.sample("vigil_draining", stats.draining ? 1 : 0);
    w.family("vigil_log_lines_dropped_total", "counter", "Log lines dropped because stdout did not keep up.");
    w.sample("vigil_log_lines_dropped_total", stats.logLinesDropped);
    w.family("vigil_poll_failures_total", "counter", "Connections closed because the network thread could not watch them.");
    w.sample("vigil_poll_failures_total", stats.pollFailures);
    w.family("vigil_reloads_total", "counter", "Configuration reloads (SIGHUP, POST /api/v1/reload), by result.");
    w.sample("vigil_reloads_total", stats.reloads, label("result", QStringLiteral("ok")));
    w.sample("vigil_reloads_total", stats.reloadFailures, label("result", QStringLiteral("failed")));
    return w.text();
}

} // namespace Vigil
