// ClosedConnectionModel: bounded to its capacity (oldest go first), found
// by id (the newest record when ids repeat), blocks that keep the model
// contract (QAbstractItemModelTester).
#include "closedconnectionmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Vigil;

class tst_ClosedConnectionModel : public QObject
{
    Q_OBJECT

private slots:
    void keepsTheNewest();
    void findsTheNewestOfAnId();
    void summaryHasDurationAndTotals();
};

namespace {
ClosedRecord record(quint64 id, CloseReason reason = CloseReason::IdleTimeout)
{
    ClosedRecord r;
    r.last.id = id;
    r.last.peer = QStringLiteral("127.0.0.1:%1").arg(40000 + id);
    r.last.acceptedAtMs = 1000;
    r.last.messagesIn = id;
    r.last.bytesIn = id * 100;
    r.reason = reason;
    r.closedAtMs = 13300;
    r.closedWallMs = 1700000000000;
    return r;
}
} // namespace

void tst_ClosedConnectionModel::keepsTheNewest()
{
    ClosedConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCapacity(100);
    for (quint64 block = 0; block < 7; ++block) {
        QVector<ClosedRecord> records;
        for (quint64 i = 1; i <= 30; ++i)
            records.append(record(block * 30 + i));
        model.add(records);
    }
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.recordAt(0)->last.id, quint64(111));
    QCOMPARE(model.recordAt(99)->last.id, quint64(210));
    QVERIFY(!model.recordFor(110));
    QVERIFY(model.recordFor(111));
    QCOMPARE(ClosedConnectionModel::DefaultCapacity, 10000);
}

void tst_ClosedConnectionModel::findsTheNewestOfAnId()
{
    // A restarted vigild numbers its connections afresh.
    ClosedConnectionModel model;
    model.add({record(1, CloseReason::IdleTimeout)});
    model.add({record(1, CloseReason::Kicked)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.recordFor(1)->reason, CloseReason::Kicked);
    model.setCapacity(1);
    QCOMPARE(model.recordFor(1)->reason, CloseReason::Kicked);
}

void tst_ClosedConnectionModel::summaryHasDurationAndTotals()
{
    ClosedConnectionModel model;
    model.add({record(5)});
    QCOMPARE(ClosedConnectionModel::summary(*model.recordAt(0)),
             QStringLiteral("idle-timeout · after 12.3 s · msgs 5 in / 0 out · 500 B in / 0 B out"));
    QCOMPARE(model.index(0, ClosedConnectionModel::DurationColumn).data().toString(), QStringLiteral("12.3 s"));
    QCOMPARE(model.index(0, ClosedConnectionModel::ReasonColumn).data().toString(), QStringLiteral("idle-timeout"));
}

QTEST_MAIN(tst_ClosedConnectionModel)
#include "tst_closedconnectionmodel.moc"
