// ConnectionTableModel on synthetic batches: the model contract
// (QAbstractItemModelTester), batching shape, full snapshots per thread,
// countdowns.
#include "connectiontablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Vigil;

namespace {
constexpr qint64 Now = 1000000;

ConnectionSnapshot snap(quint64 id, qint64 idleLeftMs = 5000, quint64 messagesIn = 0)
{
    ConnectionSnapshot s;
    s.id = id;
    s.peer = QStringLiteral("127.0.0.1:%1").arg(40000 + id);
    s.timers.idleTimeoutMs = 10000;
    s.acceptedAtMs = Now - 1000;
    s.lastActivityAtMs = Now - 1000;
    s.idleDeadlineMs = Now + idleLeftMs;
    s.messagesIn = messagesIn;
    return s;
}

ServerBatch batch(std::initializer_list<quint64> ids, int thread = 0)
{
    ServerBatch b;
    b.thread = thread;
    for (quint64 id : ids)
        b.updated.append(snap(id));
    return b;
}

QList<quint64> ids(const ConnectionTableModel &model)
{
    QList<quint64> out;
    for (int r = 0; r < model.rowCount(); ++r)
        out << model.index(r, 0).data(ConnectionTableModel::IdRole).toULongLong();
    std::sort(out.begin(), out.end());
    return out;
}
} // namespace

class tst_ConnectionTableModel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void insertsOneBlockPerBatch();
    void updatesInPlace();
    void removesClosedInRanges();
    void closedInTheSameBatchIsNotReAdded();
    void fullBatchRemovesOnlyItsThreadsMissingRows();
    void manyChangesEmitOneDataChanged();
    void countdownsFollowTheClock();
    void offTimersShowOff();
    void randomBatchesKeepTheContract();
    void equalKeysSortById();
    void closedRowsReachTheHistory();

private:
    ConnectionTableModel *m_model = nullptr;
    QAbstractItemModelTester *m_tester = nullptr;
    qint64 m_now = Now;
};

void tst_ConnectionTableModel::init()
{
    m_now = Now;
    m_model = new ConnectionTableModel;
    m_model->setClock([this] { return m_now; });
    m_tester = new QAbstractItemModelTester(m_model, QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void tst_ConnectionTableModel::cleanup()
{
    delete m_tester;
    delete m_model;
}

void tst_ConnectionTableModel::insertsOneBlockPerBatch()
{
    QSignalSpy inserted(m_model, &QAbstractItemModel::rowsInserted);
    QVERIFY(inserted.isValid());
    m_model->applyBatch(batch({1, 2, 3, 4}));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 3);
    m_model->applyBatch(batch({5, 6}));
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(m_model->rowCount(), 6);
    QCOMPARE(m_model->rowOf(6), 5);
}

void tst_ConnectionTableModel::updatesInPlace()
{
    m_model->applyBatch(batch({1, 2, 3}));
    QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(m_model, &QAbstractItemModel::rowsInserted);
    ServerBatch b;
    b.updated.append(snap(2, 5000, 42));
    m_model->applyBatch(b);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 1);
    QCOMPARE(m_model->index(1, ConnectionTableModel::MessagesInColumn).data().toString(), QStringLiteral("42"));
}

void tst_ConnectionTableModel::removesClosedInRanges()
{
    m_model->applyBatch(batch({1, 2, 3, 4, 5, 6, 7}));
    QSignalSpy removed(m_model, &QAbstractItemModel::rowsRemoved);
    ServerBatch b;
    // Rows 1,2 and 4,5,6 (ids 2,3 and 5,6,7): two ranges, highest first.
    for (quint64 id : {2, 3, 5, 6, 7})
        b.closed.append({id, CloseReason::IdleTimeout});
    b.closed.append({99, CloseReason::Normal}); // never seen: ignored
    m_model->applyBatch(b);
    QCOMPARE(removed.count(), 2);
    QCOMPARE(removed.at(0).at(1).toInt(), 4);
    QCOMPARE(removed.at(0).at(2).toInt(), 6);
    QCOMPARE(removed.at(1).at(1).toInt(), 1);
    QCOMPARE(removed.at(1).at(2).toInt(), 2);
    QCOMPARE(ids(*m_model), (QList<quint64>{1, 4}));
    QCOMPARE(m_model->rowOf(4), 1);
    QVERIFY(!m_model->snapshotFor(5));
}

