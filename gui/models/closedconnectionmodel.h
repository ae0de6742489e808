// The closed-connections history: the last Capacity connections that
// closed, newest last, with reason, duration, messages and bytes, so "why
// did sensor-17 drop at 03:12?" has an answer after its row is gone.
#pragma once

#include "closedrecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <deque>

namespace Vigil {

class ClosedConnectionModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClosedConnectionModel)
public:
    static constexpr int DefaultCapacity = 10000;

    enum Column {
        IdColumn,
        PeerColumn,
        ClientColumn,
        ReasonColumn,
        ClosedAtColumn,
        DurationColumn,
        MessagesInColumn,
        MessagesOutColumn,
        BytesInColumn,
        BytesOutColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers and times sort as numbers
        IdRole,                      // quint64 connection id
        SearchTextRole,              // id, peer, client and reason, for the filter box
    };

    explicit ClosedConnectionModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Appends in one block; the oldest go first past the capacity.
    void add(const QVector<ClosedRecord> &records);
    void clear();
    // A reason learnt after the record was made (reason None): set it.
    void resolveReason(quint64 id, CloseReason reason);
    int capacity() const { return m_capacity; }
    void setCapacity(int capacity);

    const ClosedRecord *recordAt(int row) const;
    // The newest record of id (ids restart with a restarted vigild).
    const ClosedRecord *recordFor(quint64 id) const;

    // "idle-timeout · 12.3 s · msgs 5 / 5 · 1.2 KiB / 980 B", as the
    // traffic log's "closed" row says it.
    static QString summary(const ClosedRecord &record);
    static QString reasonText(const ClosedRecord &record);

private:
    void trimTo(int size);
    QString display(const ClosedRecord &record, int column) const;

    std::deque<ClosedRecord> m_records;
    // id -> absolute position (m_trimmed + row) of its newest record.
    QHash<quint64, quint64> m_positionById;
    quint64 m_trimmed = 0;
    int m_capacity = DefaultCapacity;
};

} // namespace Vigil
