// CountdownDelegate: the colour ramp and what a painted cell looks like.
#include "connectiontablemodel.h"
#include "countdowndelegate.h"

#include <QHeaderView>
#include <QTableView>
#include <QTest>

using namespace Vigil;

namespace {
bool isGreenish(const QColor &c) { return c.green() > c.red() + 40 && c.green() > c.blue() + 40; }
bool isReddish(const QColor &c) { return c.red() > c.green() + 80 && c.red() > c.blue() + 80; }
} // namespace

class tst_CountdownDelegate : public QObject
{
    Q_OBJECT

private slots:
    void colorRamp_data();
    void colorRamp();
    void barLengthFollowsTimeLeft();
};

void tst_CountdownDelegate::colorRamp_data()
{
    QTest::addColumn<double>("fraction");
    QTest::addColumn<QString>("expected");
    QTest::newRow("full") << 1.0 << QStringLiteral("green");
    QTest::newRow("half") << 0.5 << QStringLiteral("green");
    QTest::newRow("quarter") << 0.25 << QStringLiteral("amber");
    QTest::newRow("almost gone") << 0.02 << QStringLiteral("red");
    QTest::newRow("expired") << 0.0 << QStringLiteral("red");
    QTest::newRow("clamped below") << -1.0 << QStringLiteral("red");
}

void tst_CountdownDelegate::colorRamp()
{
    QFETCH(double, fraction);
    QFETCH(QString, expected);
    const QColor c = CountdownDelegate::colorFor(fraction);
    if (expected == QLatin1String("green"))
        QVERIFY(isGreenish(c));
    else if (expected == QLatin1String("red"))
        QVERIFY(isReddish(c));
    else
        QVERIFY2(c.red() > 180 && c.green() > 120 && c.blue() < 80, qPrintable(c.name()));
}

void tst_CountdownDelegate::barLengthFollowsTimeLeft()
{
    // Two rows: 90 % and 5 % of the idle timeout left.
    static constexpr qint64 now = 500000;
    ConnectionTableModel model;
    model.setClock([] { return now; });
    ServerBatch batch;
    for (quint64 id : {1, 2}) {
        ConnectionSnapshot s;
        s.id = id;
        s.timers.idleTimeoutMs = 10000;
        s.idleDeadlineMs = now + (id == 1 ? 9000 : 500);
        batch.updated.append(s);
    }
    model.applyBatch(batch);
    QTableView view;
    view.setModel(&model);
    view.setItemDelegateForColumn(ConnectionTableModel::IdleLeftColumn, new CountdownDelegate(&view));
    view.setColumnWidth(ConnectionTableModel::IdleLeftColumn, 200);
    view.verticalHeader()->setDefaultSectionSize(24);
    view.resize(2000, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage image = view.viewport()->grab().toImage();
    auto pixel = [&](int row, double at) {
        const QRect cell = view.visualRect(model.index(row, ConnectionTableModel::IdleLeftColumn));
        return image.pixelColor(cell.left() + 3 + int((cell.width() - 6) * at), cell.top() + 5);
    };
    // Row 1: filled (green) at 50 %; row 2: red near the start, empty at 50 %.
    QVERIFY2(isGreenish(pixel(0, 0.5)), qPrintable(pixel(0, 0.5).name()));
    QVERIFY2(isReddish(pixel(1, 0.01)), qPrintable(pixel(1, 0.01).name()));
    QVERIFY2(!isReddish(pixel(1, 0.5)), qPrintable(pixel(1, 0.5).name()));
}

QTEST_MAIN(tst_CountdownDelegate)
#include "tst_countdowndelegate.moc"
