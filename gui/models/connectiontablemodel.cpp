// ConnectionTableModel: batch application in the qBittorrent
// transferlistmodel shape, plus countdowns computed at paint time.
#include "connectiontablemodel.h"
#include "fleetid.h"

#include "duration.h"
#include "feedtext.h"
#include "monotonicclock.h"

#include <QDateTime>
#include <QSet>
#include <algorithm>
#include <limits>

namespace Vigil {

namespace {
// Above this share of changed rows one whole-table dataChanged is cheaper
// than many small ones (qBittorrent: "save the overhead").
constexpr double WholeTableShare = 0.5;
// Above this many separate ranges one dataChanged over their span is
// cheaper: with 2 network threads each batch's rows interleave with the
// other thread's, and 5,000 one-row signals per batch each walk the proxy.
constexpr int MaxChangedRanges = 16;

QString stateName(ConnectionState state)
{
    return state == ConnectionState::Open ? QStringLiteral("open") : QStringLiteral("closing");
}

QString formatSpan(qint64 ms)
{
    return FeedText::span(ms);
}

QString formatBytes(quint64 bytes)
{
    return FeedText::bytes(bytes);
}

// Printable preview: control bytes become dots so a row stays one line.
QString previewText(const QByteArray &bytes)
{
    QString text = QString::fromUtf8(bytes);
    for (QChar &c : text) {
        if (!c.isPrint())
            c = QLatin1Char('.');
    }
    return text;
}

qint64 remaining(qint64 deadlineMs, qint64 now)
{
    return deadlineMs == 0 ? -1 : std::max<qint64>(0, deadlineMs - now);
}
} // namespace

ConnectionTableModel::ConnectionTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_nowMs([] { return MonotonicClock::nowMs(); })
{
}

int ConnectionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConnectionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const ConnectionSnapshot *ConnectionTableModel::snapshotAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows[row].snapshot : nullptr;
}

const ConnectionSnapshot *ConnectionTableModel::snapshotFor(quint64 id) const
{
    return snapshotAt(rowOf(id));
}

QVariant ConnectionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QVariant();
    if (role == Qt::DisplayRole) {
        switch (section) {
        case IdColumn: return tr("ID");
        case PeerColumn: return tr("Peer");
        case ClientColumn: return tr("Client");
        case FramingColumn: return tr("Framing");
        case PolicyColumn: return tr("Policy");
        case StateColumn: return tr("State");
        case AgeColumn: return tr("Age");
        case IdleLeftColumn: return tr("Idle left");
        case LifetimeLeftColumn: return tr("Lifetime left");
        case MessagesInColumn: return tr("Msgs in");
        case MessagesOutColumn: return tr("Msgs out");
        case BytesInColumn: return tr("Bytes in");
        case BytesOutColumn: return tr("Bytes out");
        case LastMessageColumn: return tr("Last msg");
        case PreviewColumn: return tr("Preview");
        case UpstreamColumn: return tr("Upstream");
        case InstanceColumn: return tr("Instance");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case IdleLeftColumn: return tr("Time until the idle watchdog closes the connection; any complete message resets it");
        case LifetimeLeftColumn:
            return tr("Time until the connection's absolute lifetime runs out, or \"closing in\" the time a GOAWAY "
                      "announced (a drain, a lifetime grace)");
        case ClientColumn: return tr("Client name from HELLO");
        case LastMessageColumn: return tr("Time since the last complete inbound message");
        case UpstreamColumn: return tr("Forward mode: the service this client is relayed to, and that connection's state");
        case InstanceColumn: return tr("The fleet's vigild that holds this connection (its --instance-name, or its admin address)");
        }
    }
    return QVariant();
}

