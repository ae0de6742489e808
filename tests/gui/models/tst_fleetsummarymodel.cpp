// FleetSummaryModel on synthetic stats samples: rates over the window,
// the lateness p99 bucket, the Total row, down instances, restarts.
#include "fleetsummarymodel.h"

#include <QFont>
#include <QTest>

using namespace Vigil;

namespace {
ServerStats sample(qint64 atMs, quint64 open, quint64 in, quint64 out, quint64 accepted = 100)
{
    ServerStats s;
    s.sampledAtMs = atMs;
    s.open = open;
    s.messagesIn = in;
    s.messagesOut = out;
    s.accepted = accepted;
    return s;
}
} // namespace

class tst_FleetSummaryModel : public QObject
{
    Q_OBJECT

private slots:
    void rowsAndTotal();
    void ratesOverTheWindow();
    void latenessQuantile();
    void latenessP99Column();
    void timeoutsAndClosesByReason();
    void downInstanceLeavesTheTotal();
    void restartStartsTheWindowAgain();

private:
    static QString cell(const FleetSummaryModel &m, int row, int column)
    {
        return m.index(row, column).data().toString();
    }
};

void tst_FleetSummaryModel::rowsAndTotal()
{
    FleetSummaryModel m;
    m.setInstances({QStringLiteral("127.0.0.1:9601"), QStringLiteral("127.0.0.1:9602")});
    QCOMPARE(m.rowCount(), 3);
    QVERIFY(m.isTotalRow(2));
    QCOMPARE(cell(m, 0, FleetSummaryModel::InstanceColumn), QStringLiteral("127.0.0.1:9601")); // no name yet
    m.setName(0, QStringLiteral("edge-1"));
    QCOMPARE(cell(m, 0, FleetSummaryModel::InstanceColumn), QStringLiteral("edge-1"));
    QCOMPARE(cell(m, 2, FleetSummaryModel::InstanceColumn), QStringLiteral("Total"));
    m.setState(0, true, QStringLiteral("attached"));
    m.setState(1, true, QStringLiteral("attached"));
    m.addStats(0, sample(1000, 10, 0, 0));
    m.addStats(1, sample(1000, 32, 0, 0));
    QCOMPARE(cell(m, 0, FleetSummaryModel::ConnectionsColumn), QStringLiteral("10"));
    QCOMPARE(cell(m, 2, FleetSummaryModel::ConnectionsColumn), QStringLiteral("42"));
    QCOMPARE(cell(m, 2, FleetSummaryModel::StateColumn), QStringLiteral("2 of 2 up"));
    QCOMPARE(m.index(2, 0).data(Qt::FontRole).value<QFont>().bold(), true);
}

void tst_FleetSummaryModel::ratesOverTheWindow()
{
    FleetSummaryModel m;
    m.setInstances({QStringLiteral("a:1"), QStringLiteral("b:1")});
    m.setState(0, true, QString());
    m.setState(1, true, QString());
    // 100 msg/s in and 50 out on a, 10 in on b, over 4 s of samples.
    for (int t = 0; t <= 4; ++t) {
        m.addStats(0, sample(1000 * t, 5, quint64(100 * t), quint64(50 * t)));
        m.addStats(1, sample(1000 * t, 5, quint64(10 * t), 0));
    }
    QCOMPARE(cell(m, 0, FleetSummaryModel::InRateColumn), QStringLiteral("100.0"));
    QCOMPARE(cell(m, 0, FleetSummaryModel::OutRateColumn), QStringLiteral("50.0"));
    QCOMPARE(cell(m, 2, FleetSummaryModel::InRateColumn), QStringLiteral("110.0"));
    // A burst fades once it leaves the window: 10 s later at rest, 0.
    m.addStats(0, sample(5000, 5, 100000, 200));
    QVERIFY(m.index(0, FleetSummaryModel::InRateColumn).data(FleetSummaryModel::SortRole).toDouble() > 1000);
    for (int t = 6; t <= 20; ++t)
        m.addStats(0, sample(1000 * t, 5, 100000, 200));
    QCOMPARE(cell(m, 0, FleetSummaryModel::InRateColumn), QStringLiteral("0.0"));
}

void tst_FleetSummaryModel::latenessQuantile()
{
    std::array<quint64, LatenessBucketCount> b{};
    QCOMPARE(FleetSummaryModel::latenessQuantileUs(b, 0.99), qint64(-1));
    b[0] = 990; // ≤ 100 µs
    b[3] = 10;  // ≤ 1 ms
    QCOMPARE(FleetSummaryModel::latenessQuantileUs(b, 0.99), qint64(100));
    b[3] = 11;
    QCOMPARE(FleetSummaryModel::latenessQuantileUs(b, 0.99), qint64(1000));
    b = {};
    b[LatenessBucketCount - 1] = 1; // "more" than the last bound
    QVERIFY(FleetSummaryModel::latenessQuantileUs(b, 0.99) > LatenessBucketsUs.back());
}

