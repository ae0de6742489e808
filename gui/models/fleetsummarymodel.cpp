// FleetSummaryModel: each instance's window of stats samples reduced to
// one row; the Total row adds the rows up (rates and counts sum, the
// lateness histograms are merged before the p99 is taken).
#include "fleetsummarymodel.h"

#include "feedtext.h"

#include <QColor>
#include <QFont>

#include <algorithm>
#include <cmath>
#include <vector>

namespace Vigil {

namespace {
// "12 (idle 10, write 2)": the total and its two largest parts.
template <size_t N, typename Name>
QString totalWithLargest(const std::array<quint64, N> &counts, Name name)
{
    quint64 sum = 0;
    std::vector<std::pair<quint64, size_t>> parts;
    for (size_t i = 0; i < N; ++i) {
        sum += counts[i];
        if (counts[i])
            parts.emplace_back(counts[i], i);
    }
    std::sort(parts.begin(), parts.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    QStringList largest;
    for (size_t i = 0; i < parts.size() && i < 2; ++i)
        largest << QStringLiteral("%1 %2").arg(name(parts[i].second), FeedText::count(parts[i].first));
    return largest.isEmpty() ? FeedText::count(sum)
                             : QStringLiteral("%1 (%2)").arg(FeedText::count(sum), largest.join(QStringLiteral(", ")));
}

// Every part on a line of its own, for the tooltip.
template <size_t N, typename Name>
QString allParts(const std::array<quint64, N> &counts, Name name)
{
    QStringList lines;
    for (size_t i = 0; i < N; ++i) {
        if (counts[i])
            lines << QStringLiteral("%1: %2").arg(name(i), FeedText::count(counts[i]));
    }
    return lines.isEmpty() ? FleetSummaryModel::tr("none yet") : lines.join(QLatin1Char('\n'));
}

QString timeoutName(size_t i)
{
    return FeedText::timeoutKind(TimeoutKinds[i].kind);
}

QString reasonName(size_t i)
{
    return FeedText::closeReason(closeReasonAt(int(i)));
}

template <typename T>
quint64 sumOf(const T &counts)
{
    quint64 sum = 0;
    for (quint64 c : counts)
        sum += c;
    return sum;
}
} // namespace

FleetSummaryModel::FleetSummaryModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void FleetSummaryModel::setInstances(const QStringList &addresses)
{
    beginResetModel();
    m_rows.clear();
    for (const QString &address : addresses) {
        Row row;
        row.address = address;
        row.stateText = tr("connecting");
        m_rows.append(row);
    }
    endResetModel();
}

void FleetSummaryModel::setName(int instance, const QString &name)
{
    if (instance < 0 || instance >= m_rows.size() || m_rows[instance].name == name)
        return;
    m_rows[instance].name = name;
    rowChanged(instance);
}

void FleetSummaryModel::setState(int instance, bool up, const QString &text)
{
    if (instance < 0 || instance >= m_rows.size())
        return;
    Row &row = m_rows[instance];
    if (row.up == up && row.stateText == text)
        return;
    row.up = up;
    row.stateText = text;
    if (!up) {
        // Its figures are no longer known; its counts stay out of the total.
        row.samples.clear();
        row.figures = Figures();
    }
    rowChanged(instance);
}

void FleetSummaryModel::addStats(int instance, const ServerStats &stats)
{
    if (instance < 0 || instance >= m_rows.size())
        return;
    Row &row = m_rows[instance];
    // A vigild that restarted counts from 0 again: its old window is void.
    if (!row.samples.empty() && (stats.accepted < row.samples.back().accepted
                                 || stats.sampledAtMs < row.samples.back().sampledAtMs))
        row.samples.clear();
    row.samples.push_back(stats);
    while (row.samples.size() > 2 && row.samples.back().sampledAtMs - row.samples[1].sampledAtMs >= WindowMs)
        row.samples.pop_front();
    row.figures = figuresOf(row);
    rowChanged(instance);
}

FleetSummaryModel::Figures FleetSummaryModel::figuresOf(const Row &row) const
{
    Figures f;
    if (row.samples.empty())
        return f;
    const ServerStats &last = row.samples.back();
    const ServerStats &first = row.samples.front();
    f.open = last.open;
    f.timeouts = last.timeouts;
    f.closes = last.closes;
    const qint64 spanMs = last.sampledAtMs - first.sampledAtMs;
    if (spanMs > 0) {
        f.inRate = double(last.messagesIn - first.messagesIn) * 1000.0 / double(spanMs);
        f.outRate = double(last.messagesOut - first.messagesOut) * 1000.0 / double(spanMs);
        for (size_t i = 0; i < f.recentLateness.size(); ++i)
            f.recentLateness[i] = last.lateness[i] - first.lateness[i];
    }
    return f;
}

FleetSummaryModel::Figures FleetSummaryModel::total() const
{
    Figures t;
    for (const Row &row : m_rows) {
        const Figures &f = row.figures;
        t.open += f.open;
        t.inRate += f.inRate;
        t.outRate += f.outRate;
        for (size_t i = 0; i < t.timeouts.size(); ++i)
            t.timeouts[i] += f.timeouts[i];
        for (size_t i = 0; i < t.closes.size(); ++i)
            t.closes[i] += f.closes[i];
        for (size_t i = 0; i < t.recentLateness.size(); ++i)
            t.recentLateness[i] += f.recentLateness[i];
    }
    return t;
}

qint64 FleetSummaryModel::latenessQuantileUs(const std::array<quint64, LatenessBucketCount> &buckets, double p)
{
    const quint64 count = sumOf(buckets);
    if (count == 0)
        return -1;
    // The smallest bucket holding the ceil(p × count)-th fire.
    const quint64 rank = std::max<quint64>(1, quint64(std::ceil(p * double(count))));
    quint64 seen = 0;
    for (size_t i = 0; i < buckets.size(); ++i) {
        seen += buckets[i];
        if (seen >= rank)
            return i < LatenessBucketsUs.size() ? LatenessBucketsUs[i] : LatenessBucketsUs.back() + 1;
    }
    return LatenessBucketsUs.back() + 1;
}

int FleetSummaryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size()) + 1;
}

int FleetSummaryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetSummaryModel::display(const Row *row, const Figures &f, int column) const
{
    const bool known = !row || row->up;
    switch (column) {
    case InstanceColumn:
        return row ? (row->name.isEmpty() ? row->address : row->name) : tr("Total");
    case AddressColumn: return row ? row->address : QString();
    case StateColumn: {
        if (row)
            return row->up ? tr("up") : tr("down: %1").arg(row->stateText);
        const auto up = std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Row &r) { return r.up; });
        return tr("%1 of %2 up").arg(up).arg(m_rows.size());
    }
    case ConnectionsColumn: return known ? FeedText::count(f.open) : QStringLiteral("—");
    case InRateColumn: return known ? FeedText::rate(f.inRate) : QStringLiteral("—");
    case OutRateColumn: return known ? FeedText::rate(f.outRate) : QStringLiteral("—");
    case TimeoutsColumn: return known ? totalWithLargest(f.timeouts, timeoutName) : QStringLiteral("—");
    case ClosesColumn: return known ? totalWithLargest(f.closes, reasonName) : QStringLiteral("—");
    case LatenessColumn: {
        const qint64 us = latenessQuantileUs(f.recentLateness, 0.99);
        if (!known || us < 0)
            return QStringLiteral("—");
        if (us > LatenessBucketsUs.back())
            return tr("> %1 ms").arg(LatenessBucketsUs.back() / 1000);
        return us < 1000 ? tr("≤ %1 µs").arg(us) : tr("≤ %1 ms").arg(us / 1000);
    }
    }
    return QVariant();
}

QVariant FleetSummaryModel::tooltip(const Row *row, const Figures &f, int column) const
{
    switch (column) {
    case StateColumn: return row ? row->stateText : QVariant();
    case TimeoutsColumn: return allParts(f.timeouts, timeoutName);
    case ClosesColumn: return allParts(f.closes, reasonName);
    case LatenessColumn:
        return tr("How late the watchdogs fired, 99th percentile over the last %1 s (the bucket's bound)")
            .arg(WindowMs / 1000);
    case InRateColumn:
    case OutRateColumn: return tr("Messages per second over the last %1 s").arg(WindowMs / 1000);
    default: return QVariant();
    }
}

QVariant FleetSummaryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Row *row = isTotalRow(index.row()) ? nullptr : &m_rows[index.row()];
    const Figures f = row ? row->figures : total();
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return display(row, f, column);
    case Qt::ToolTipRole: return tooltip(row, f, column);
    case UpRole: return row ? row->up : true;
    case SortRole:
        switch (column) {
        case ConnectionsColumn: return f.open;
        case InRateColumn: return f.inRate;
        case OutRateColumn: return f.outRate;
        case TimeoutsColumn: return sumOf(f.timeouts);
        case ClosesColumn: return sumOf(f.closes);
        case LatenessColumn: return latenessQuantileUs(f.recentLateness, 0.99);
        default: return display(row, f, column);
        }
    case Qt::ForegroundRole:
        if (row && !row->up && column == StateColumn)
            return FeedText::readable(QColor(0xb0, 0x20, 0x10));
        return QVariant();
    case Qt::FontRole:
        if (!row) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return QVariant();
    case Qt::TextAlignmentRole:
        return column >= ConnectionsColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                           : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default: return QVariant();
    }
}

QVariant FleetSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case InstanceColumn: return tr("Instance");
    case AddressColumn: return tr("Admin address");
    case StateColumn: return tr("State");
    case ConnectionsColumn: return tr("Connections");
    case InRateColumn: return tr("In msg/s");
    case OutRateColumn: return tr("Out msg/s");
    case TimeoutsColumn: return tr("Timeouts");
    case ClosesColumn: return tr("Closes");
    case LatenessColumn: return tr("Lateness p99");
    }
    return QVariant();
}

void FleetSummaryModel::rowChanged(int instance)
{
    emit dataChanged(index(instance, 0), index(instance, ColumnCount - 1));
    const int totalRow = int(m_rows.size());
    emit dataChanged(index(totalRow, 0), index(totalRow, ColumnCount - 1));
}

} // namespace Vigil
