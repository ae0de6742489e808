// StatsPanel's rates on a known steady load: counters that move in steps
// (once per publish tick), sampled on a timer that does not line up with
// the ticks, as the embedded server and an attached vigild deliver them.
#include "statspanel.h"

#include "feedtext.h"

#include <QTest>

using namespace Vigil;

class tst_StatsPanel : public QObject
{
    Q_OBJECT

private slots:
    void steadyLoadShowsItsRate_data();
    void steadyLoadShowsItsRate();
    void stoppedShowsZero();
    void oneNumberFormat();
};

namespace {
// messages in at atMs of a load of perSecond, published every tickMs.
quint64 counterAt(qint64 atMs, double perSecond, qint64 tickMs)
{
    return quint64(perSecond * double((atMs / tickMs) * tickMs) / 1000.0);
}

ServerStats sampleAt(qint64 atMs, double perSecond, qint64 tickMs)
{
    ServerStats s;
    s.sampledAtMs = 1000000 + atMs;
    s.messagesIn = counterAt(atMs, perSecond, tickMs);
    s.messagesOut = s.messagesIn;
    s.open = 500;
    return s;
}
} // namespace

void tst_StatsPanel::steadyLoadShowsItsRate_data()
{
    QTest::addColumn<double>("perSecond");
    QTest::addColumn<qint64>("tickMs");
    // 500 connections heartbeating every 2 s, counters published each second.
    QTest::newRow("250 msg/s, 1 s ticks") << 250.0 << qint64(1000);
    QTest::newRow("250 msg/s, 250 ms ticks") << 250.0 << qint64(250);
    // A steady trickle: the counter moves by 1 or 2 each tick.
    QTest::newRow("1.5 msg/s, 1 s ticks") << 1.5 << qint64(1000);
    QTest::newRow("2 msg/s, 500 ms ticks") << 2.0 << qint64(500);
}

void tst_StatsPanel::steadyLoadShowsItsRate()
{
    QFETCH(double, perSecond);
    QFETCH(qint64, tickMs);
    StatsPanel panel;
    // Samples about every 500 ms, not in step with the ticks.
    qint64 t = 0;
    for (int k = 0; t < 30000; ++k) {
        t = qint64(k) * 500 + (k % 3) * 37;
        panel.addSample(sampleAt(t, perSecond, tickMs));
        // Once the 5 s window is full, every reading is within 20 %.
        if (t < 6000)
            continue;
        const double in = panel.messagesInPerSecond();
        QVERIFY2(in >= perSecond * 0.8 && in <= perSecond * 1.2,
                 qPrintable(QStringLiteral("%1 msg/s at %2 ms, expected %3").arg(in).arg(t).arg(perSecond)));
        QVERIFY2(qAbs(panel.messagesOutPerSecond() - perSecond) <= perSecond * 0.2, qPrintable(panel.rateText()));
    }
}

void tst_StatsPanel::stoppedShowsZero()
{
    StatsPanel panel;
    for (int k = 0; k <= 20; ++k)
        panel.addSample(sampleAt(qint64(k) * 500, 250.0, 1000));
    QVERIFY(panel.messagesInPerSecond() > 200);
    panel.stop();
    QCOMPARE(panel.messagesInPerSecond(), 0.0);
    QCOMPARE(panel.rateText(), QStringLiteral("in 0.0 msg/s · out 0.0 msg/s"));
}

void tst_StatsPanel::oneNumberFormat()
{
    // "2.0" stays "2.0" and 250 reads "250.0": one format for every rate.
    QCOMPARE(FeedText::rate(2.0), QStringLiteral("2.0"));
    QCOMPARE(FeedText::rate(2.04), QStringLiteral("2.0"));
    QCOMPARE(FeedText::rate(250.0), QStringLiteral("250.0"));
    QCOMPARE(FeedText::rate(0.0), QStringLiteral("0.0"));
    StatsPanel panel;
    for (int k = 0; k <= 20; ++k)
        panel.addSample(sampleAt(qint64(k) * 500, 2.0, 500));
    QCOMPARE(panel.rateText(), QStringLiteral("in 2.0 msg/s · out 2.0 msg/s"));
}

QTEST_MAIN(tst_StatsPanel)
#include "tst_statspanel.moc"