void tst_FleetSummaryModel::latenessP99Column()
{
    FleetSummaryModel m;
    m.setInstances({QStringLiteral("a:1"), QStringLiteral("b:1")});
    m.setState(0, true, QString());
    m.setState(1, true, QString());
    ServerStats first = sample(0, 1, 0, 0);
    ServerStats second = sample(2000, 1, 0, 0);
    m.addStats(0, first);
    m.addStats(1, first);
    QCOMPARE(cell(m, 0, FleetSummaryModel::LatenessColumn), QStringLiteral("—")); // nothing fired yet
    second.lateness[1] = 50; // ≤ 250 µs
    m.addStats(0, second);
    QCOMPARE(cell(m, 0, FleetSummaryModel::LatenessColumn), QStringLiteral("≤ 250 µs"));
    ServerStats late = sample(2000, 1, 0, 0);
    late.lateness[6] = 50; // ≤ 10 ms, as many fires on b
    m.addStats(1, late);
    QCOMPARE(cell(m, 1, FleetSummaryModel::LatenessColumn), QStringLiteral("≤ 10 ms"));
    // The Total merges the histograms: half the fires late, so p99 is b's.
    QCOMPARE(cell(m, 2, FleetSummaryModel::LatenessColumn), QStringLiteral("≤ 10 ms"));
}

void tst_FleetSummaryModel::timeoutsAndClosesByReason()
{
    FleetSummaryModel m;
    m.setInstances({QStringLiteral("a:1")});
    m.setState(0, true, QString());
    ServerStats s = sample(0, 1, 0, 0);
    s.timeouts[size_t(TimeoutKind::Idle)] = 10;
    s.timeouts[size_t(TimeoutKind::Write)] = 2;
    s.closes[size_t(closeReasonIndex(CloseReason::IdleTimeout))] = 10;
    s.closes[size_t(closeReasonIndex(CloseReason::ClientClosed))] = 1200;
    s.closes[size_t(closeReasonIndex(CloseReason::Kicked))] = 3;
    m.addStats(0, s);
    QCOMPARE(cell(m, 0, FleetSummaryModel::TimeoutsColumn), QStringLiteral("12 (idle 10, write 2)"));
    QCOMPARE(cell(m, 0, FleetSummaryModel::ClosesColumn), QStringLiteral("1,213 (client-closed 1,200, idle-timeout 10)"));
    const QString tip = m.index(0, FleetSummaryModel::ClosesColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("kicked: 3")), qPrintable(tip));
}

void tst_FleetSummaryModel::downInstanceLeavesTheTotal()
{
    FleetSummaryModel m;
    m.setInstances({QStringLiteral("a:1"), QStringLiteral("b:1")});
    m.setState(0, true, QString());
    m.setState(1, true, QString());
    m.addStats(0, sample(0, 7, 0, 0));
    m.addStats(1, sample(0, 5, 0, 0));
    QCOMPARE(cell(m, 2, FleetSummaryModel::ConnectionsColumn), QStringLiteral("12"));
    m.setState(1, false, QStringLiteral("connection lost — retrying in 1 s"));
    QCOMPARE(cell(m, 1, FleetSummaryModel::StateColumn), QStringLiteral("down: connection lost — retrying in 1 s"));
    QCOMPARE(cell(m, 1, FleetSummaryModel::ConnectionsColumn), QStringLiteral("—"));
    QCOMPARE(m.index(1, 0).data(FleetSummaryModel::UpRole).toBool(), false);
    QVERIFY(m.index(1, FleetSummaryModel::StateColumn).data(Qt::ForegroundRole).isValid());
    QCOMPARE(cell(m, 2, FleetSummaryModel::ConnectionsColumn), QStringLiteral("7"));
    QCOMPARE(cell(m, 2, FleetSummaryModel::StateColumn), QStringLiteral("1 of 2 up"));
}

void tst_FleetSummaryModel::restartStartsTheWindowAgain()
{
    FleetSummaryModel m;
    m.setInstances({QStringLiteral("a:1")});
    m.setState(0, true, QString());
    m.addStats(0, sample(0, 1, 1000, 0, 50));
    m.addStats(0, sample(1000, 1, 2000, 0, 50));
    QCOMPARE(cell(m, 0, FleetSummaryModel::InRateColumn), QStringLiteral("1000.0"));
    // The counters went back (a new vigild run): no negative rate.
    m.addStats(0, sample(2000, 1, 10, 0, 1));
    QCOMPARE(cell(m, 0, FleetSummaryModel::InRateColumn), QStringLiteral("0.0"));
    m.addStats(0, sample(3000, 1, 30, 0, 1));
    QCOMPARE(cell(m, 0, FleetSummaryModel::InRateColumn), QStringLiteral("20.0"));
}

QTEST_MAIN(tst_FleetSummaryModel)
#include "tst_fleetsummarymodel.moc"
