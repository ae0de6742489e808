// The open connections as a table: one row per connection, fed by the
// core's batches (removals, one appended block, ranged dataChanged).
#pragma once

#include "closedrecord.h"
#include "snapshots.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QVector>
#include <functional>
#include <optional>

namespace Vigil {

class ConnectionTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionTableModel)
public:
    enum Column {
        IdColumn,
        PeerColumn,
        ClientColumn,
        FramingColumn,
        PolicyColumn,
        StateColumn,
        AgeColumn,
        IdleLeftColumn,
        LifetimeLeftColumn,
        MessagesInColumn,
        MessagesOutColumn,
        BytesInColumn,
        BytesOutColumn,
        LastMessageColumn,
        PreviewColumn,
        UpstreamColumn, // forward mode (PROTOCOL.md §8); last, so saved header states still fit
        InstanceColumn, // a fleet's vigild (FleetSource); after Upstream for the same reason
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers sort as numbers
        IdRole,                      // quint64 connection id
        RemainingMsRole,             // countdown columns: ms left, -1 = off
        TotalMsRole,                 // countdown columns: the full timeout
        SearchTextRole,              // id, peer and client, for the filter box
    };

    explicit ConnectionTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Applies one network thread's publish tick.
    void applyBatch(const ServerBatch &batch);
    void clear();
    // Repaints the time-derived columns (age, countdowns, last message);
    // driven by one view-wide timer, not by traffic.
    void refreshCountdowns();

    // SortRole's order for numeric columns without building QVariants
    // (a sort of 10,000 rows asks about 280,000 times); nullopt for text
    // columns, which sort by SortRole.
    std::optional<bool> lessThan(int leftRow, int rightRow, int column) const;

    int rowOf(quint64 id) const { return m_rowById.value(id, -1); }
    const ConnectionSnapshot *snapshotAt(int row) const;
    const ConnectionSnapshot *snapshotFor(quint64 id) const;

    // Every open row as closed with reason (the server stopped: each got
    // its BYE), for the history; the rows stay until clear().
    QVector<ClosedRecord> closeAll(CloseReason reason) const;

    // Tests pin "now"; the monitor uses the monotonic clock.
    void setClock(std::function<qint64()> nowMs) { m_nowMs = std::move(nowMs); }
    // A fleet's table: the Instance column's text for a connection id.
    void setInstanceResolver(std::function<QString(quint64)> instanceOf) { m_instanceOf = std::move(instanceOf); }
    // The fleet instance holding id, empty for one server.
    QString instanceOf(quint64 id) const { return m_instanceOf ? m_instanceOf(id) : QString(); }

signals:
    // Rows a batch removed, with their last snapshot, before they go:
    // reason None for those a full batch no longer listed.
    void connectionsClosed(const QVector<Vigil::ClosedRecord> &records);

private:
    struct Row
    {
        ConnectionSnapshot snapshot;
        int thread = 0;
    };

    void removeRowSet(QVector<int> rows); // not removeRows(): that is QAbstractItemModel API
    void rebuildIndex();
    void emitChanged(QVector<int> rows);
    QVariant display(const Row &row, int column, qint64 now) const;
    QVariant sortValue(const Row &row, int column, qint64 now) const;

    ClosedRecord closedRecord(const ConnectionSnapshot &last, CloseReason reason, qint64 atMs) const;

    QVector<Row> m_rows;
    QHash<quint64, int> m_rowById;
    std::function<qint64()> m_nowMs;
    std::function<QString(quint64)> m_instanceOf;
};

} // namespace Vigil