QVariant ConnectionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Row &row = m_rows[index.row()];
    const ConnectionSnapshot &s = row.snapshot;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(row, column, m_nowMs());
    case SortRole:
        return sortValue(row, column, m_nowMs());
    case IdRole:
        return s.id;
    case SearchTextRole:
        return QString(QString::number(FleetId::local(s.id)) + QLatin1Char(' ') + s.peer + QLatin1Char(' ') + s.client
                       + (s.proxy.isEmpty() ? QString() : QLatin1Char(' ') + s.proxy)
                       + (m_instanceOf ? QLatin1Char(' ') + instanceOf(s.id) : QString()));
    case RemainingMsRole:
        if (column == IdleLeftColumn)
            return remaining(s.idleDeadlineMs, m_nowMs());
        if (column == LifetimeLeftColumn)
            return remaining(s.lifetimeDeadlineMs, m_nowMs());
        return QVariant();
    case TotalMsRole:
        if (column == IdleLeftColumn)
            return s.timers.idleTimeoutMs;
        if (column == LifetimeLeftColumn)
            return s.timers.maxLifetimeMs;
        return QVariant();
    case Qt::TextAlignmentRole:
        switch (column) {
        case IdColumn:
        case AgeColumn:
        case IdleLeftColumn:
        case LifetimeLeftColumn:
        case MessagesInColumn:
        case MessagesOutColumn:
        case BytesInColumn:
        case BytesOutColumn:
        case LastMessageColumn:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ToolTipRole:
        // Cells elide; the tooltip has the whole value.
        if (column == PreviewColumn)
            return previewText(s.lastMessage);
        if (column == ClientColumn && !s.client.isEmpty())
            return s.client;
        if (column == PeerColumn) {
            QString tip = s.proxy.isEmpty() ? s.peer : tr("%1, via proxy %2").arg(s.peer, s.proxy);
            if (!s.tlsVersion.isEmpty())
                tip += tr(" · %1 %2").arg(s.tlsVersion, s.tlsCipher);
            return tip;
        }
        if (column == UpstreamColumn && s.upstream)
            return FeedText::upstream(*s.upstream);
        if (column == IdleLeftColumn && s.idleDeadlineMs)
            return tr("idle timeout %1").arg(formatDuration(s.timers.idleTimeoutMs));
        if (column == LifetimeLeftColumn && s.closingAtMs)
            return tr("GOAWAY %1: served until then, BYE %1 at the end").arg(closeReasonName(s.closingReason));
        if (column == LifetimeLeftColumn && s.lifetimeDeadlineMs)
            return tr("max lifetime %1").arg(formatDuration(s.timers.maxLifetimeMs));
        return QVariant();
    default:
        return QVariant();
    }
}

QVariant ConnectionTableModel::display(const Row &row, int column, qint64 now) const
{
    const ConnectionSnapshot &s = row.snapshot;
    switch (column) {
    case IdColumn: return QString::number(FleetId::local(s.id));
    case PeerColumn: return s.peer;
    case ClientColumn: return s.client.isEmpty() ? QStringLiteral("-") : s.client;
    case FramingColumn: return framingName(s.framing);
    case PolicyColumn: return policyName(s.timers.policy);
    case StateColumn: return stateName(s.state);
    case AgeColumn: return formatSpan(now - s.acceptedAtMs);
    case IdleLeftColumn:
        return s.idleDeadlineMs ? formatSpan(s.idleDeadlineMs - now) : tr("off");
    case LifetimeLeftColumn:
        // Under GOAWAY the close it announced is the deadline that counts.
        if (s.closingAtMs)
            return tr("closing in %1").arg(formatSpan(s.closingAtMs - now));
        return s.lifetimeDeadlineMs ? formatSpan(s.lifetimeDeadlineMs - now) : tr("off");
    case MessagesInColumn: return QString::number(s.messagesIn);
    case MessagesOutColumn: return QString::number(s.messagesOut);
    case BytesInColumn: return formatBytes(s.bytesIn);
    case BytesOutColumn: return formatBytes(s.bytesOut);
    case LastMessageColumn:
        return s.messagesIn == 0 ? tr("never") : tr("%1 ago").arg(formatSpan(now - s.lastActivityAtMs));
    case PreviewColumn: return previewText(s.lastMessage);
    case UpstreamColumn:
        return s.upstream ? QString(s.upstream->address + QStringLiteral(" · ") + QLatin1String(upstreamStateName(s.upstream->state)))
                          : QStringLiteral("-");
    case InstanceColumn: return instanceOf(s.id);
    }
    return QVariant();
}

QVariant ConnectionTableModel::sortValue(const Row &row, int column, qint64 now) const
{
    const ConnectionSnapshot &s = row.snapshot;
    switch (column) {
    case IdColumn: return s.id;
    case AgeColumn: return now - s.acceptedAtMs;
    // "off" sorts after every running countdown.
    case IdleLeftColumn: return s.idleDeadlineMs ? s.idleDeadlineMs - now : std::numeric_limits<qint64>::max();
    case LifetimeLeftColumn:
        return s.lifetimeDeadlineMs ? s.lifetimeDeadlineMs - now : std::numeric_limits<qint64>::max();
    case MessagesInColumn: return s.messagesIn;
    case MessagesOutColumn: return s.messagesOut;
    case BytesInColumn: return s.bytesIn;
    case BytesOutColumn: return s.bytesOut;
    case LastMessageColumn: return s.messagesIn == 0 ? std::numeric_limits<qint64>::max() : now - s.lastActivityAtMs;
    default: return display(row, column, now);
    }
}

