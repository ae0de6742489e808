// ClosedConnectionModel: a bounded list that appends in blocks and trims
// its front with beginRemoveRows (the TrafficLogModel shape), so views keep
// their selection and scroll position.
#include "closedconnectionmodel.h"
#include "fleetid.h"

#include "feedtext.h"

#include <QDateTime>

#include <algorithm>

namespace Vigil {

ClosedConnectionModel::ClosedConnectionModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int ClosedConnectionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int ClosedConnectionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const ClosedRecord *ClosedConnectionModel::recordAt(int row) const
{
    return row >= 0 && row < int(m_records.size()) ? &m_records[size_t(row)] : nullptr;
}

const ClosedRecord *ClosedConnectionModel::recordFor(quint64 id) const
{
    const auto it = m_positionById.constFind(id);
    if (it == m_positionById.cend() || *it < m_trimmed)
        return nullptr;
    return recordAt(int(*it - m_trimmed));
}

QString ClosedConnectionModel::reasonText(const ClosedRecord &record)
{
    return record.reason == CloseReason::None ? tr("unknown") : FeedText::closeReason(record.reason);
}

QString ClosedConnectionModel::summary(const ClosedRecord &record)
{
    const ConnectionSnapshot &s = record.last;
    return tr("%1 · after %2 · msgs %3 in / %4 out · %5 in / %6 out")
        .arg(reasonText(record), FeedText::span(record.durationMs()), FeedText::count(s.messagesIn),
             FeedText::count(s.messagesOut), FeedText::bytes(s.bytesIn), FeedText::bytes(s.bytesOut));
}

QVariant ClosedConnectionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QVariant();
    if (role == Qt::DisplayRole) {
        switch (section) {
        case IdColumn: return tr("ID");
        case PeerColumn: return tr("Peer");
        case ClientColumn: return tr("Client");
        case ReasonColumn: return tr("Reason");
        case ClosedAtColumn: return tr("Closed at");
        case DurationColumn: return tr("Duration");
        case MessagesInColumn: return tr("Msgs in");
        case MessagesOutColumn: return tr("Msgs out");
        case BytesInColumn: return tr("Bytes in");
        case BytesOutColumn: return tr("Bytes out");
        }
    }
    if (role == Qt::ToolTipRole && section == ReasonColumn)
        return tr("Why the connection closed (\"unknown\": its close was not seen, e.g. while out of contact)");
    return QVariant();
}

QString ClosedConnectionModel::display(const ClosedRecord &r, int column) const
{
    const ConnectionSnapshot &s = r.last;
    switch (column) {
    case IdColumn: return QString::number(FleetId::local(s.id));
    case PeerColumn: return s.peer;
    case ClientColumn: return s.client.isEmpty() ? QStringLiteral("-") : s.client;
    case ReasonColumn: return reasonText(r);
    case ClosedAtColumn:
        return QDateTime::fromMSecsSinceEpoch(r.closedWallMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case DurationColumn: return FeedText::span(r.durationMs());
    case MessagesInColumn: return FeedText::count(s.messagesIn);
    case MessagesOutColumn: return FeedText::count(s.messagesOut);
    case BytesInColumn: return FeedText::bytes(s.bytesIn);
    case BytesOutColumn: return FeedText::bytes(s.bytesOut);
    }
    return QString();
}

QVariant ClosedConnectionModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const ClosedRecord &r = m_records[size_t(index.row())];
    const ConnectionSnapshot &s = r.last;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(r, column);
    case Qt::ToolTipRole:
        if (column == PeerColumn || column == ClientColumn)
            return display(r, column);
        if (column == ReasonColumn)
            return summary(r);
        return QVariant();
    case SortRole:
        switch (column) {
        case IdColumn: return s.id;
        case ClosedAtColumn: return r.closedWallMs;
        case DurationColumn: return r.durationMs();
        case MessagesInColumn: return s.messagesIn;
        case MessagesOutColumn: return s.messagesOut;
        case BytesInColumn: return s.bytesIn;
        case BytesOutColumn: return s.bytesOut;
        default: return display(r, column);
        }
    case IdRole:
        return s.id;
    case SearchTextRole:
        return QString(QString::number(FleetId::local(s.id)) + QLatin1Char(' ') + s.peer + QLatin1Char(' ') + s.client
                       + QLatin1Char(' ') + reasonText(r));
    case Qt::TextAlignmentRole:
        switch (column) {
        case IdColumn:
        case DurationColumn:
        case MessagesInColumn:
        case MessagesOutColumn:
        case BytesInColumn:
        case BytesOutColumn:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        }
    }
    return QVariant();
}

void ClosedConnectionModel::add(const QVector<ClosedRecord> &records)
{
    if (records.isEmpty())
        return;
    // More than fit: only the newest capacity are kept.
    const qsizetype skip = std::max<qsizetype>(0, records.size() - m_capacity);
    const int incoming = int(records.size() - skip);
    trimTo(m_capacity - incoming);
    const int first = int(m_records.size());
    beginInsertRows(QModelIndex(), first, first + incoming - 1);
    for (qsizetype i = skip; i < records.size(); ++i) {
        m_positionById.insert(records[i].last.id, m_trimmed + m_records.size());
        m_records.push_back(records[i]);
    }
    endInsertRows();
}

void ClosedConnectionModel::trimTo(int size)
{
    const int overflow = int(m_records.size()) - std::max(0, size);
    if (overflow <= 0)
        return;
    beginRemoveRows(QModelIndex(), 0, overflow - 1);
    for (int i = 0; i < overflow; ++i) {
        const quint64 id = m_records.front().last.id;
        const auto it = m_positionById.find(id);
        if (it != m_positionById.end() && *it == m_trimmed)
            m_positionById.erase(it);
        m_records.pop_front();
        ++m_trimmed;
    }
    endRemoveRows();
}

void ClosedConnectionModel::resolveReason(quint64 id, CloseReason reason)
{
    const auto it = m_positionById.constFind(id);
    if (it == m_positionById.cend() || *it < m_trimmed || reason == CloseReason::None)
        return;
    const int row = int(*it - m_trimmed);
    ClosedRecord &r = m_records[size_t(row)];
    if (r.reason != CloseReason::None)
        return;
    r.reason = reason;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ClosedConnectionModel::setCapacity(int capacity)
{
    m_capacity = std::max(1, capacity);
    trimTo(m_capacity);
}

void ClosedConnectionModel::clear()
{
    if (m_records.empty())
        return;
    beginResetModel();
    m_trimmed += m_records.size();
    m_records.clear();
    m_positionById.clear();
    endResetModel();
}

} // namespace Vigil
