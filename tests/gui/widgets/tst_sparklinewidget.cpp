// SparklineWidget: bounded samples, and a line drawn where the data is.
#include "sparklinewidget.h"

#include <QTest>

using namespace Vigil;

class tst_SparklineWidget : public QObject
{
    Q_OBJECT

private slots:
    void keepsTheNewestSamples();
    void paintsTheLineAtTheRight();
};

void tst_SparklineWidget::keepsTheNewestSamples()
{
    SparklineWidget line(QStringLiteral("Messages in"), Qt::darkGreen);
    line.setCapacity(5);
    for (int i = 0; i < 12; ++i)
        line.addSample(i);
    QCOMPARE(line.samples(), (QVector<double>{7, 8, 9, 10, 11}));
    line.setCapacity(3);
    QCOMPARE(line.samples(), (QVector<double>{9, 10, 11}));
    line.clear();
    QVERIFY(line.samples().isEmpty());
}

void tst_SparklineWidget::paintsTheLineAtTheRight()
{
    const QColor blue(0, 0, 255);
    SparklineWidget line(QStringLiteral("Open"), blue);
    line.setCapacity(10);
    line.resize(200, 80);
    for (int i = 0; i < 4; ++i)
        line.addSample(10); // a flat line at the top, right 3/9 of the width
    const QImage image = line.grab().toImage();
    auto bluish = [](const QColor &c) { return c.blue() > 150 && c.red() < 120 && c.green() < 120; };
    bool right = false;
    bool left = false;
    for (int y = 0; y < image.height(); ++y) {
        right = right || bluish(image.pixelColor(image.width() - 20, y));
        left = left || bluish(image.pixelColor(30, y));
    }
    QVERIFY(right);
    QVERIFY(!left); // no history yet on the left
}

QTEST_MAIN(tst_SparklineWidget)
#include "tst_sparklinewidget.moc"