std::optional<bool> ConnectionTableModel::lessThan(int leftRow, int rightRow, int column) const
{
    const ConnectionSnapshot *l = snapshotAt(leftRow);
    const ConnectionSnapshot *r = snapshotAt(rightRow);
    if (!l || !r)
        return std::nullopt;
    constexpr qint64 Off = std::numeric_limits<qint64>::max();
    // Equal keys fall back to the id, so equal rows keep their order from
    // one re-sort to the next and a selected row does not jump.
    auto by = [l, r](auto lk, auto rk) { return lk != rk ? lk < rk : l->id < r->id; };
    // The same keys as sortValue(); "now" cancels out of every difference.
    switch (column) {
    case IdColumn: return l->id < r->id;
    // The instance sits in the id's top bits (FleetId): fleet order, then id.
    case InstanceColumn: return l->id < r->id;
    case AgeColumn: return by(-l->acceptedAtMs, -r->acceptedAtMs);
    case IdleLeftColumn:
        // Deadlines move with every message: compare them at the
        // countdown's own resolution (0.1 s), not to the millisecond.
        return by((l->idleDeadlineMs ? l->idleDeadlineMs / 100 : Off), (r->idleDeadlineMs ? r->idleDeadlineMs / 100 : Off));
    case LifetimeLeftColumn:
        return by((l->lifetimeDeadlineMs ? l->lifetimeDeadlineMs / 100 : Off),
                  (r->lifetimeDeadlineMs ? r->lifetimeDeadlineMs / 100 : Off));
    case MessagesInColumn: return by(l->messagesIn, r->messagesIn);
    case MessagesOutColumn: return by(l->messagesOut, r->messagesOut);
    case BytesInColumn: return by(l->bytesIn, r->bytesIn);
    case BytesOutColumn: return by(l->bytesOut, r->bytesOut);
    case LastMessageColumn: {
        // Never-messaged rows sort last; otherwise the most recent first.
        const bool lNever = l->messagesIn == 0;
        const bool rNever = r->messagesIn == 0;
        if (lNever != rNever)
            return !lNever && rNever;
        if (lNever)
            return l->id < r->id;
        return by(-l->lastActivityAtMs, -r->lastActivityAtMs);
    }
    default: {
        // Text columns: by their text, then by id.
        const QString lt = display(m_rows[leftRow], column, 0).toString();
        const QString rt = display(m_rows[rightRow], column, 0).toString();
        const int c = QString::localeAwareCompare(lt, rt);
        return c != 0 ? c < 0 : l->id < r->id;
    }
    }
}

void ConnectionTableModel::applyBatch(const ServerBatch &batch)
{
    // 1. Removals: closed ids, and with a full batch this thread's rows it
    // no longer lists (closes we missed while not publishing).
    // Each goes to the history with its last snapshot: the one in this
    // batch if it changed while closing, else the row's.
    QVector<int> gone;
    QSet<quint64> closed;
    QVector<ClosedRecord> records;
    closed.reserve(batch.closed.size());
    const qint64 closedAt = batch.atMs ? batch.atMs : m_nowMs();
    QHash<quint64, const ConnectionSnapshot *> finalSnapshot;
    if (!batch.closed.isEmpty()) {
        for (const ConnectionSnapshot &s : batch.updated)
            finalSnapshot.insert(s.id, &s);
    }
    for (const ClosedConnection &c : batch.closed) {
        if (closed.contains(c.id))
            continue;
        closed.insert(c.id);
        const int row = m_rowById.value(c.id, -1);
        if (row >= 0)
            gone.append(row);
        if (const ConnectionSnapshot *s = finalSnapshot.value(c.id))
            records.append(closedRecord(*s, c.reason, closedAt));
        else if (row >= 0)
            records.append(closedRecord(m_rows[row].snapshot, c.reason, closedAt));
    }
    if (batch.full) {
        QSet<quint64> present;
        present.reserve(batch.updated.size());
        for (const ConnectionSnapshot &s : batch.updated)
            present.insert(s.id);
        for (int i = 0; i < m_rows.size(); ++i) {
            const quint64 id = m_rows[i].snapshot.id;
            if (m_rows[i].thread == batch.thread && !present.contains(id) && !closed.contains(id)) {
                gone.append(i);
                records.append(closedRecord(m_rows[i].snapshot, CloseReason::None, closedAt));
            }
        }
    }
    if (!records.isEmpty())
        emit connectionsClosed(records);
    if (!gone.isEmpty())
        removeRowSet(std::move(gone));

    // 2. Updates in place, new connections collected for one appended block.
    QVector<int> changed;
    QVector<Row> added;
    QHash<quint64, int> addedIndex;
    for (const ConnectionSnapshot &s : batch.updated) {
        // Changed and closed within one tick: its last snapshot says
        // "closing", and the close is final; adding it back would leave a
        // stale row no later batch removes.
        if (closed.contains(s.id))
            continue;
        const int row = m_rowById.value(s.id, -1);
        if (row >= 0) {
            m_rows[row].snapshot = s;
            m_rows[row].thread = batch.thread;
            changed.append(row);
        } else if (const auto it = addedIndex.constFind(s.id); it != addedIndex.cend()) {
            added[*it].snapshot = s;
        } else {
            addedIndex.insert(s.id, int(added.size()));
            added.append(Row{s, batch.thread});
        }
    }
    if (!added.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows(QModelIndex(), first, first + int(added.size()) - 1);
        for (int i = 0; i < added.size(); ++i) {
            m_rowById.insert(added[i].snapshot.id, first + i);
            m_rows.append(std::move(added[i]));
        }
        endInsertRows();
    }
    if (!changed.isEmpty())
        emitChanged(std::move(changed));
}

