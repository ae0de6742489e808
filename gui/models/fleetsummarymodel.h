// A fleet at a glance: one row per vigild and a Total row under them —
// up or down, connections, messages per second, timeouts and closes by
// reason, watchdog lateness p99. Rates and p99 are taken over the last
// Window of stats samples, so a burst shows and then fades like in `top`;
// counts are since each vigild started.
#pragma once

#include "serverstats.h"

#include <QAbstractTableModel>
#include <QString>
#include <QVector>
#include <deque>

namespace Vigil {

class FleetSummaryModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetSummaryModel)
public:
    enum Column {
        InstanceColumn,
        AddressColumn,
        StateColumn,
        ConnectionsColumn,
        InRateColumn,
        OutRateColumn,
        TimeoutsColumn,
        ClosesColumn,
        LatenessColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,
        UpRole, // bool: the instance answers (the Total row: all do)
    };
    static constexpr qint64 WindowMs = 10000;

    explicit FleetSummaryModel(QObject *parent = nullptr);

    // The instances, in fleet order; clears what was known.
    void setInstances(const QStringList &addresses);
    int instanceCount() const { return int(m_rows.size()); }
    bool isTotalRow(int row) const { return row == int(m_rows.size()); }

    // An instance's --instance-name (empty: none said yet).
    void setName(int instance, const QString &name);
    // Up (its feed is live) or down with why ("connection lost — …").
    void setState(int instance, bool up, const QString &text);
    // One stats sample of an instance (the stats poll).
    void addStats(int instance, const ServerStats &stats);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The p-quantile of a lateness histogram (ServerStats::lateness), as
    // the upper bound in µs of the bucket it falls in: -1 for an empty
    // one, the largest bound + 1 for "more". Prometheus' histogram_quantile
    // would interpolate; a bound is what the buckets really know.
    static qint64 latenessQuantileUs(const std::array<quint64, LatenessBucketCount> &buckets, double p);

private:
    struct Figures
    {
        quint64 open = 0;
        double inRate = 0;
        double outRate = 0;
        std::array<quint64, TimeoutKindCount> timeouts{};
        std::array<quint64, CloseReasonCount> closes{};
        std::array<quint64, LatenessBucketCount> recentLateness{}; // within the window
    };
    struct Row
    {
        QString address;
        QString name;
        bool up = false;
        QString stateText;
        std::deque<ServerStats> samples; // the window, oldest first
        Figures figures;
    };

    Figures figuresOf(const Row &row) const;
    Figures total() const;
    QVariant display(const Row *row, const Figures &f, int column) const;
    QVariant tooltip(const Row *row, const Figures &f, int column) const;
    void rowChanged(int instance);

    QVector<Row> m_rows;
};

} // namespace Vigil
