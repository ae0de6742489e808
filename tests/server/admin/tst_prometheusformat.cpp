// The /metrics body: every family with HELP and TYPE, counters from
// ServerStats, a cumulative lateness histogram.
#include "prometheusformat.h"

#include <QTest>

using namespace Vigil;

class TestPrometheusFormat : public QObject
{
    Q_OBJECT

private:
    static bool hasLine(const QByteArray &text, const QByteArray &line)
    {
        return text.split('\n').contains(line);
    }

private slots:
    void familiesHaveHelpAndType_data()
    {
        QTest::addColumn<QByteArray>("family");
        QTest::addColumn<QByteArray>("type");
        QTest::newRow("open") << QByteArray("vigil_connections_open") << QByteArray("gauge");
        QTest::newRow("accepted") << QByteArray("vigil_connections_accepted_total") << QByteArray("counter");
        QTest::newRow("rejected") << QByteArray("vigil_connections_rejected_total") << QByteArray("counter");
        QTest::newRow("messages") << QByteArray("vigil_messages_total") << QByteArray("counter");
        QTest::newRow("bytes") << QByteArray("vigil_bytes_total") << QByteArray("counter");
        QTest::newRow("closes") << QByteArray("vigil_closes_total") << QByteArray("counter");
        QTest::newRow("timeouts") << QByteArray("vigil_timeouts_total") << QByteArray("counter");
        QTest::newRow("lateness") << QByteArray("vigil_watchdog_lateness_seconds") << QByteArray("histogram");
        QTest::newRow("buffered") << QByteArray("vigil_buffered_bytes") << QByteArray("gauge");
        QTest::newRow("buffered limit") << QByteArray("vigil_buffered_bytes_limit") << QByteArray("gauge");
        QTest::newRow("log lines dropped") << QByteArray("vigil_log_lines_dropped_total") << QByteArray("counter");
        QTest::newRow("poll failures") << QByteArray("vigil_poll_failures_total") << QByteArray("counter");
        QTest::newRow("reloads") << QByteArray("vigil_reloads_total") << QByteArray("counter");
        QTest::newRow("upstream failures") << QByteArray("vigil_upstream_failures_total") << QByteArray("counter");
    }

    void familiesHaveHelpAndType()
    {
        QFETCH(QByteArray, family);
        QFETCH(QByteArray, type);
        const QByteArray text = prometheusMetrics(ServerStats());
        QVERIFY(text.contains(QByteArray("\n# HELP " + family + ' ')));
        QVERIFY2(hasLine(text, QByteArray("# TYPE " + family + ' ' + type)), text.constData());
    }

    void countersCarryTheStats()
    {
        ServerStats s;
        s.open = 3;
        s.accepted = 10;
        s.rejected = 2;
        s.messagesIn = 7;
        s.messagesOut = 6;
        s.bytesIn = 700;
        s.bytesOut = 600;
        s.closes[size_t(closeReasonIndex(CloseReason::IdleTimeout))] = 4;
        s.closes[size_t(closeReasonIndex(CloseReason::Kicked))] = 1;
        s.timeouts[size_t(TimeoutKind::Lifetime)] = 5;
        s.bufferedBytes = 4096;
        s.memoryLimit = 1 << 30;
        s.logLinesDropped = 17;
        s.pollFailures = 2;
        s.reloads = 3;
        s.reloadFailures = 1;
        const QByteArray text = prometheusMetrics(s);
        QVERIFY(hasLine(text, "vigil_buffered_bytes 4096"));
        QVERIFY(hasLine(text, "vigil_buffered_bytes_limit 1073741824"));
        QVERIFY(hasLine(text, "vigil_log_lines_dropped_total 17"));
        QVERIFY(hasLine(text, "vigil_poll_failures_total 2"));
        QVERIFY(hasLine(text, "vigil_reloads_total{result=\"ok\"} 3"));
        QVERIFY(hasLine(text, "vigil_reloads_total{result=\"failed\"} 1"));
        QVERIFY(hasLine(text, "vigil_connections_open 3"));
        QVERIFY(hasLine(text, "vigil_connections_accepted_total 10"));
        QVERIFY(hasLine(text, "vigil_connections_rejected_total 2"));
        QVERIFY(hasLine(text, "vigil_messages_total{direction=\"in\"} 7"));
        QVERIFY(hasLine(text, "vigil_messages_total{direction=\"out\"} 6"));
        QVERIFY(hasLine(text, "vigil_bytes_total{direction=\"in\"} 700"));
        QVERIFY(hasLine(text, "vigil_bytes_total{direction=\"out\"} 600"));
        QVERIFY(hasLine(text, "vigil_closes_total{reason=\"idle-timeout\"} 4"));
        QVERIFY(hasLine(text, "vigil_closes_total{reason=\"kicked\"} 1"));
        QVERIFY(hasLine(text, "vigil_closes_total{reason=\"client-closed\"} 0"));
        QVERIFY(hasLine(text, "vigil_timeouts_total{kind=\"lifetime\"} 5"));
        QVERIFY(hasLine(text, "vigil_timeouts_total{kind=\"idle\"} 0"));
        QVERIFY(hasLine(text, "vigil_timeouts_total{kind=\"write\"} 0"));
    }

