// RateMeter: a steady figure from counters that move in steps, 0 without
// two samples, a restart (counter back to 0) starts over.
#include "ratemeter.h"

#include <QTest>

using namespace Vigil;

class tst_RateMeter : public QObject
{
    Q_OBJECT

private slots:
    void stepsAverageOut();
    void emptyAndRestarted();
};

void tst_RateMeter::stepsAverageOut()
{
    // 100 msg/s published in one step a second, sampled every 500 ms.
    RateMeter meter;
    for (qint64 t = 0; t <= 20000; t += 500) {
        meter.add(t, quint64((t / 1000) * 100));
        if (t >= 5000)
            QCOMPARE(meter.perSecond(), 100.0);
    }
}

void tst_RateMeter::emptyAndRestarted()
{
    RateMeter meter;
    QCOMPARE(meter.perSecond(), 0.0);
    meter.add(0, 1000);
    QCOMPARE(meter.perSecond(), 0.0);
    meter.add(1000, 1010);
    QCOMPARE(meter.perSecond(), 10.0);
    meter.add(1000, 5000); // not after the last: ignored
    QCOMPARE(meter.perSecond(), 10.0);
    meter.add(2000, 3); // counters went back: a restarted server
    QCOMPARE(meter.perSecond(), 0.0);
    meter.add(3000, 8);
    QCOMPARE(meter.perSecond(), 5.0);
}

QTEST_MAIN(tst_RateMeter)
#include "tst_ratemeter.moc"