ClosedRecord ConnectionTableModel::closedRecord(const ConnectionSnapshot &last, CloseReason reason, qint64 atMs) const
{
    ClosedRecord r;
    r.last = last;
    r.reason = reason;
    r.closedAtMs = atMs;
    r.closedWallMs = QDateTime::currentMSecsSinceEpoch() - std::max<qint64>(0, m_nowMs() - atMs);
    return r;
}

QVector<ClosedRecord> ConnectionTableModel::closeAll(CloseReason reason) const
{
    QVector<ClosedRecord> out;
    out.reserve(m_rows.size());
    const qint64 now = m_nowMs();
    for (const Row &row : m_rows)
        out.append(closedRecord(row.snapshot, reason, now));
    return out;
}

void ConnectionTableModel::removeRowSet(QVector<int> rows)
{
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    // Highest first, so the lower indexes stay valid while we go.
    int i = 0;
    while (i < rows.size()) {
        const int last = rows[i];
        int first = last;
        while (i + 1 < rows.size() && rows[i + 1] == first - 1) {
            ++i;
            --first;
        }
        ++i;
        beginRemoveRows(QModelIndex(), first, last);
        m_rows.remove(first, last - first + 1);
        endRemoveRows();
    }
    rebuildIndex();
}

void ConnectionTableModel::rebuildIndex()
{
    m_rowById.clear();
    m_rowById.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowById.insert(m_rows[i].snapshot.id, i);
}

void ConnectionTableModel::emitChanged(QVector<int> rows)
{
    const int lastColumn = ColumnCount - 1;
    if (rows.size() > WholeTableShare * double(m_rows.size())) {
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, lastColumn));
        return;
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    int ranges = 1;
    for (int i = 1; i < rows.size() && ranges <= MaxChangedRanges; ++i)
        ranges += rows[i] != rows[i - 1] + 1 ? 1 : 0;
    if (ranges > MaxChangedRanges) {
        emit dataChanged(index(rows.constFirst(), 0), index(rows.constLast(), lastColumn));
        return;
    }
    int i = 0;
    while (i < rows.size()) {
        const int first = rows[i];
        int last = first;
        while (i + 1 < rows.size() && rows[i + 1] == last + 1) {
            ++i;
            ++last;
        }
        ++i;
        emit dataChanged(index(first, 0), index(last, lastColumn));
    }
}

void ConnectionTableModel::refreshCountdowns()
{
    if (m_rows.isEmpty())
        return;
    const int last = int(m_rows.size()) - 1;
    // Age .. lifetime left are adjacent; "last msg" is on its own.
    emit dataChanged(index(0, AgeColumn), index(last, LifetimeLeftColumn), {Qt::DisplayRole, SortRole, RemainingMsRole});
    emit dataChanged(index(0, LastMessageColumn), index(last, LastMessageColumn), {Qt::DisplayRole, SortRole});
}

void ConnectionTableModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    m_rowById.clear();
    endResetModel();
}

} // namespace Vigil