    void everyCloseReasonIsListed()
    {
        const QByteArray text = prometheusMetrics(ServerStats());
        for (int i = 0; i < CloseReasonCount; ++i) {
            const CloseReason reason = closeReasonAt(i);
            if (reason == CloseReason::None)
                continue;
            const QByteArray line = "vigil_closes_total{reason=\"" + closeReasonName(reason).toUtf8() + "\"} 0";
            QVERIFY2(hasLine(text, line), line.constData());
        }
    }

    // PROTOCOL.md §10's counters, from the start.
    void lifecycleCounters()
    {
        ServerStats s;
        s.goAways[size_t(closeReasonIndex(CloseReason::LifetimeExpired))] = 3;
        s.pingStrikes = 5;
        s.timeouts[size_t(TimeoutKind::Frame)] = 2;
        const QByteArray text = prometheusMetrics(s);
        QVERIFY(hasLine(text, "vigil_goaways_total{reason=\"lifetime-expired\"} 3"));
        QVERIFY(hasLine(text, "vigil_goaways_total{reason=\"server-shutdown\"} 0"));
        QVERIFY(!text.contains("vigil_goaways_total{reason=\"normal\"}"));
        QVERIFY(!text.contains("vigil_goaways_total{reason=\"client-closed\"}"));
        QVERIFY(hasLine(text, "vigil_ping_strikes_total 5"));
        QVERIFY(hasLine(text, "vigil_timeouts_total{kind=\"frame\"} 2"));
        QVERIFY(hasLine(text, "vigil_closes_total{reason=\"too-many-pings\"} 0"));
        QVERIFY(hasLine(text, "vigil_closes_total{reason=\"frame-timeout\"} 0"));
    }

    // PROTOCOL.md §8: forward mode's upstream failures, every cause listed.
    void upstreamFailuresByCause()
    {
        ServerStats s;
        s.upstreamFailures[size_t(UpstreamFailure::Refused)] = 4;
        s.upstreamFailures[size_t(UpstreamFailure::Stalled)] = 1;
        const QByteArray text = prometheusMetrics(s);
        QVERIFY(hasLine(text, "vigil_upstream_failures_total{cause=\"refused\"} 4"));
        QVERIFY(hasLine(text, "vigil_upstream_failures_total{cause=\"stalled\"} 1"));
        for (const UpstreamFailureInfo &info : UpstreamFailures)
            QVERIFY(text.contains(QByteArray(QByteArray("vigil_upstream_failures_total{cause=\"") + info.name + "\"}")));
    }

    void latenessHistogramIsCumulative()
    {
        ServerStats s;
        s.lateness[0] = 2;                         // <= 100 us
        s.lateness[3] = 1;                         // <= 1 ms
        s.lateness[LatenessBucketsUs.size()] = 1; // over 1 s
        s.latenessSumUs = 1500250;
        const QByteArray text = prometheusMetrics(s);
        QVERIFY(hasLine(text, "vigil_watchdog_lateness_seconds_bucket{le=\"0.0001\"} 2"));
        QVERIFY(hasLine(text, "vigil_watchdog_lateness_seconds_bucket{le=\"0.00025\"} 2"));
        QVERIFY(hasLine(text, "vigil_watchdog_lateness_seconds_bucket{le=\"0.001\"} 3"));
        QVERIFY(hasLine(text, "vigil_watchdog_lateness_seconds_bucket{le=\"1\"} 3"));
        QVERIFY(hasLine(text, "vigil_watchdog_lateness_seconds_bucket{le=\"+Inf\"} 4"));
        QVERIFY(hasLine(text, "vigil_watchdog_lateness_seconds_count 4"));
        QVERIFY(hasLine(text, "vigil_watchdog_lateness_seconds_sum 1.50025"));
    }

    // The instance name is the operator's: a quote, a backslash or a
    // newline must stay inside the label value.
    void buildInfoNamesVersionAndInstance_data()
    {
        QTest::addColumn<QString>("instance");
        QTest::addColumn<QByteArray>("label");
        QTest::newRow("plain") << QStringLiteral("edge-7601") << QByteArray("edge-7601");
        QTest::newRow("quote and backslash") << QStringLiteral("a\"b\\c") << QByteArray("a\\\"b\\\\c");
        QTest::newRow("newline") << QStringLiteral("a\nb") << QByteArray("a\\nb");
        QTest::newRow("unicode") << QStringLiteral("böx") << QByteArray("b\xc3\xb6x");
    }

    void buildInfoNamesVersionAndInstance()
    {
        QFETCH(QString, instance);
        QFETCH(QByteArray, label);
        const QByteArray text = prometheusMetrics(ServerStats(), instance);
        QVERIFY(hasLine(text, "# TYPE vigil_build_info gauge"));
        const QByteArray line = "vigil_build_info{version=\"" VIGIL_VERSION "\",instance=\"" + label + "\"} 1";
        QVERIFY2(hasLine(text, line), text.left(300).constData());
    }

    void endsWithNewline()
    {
        QVERIFY(prometheusMetrics(ServerStats()).endsWith('\n'));
    }
};

QTEST_GUILESS_MAIN(TestPrometheusFormat)
#include "tst_prometheusformat.moc"