// A connection that changed and closed within one tick is in both lists
// (its last snapshot says "closing"): it must not come back as a row.
void tst_ConnectionTableModel::closedInTheSameBatchIsNotReAdded()
{
    m_model->applyBatch(batch({1, 2}));
    ServerBatch b = batch({2, 3, 4});
    b.closed.append({2, CloseReason::Kicked}); // known row, updated and closed
    b.closed.append({3, CloseReason::IdleTimeout}); // new row, opened and closed
    m_model->applyBatch(b);
    QCOMPARE(ids(*m_model), (QList<quint64>{1, 4}));
    QVERIFY(!m_model->snapshotFor(2));
    QVERIFY(!m_model->snapshotFor(3));
    QCOMPARE(m_model->rowOf(4), 1);
}

void tst_ConnectionTableModel::fullBatchRemovesOnlyItsThreadsMissingRows()
{
    m_model->applyBatch(batch({1, 3, 5}, 0));
    m_model->applyBatch(batch({2, 4, 6}, 1));
    // Thread 1 lost 4 while we were not listening and opened 8.
    m_model->applyBatch([] {
        ServerBatch b = batch({2, 6, 8}, 1);
        b.full = true;
        return b;
    }());
    QCOMPARE(ids(*m_model), (QList<quint64>{1, 2, 3, 5, 6, 8}));
    // An empty full batch of thread 0 clears only thread 0's rows.
    ServerBatch empty;
    empty.full = true;
    empty.thread = 0;
    m_model->applyBatch(empty);
    QCOMPARE(ids(*m_model), (QList<quint64>{2, 6, 8}));
}

void tst_ConnectionTableModel::manyChangesEmitOneDataChanged()
{
    m_model->applyBatch(batch({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
    m_model->applyBatch(batch({1, 3, 5, 7, 9, 2}));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex(), m_model->index(0, 0));
    QCOMPARE(changed.at(0).at(1).toModelIndex(),
             m_model->index(9, ConnectionTableModel::ColumnCount - 1));
    changed.clear();
    // Few changes: one signal per contiguous range (rows 0-1, then 5).
    m_model->applyBatch(batch({1, 2, 6}));
    QCOMPARE(changed.count(), 2);
}

void tst_ConnectionTableModel::countdownsFollowTheClock()
{
    m_model->applyBatch(batch({1}));
    const QModelIndex idle = m_model->index(0, ConnectionTableModel::IdleLeftColumn);
    QCOMPARE(idle.data(ConnectionTableModel::RemainingMsRole).toLongLong(), 5000);
    QCOMPARE(idle.data(ConnectionTableModel::TotalMsRole).toLongLong(), 10000);
    QCOMPARE(idle.data().toString(), QStringLiteral("5.0 s"));
    QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
    m_now += 1500;
    m_model->refreshCountdowns();
    QVERIFY(changed.count() >= 1);
    // Only time-derived columns are repainted.
    for (const auto &args : std::as_const(changed)) {
        QVERIFY(args.at(0).toModelIndex().column() >= ConnectionTableModel::AgeColumn);
        QVERIFY(args.at(1).toModelIndex().column() != ConnectionTableModel::PreviewColumn);
    }
    QCOMPARE(idle.data(ConnectionTableModel::RemainingMsRole).toLongLong(), 3500);
    QCOMPARE(idle.data().toString(), QStringLiteral("3.5 s"));
    m_now += 10000; // past the deadline: never negative
    QCOMPARE(idle.data(ConnectionTableModel::RemainingMsRole).toLongLong(), 0);
}

void tst_ConnectionTableModel::offTimersShowOff()
{
    ServerBatch b = batch({1});
    b.updated[0].lifetimeDeadlineMs = 0;
    m_model->applyBatch(b);
    const QModelIndex lifetime = m_model->index(0, ConnectionTableModel::LifetimeLeftColumn);
    QCOMPARE(lifetime.data(ConnectionTableModel::RemainingMsRole).toLongLong(), -1);
    QCOMPARE(lifetime.data().toString(), QStringLiteral("off"));
}

void tst_ConnectionTableModel::randomBatchesKeepTheContract()
{
    // The tester checks every signal; this walks many shapes of batches.
    QSet<quint64> open;
    quint64 next = 1;
    for (int round = 0; round < 300; ++round) {
        ServerBatch b;
        b.thread = round % 3;
        b.full = round % 17 == 0;
        for (quint64 id : std::as_const(open)) {
            if (int(id % 3) != b.thread)
                continue;
            if ((id + quint64(round)) % 5 == 0)
                b.closed.append({id, CloseReason::ClientClosed});
            else if (b.full || (id + quint64(round)) % 3 == 0)
                b.updated.append(snap(id, 1000, quint64(round)));
        }
        for (const ClosedConnection &c : std::as_const(b.closed))
            open.remove(c.id);
        for (int i = 0; i < round % 4; ++i) {
            while (int(next % 3) != b.thread)
                ++next;
            b.updated.append(snap(next));
            open.insert(next++);
        }
        m_model->applyBatch(b);
        QCOMPARE(m_model->rowCount(), int(open.size()));
    }
    for (int r = 0; r < m_model->rowCount(); ++r)
        QCOMPARE(m_model->rowOf(m_model->index(r, 0).data(ConnectionTableModel::IdRole).toULongLong()), r);
}

void tst_ConnectionTableModel::equalKeysSortById()
{
    // Equal "Idle left" (within the countdown's 0.1 s) and equal counters
    // keep one order: by id, whatever order the rows arrived in.
    ServerBatch b;
    for (quint64 id : {5, 3, 9, 1}) {
        ConnectionSnapshot s = snap(id, 5000 + qint64(id % 2) * 30);
        b.updated.append(s);
    }
    m_model->applyBatch(b);
    auto lessAt = [this](int column, quint64 a, quint64 b) {
        return *m_model->lessThan(m_model->rowOf(a), m_model->rowOf(b), column);
    };
    for (int column : {int(ConnectionTableModel::IdleLeftColumn), int(ConnectionTableModel::MessagesInColumn),
                       int(ConnectionTableModel::LifetimeLeftColumn)}) {
        QVERIFY(lessAt(column, 1, 3));
        QVERIFY(!lessAt(column, 3, 1));
        QVERIFY(lessAt(column, 3, 5));
        QVERIFY(lessAt(column, 5, 9));
    }
    // Text columns too: the same client name sorts by id.
    QVERIFY(lessAt(ConnectionTableModel::ClientColumn, 1, 9));
    QVERIFY(!lessAt(ConnectionTableModel::ClientColumn, 9, 1));
}

void tst_ConnectionTableModel::closedRowsReachTheHistory()
{
    // The last snapshot of a closed row goes out before the row does: the
    // one in the closing batch if there is one.
    m_model->applyBatch(batch({1, 2}));
    QVector<ClosedRecord> seen;
    connect(m_model, &ConnectionTableModel::connectionsClosed, this,
            [&seen](const QVector<ClosedRecord> &records) { seen += records; });
    ServerBatch b;
    ConnectionSnapshot last = snap(1, 5000, 7);
    last.state = ConnectionState::Closing;
    b.updated.append(last);
    b.closed.append({1, CloseReason::Kicked});
    b.atMs = Now + 500;
    m_model->applyBatch(b);
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen[0].last.id, quint64(1));
    QCOMPARE(seen[0].last.messagesIn, quint64(7));
    QCOMPARE(seen[0].reason, CloseReason::Kicked);
    QCOMPARE(seen[0].durationMs(), qint64(1500));
    QCOMPARE(ids(*m_model), QList<quint64>{2});
    // A full batch that no longer lists a row: closed, reason unknown.
    ServerBatch full;
    full.full = true;
    m_model->applyBatch(full);
    QCOMPARE(seen.size(), 2);
    QCOMPARE(seen[1].reason, CloseReason::None);
}

QTEST_MAIN(tst_ConnectionTableModel)
#include "tst_connectiontablemodel.moc"
