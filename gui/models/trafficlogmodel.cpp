// TrafficLogModel: appends in one block per batch and trims the front with
// beginRemoveRows, so views keep their selection and scroll position.
#include "trafficlogmodel.h"
#include "fleetid.h"

#include "feedtext.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

namespace Vigil {

TrafficLogModel::TrafficLogModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString TrafficLogModel::printable(const QByteArray &bytes)
{
    QString text = QString::fromUtf8(bytes);
    for (QChar &c : text) {
        if (!c.isPrint())
            c = QLatin1Char('.');
    }
    return text;
}

int TrafficLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int TrafficLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const ServerEvent *TrafficLogModel::eventAt(int row) const
{
    if (row < 0 || row >= int(m_entries.size()) || m_entries[size_t(row)].skippedHere || m_entries[size_t(row)].marker)
        return nullptr;
    return &m_entries[size_t(row)].event;
}

QVariant TrafficLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case TimeColumn: return tr("Time");
    case ConnectionColumn: return tr("Conn");
    case PeerColumn: return tr("Peer");
    case ClientColumn: return tr("Client");
    case EventColumn: return tr("Event");
    case DetailColumn: return tr("Detail");
    }
    return QVariant();
}

QString TrafficLogModel::detail(const Entry &entry) const
{
    const ServerEvent &e = entry.event;
    switch (e.kind) {
    case EventKind::Timeout:
        return FeedText::watchdogFired(e.timeout);
    case EventKind::Closed:
        return entry.note.isEmpty() ? FeedText::closeReason(e.reason) : entry.note;
    case EventKind::Rejected:
        return FeedText::closeReason(e.reason);
    case EventKind::MessageIn:
    case EventKind::MessageOut:
    case EventKind::PingIn:
    case EventKind::PingOut:
    case EventKind::PongIn: {
        const QString size = QStringLiteral("%1 B").arg(e.size);
        if (e.preview.isEmpty())
            return size;
        const QString body = m_hex ? QString::fromLatin1(e.preview.toHex(' ')) : printable(e.preview);
        return size + QStringLiteral("  ") + body;
    }
    case EventKind::Hello:
        return e.preview.isEmpty() ? QString() : printable(e.preview);
    case EventKind::Connected:
        return QString();
    }
    return QString();
}

QVariant TrafficLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Entry &entry = m_entries[size_t(index.row())];
    const ServerEvent &e = entry.event;
    if (entry.marker) {
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == TimeColumn)
                return QDateTime::fromMSecsSinceEpoch(e.wallMs).toString(QStringLiteral("HH:mm:ss.zzz"));
            if (index.column() == EventColumn)
                return tr("— note —");
            if (index.column() == DetailColumn)
                return entry.note;
            return QVariant();
        case Qt::ToolTipRole:
            return entry.note;
        case ConnectionRole:
            return quint64(0);
        case KindRole:
            return -1;
        case Qt::ForegroundRole:
            return FeedText::readable(QColor(0x2b, 0x6c, 0xb0));
        case Qt::FontRole: {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        }
        return QVariant();
    }
    switch (role) {
    case Qt::DisplayRole:
        if (entry.skippedHere) {
            if (index.column() == TimeColumn)
                return QDateTime::fromMSecsSinceEpoch(e.wallMs).toString(QStringLiteral("HH:mm:ss.zzz"));
            if (index.column() == EventColumn)
                return tr("skipped");
            if (index.column() == DetailColumn)
                return tr("%1 events not shown (heavy load)").arg(entry.skippedHere);
            return QVariant();
        }
        switch (index.column()) {
        case TimeColumn: return QDateTime::fromMSecsSinceEpoch(e.wallMs).toString(QStringLiteral("HH:mm:ss.zzz"));
        case ConnectionColumn: return e.conn ? QVariant(QString::number(FleetId::local(e.conn))) : QVariant();
        case PeerColumn: return e.peer;
        case ClientColumn: return entry.client;
        case EventColumn: return FeedText::eventKind(e.kind);
        case DetailColumn: return detail(entry);
        }
        return QVariant();
    case ConnectionRole:
        return entry.skippedHere ? quint64(0) : e.conn;
    case KindRole:
        return entry.skippedHere ? -1 : int(e.kind);
    case ReasonRole:
        return (e.kind == EventKind::Closed || e.kind == EventKind::Rejected) && !entry.skippedHere
            ? closeReasonName(e.reason)
            : QString();
    case Qt::ForegroundRole:
        // Ends of connections stand out from the message stream.
        if (entry.skippedHere)
            return FeedText::readable(QColor(0x9a, 0x6b, 0x00));
        if (e.kind == EventKind::Timeout || e.kind == EventKind::Rejected)
            return FeedText::readable(QColor(0xc0, 0x39, 0x2b));
        if (e.kind == EventKind::Closed)
            return FeedText::readable(QColor(0x8e, 0x44, 0xad));
        if (e.kind == EventKind::Connected || e.kind == EventKind::Hello)
            return FeedText::readable(QColor(0x1e, 0x84, 0x49));
        return QVariant();
    case Qt::ToolTipRole:
        // Long details (payloads, close summaries) elide in the cell.
        if (index.column() == DetailColumn && !entry.skippedHere)
            return detail(entry);
        return QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == ConnectionColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant();
    }
    return QVariant();
}

quint64 TrafficLogModel::keepNewest(QVector<ServerEvent> &events, int max)
{
    if (events.size() <= max)
        return 0;
    const auto cut = events.size() - std::max(0, max);
    events.remove(0, cut);
    return quint64(cut);
}

void TrafficLogModel::appendEvents(const QVector<ServerEvent> &events, quint64 dropped, quint64 sampledOut)
{
    std::deque<Entry> fresh;
    if (sampledOut) {
        Entry note;
        note.skippedHere = sampledOut;
        note.event.wallMs = events.isEmpty() ? QDateTime::currentMSecsSinceEpoch() : events.constFirst().wallMs;
        fresh.push_back(std::move(note));
        m_skipped += sampledOut;
        if (!dropped)
            emit skippedChanged(m_skipped);
    }
    for (const ServerEvent &e : events) {
        Entry entry{e, 0, QString(), false, QString()};
        if (e.kind == EventKind::Closed && m_closeNote)
            entry.note = m_closeNote(e);
        if (e.conn && m_clientOf)
            entry.client = m_clientOf(e);
        fresh.push_back(std::move(entry));
    }
    if (dropped) {
        Entry note;
        note.skippedHere = dropped;
        note.event.wallMs = events.isEmpty() ? QDateTime::currentMSecsSinceEpoch() : events.constLast().wallMs;
        fresh.push_back(std::move(note));
        m_skipped += dropped;
        emit skippedChanged(m_skipped);
    }
    if (fresh.empty())
        return;
    if (m_paused) {
        for (Entry &entry : fresh)
            m_pending.push_back(std::move(entry));
        // The bound holds while paused too: the oldest waiting events go.
        quint64 lost = 0;
        while (int(m_pending.size()) > m_capacity) {
            if (!m_pending.front().skippedHere)
                ++lost;
            m_pending.pop_front();
        }
        if (lost) {
            m_skipped += lost;
            emit skippedChanged(m_skipped);
        }
        return;
    }
    insertEntries(std::move(fresh));
}

void TrafficLogModel::insertEntries(std::deque<Entry> &&fresh)
{
    // More new entries than fit: only the newest capacity are kept.
    while (int(fresh.size()) > m_capacity)
        fresh.pop_front();
    const int overflow = int(m_entries.size() + fresh.size()) - m_capacity;
    if (overflow > 0) {
        beginRemoveRows(QModelIndex(), 0, overflow - 1);
        m_entries.erase(m_entries.begin(), m_entries.begin() + overflow);
        endRemoveRows();
    }
    const int first = int(m_entries.size());
    beginInsertRows(QModelIndex(), first, first + int(fresh.size()) - 1);
    for (Entry &entry : fresh)
        m_entries.push_back(std::move(entry));
    endInsertRows();
}

void TrafficLogModel::appendMarker(const QString &text)
{
    Entry entry;
    entry.marker = true;
    entry.note = text;
    entry.event.wallMs = QDateTime::currentMSecsSinceEpoch();
    std::deque<Entry> fresh;
    fresh.push_back(std::move(entry));
    if (m_paused) {
        m_pending.push_back(std::move(fresh.front()));
        return;
    }
    insertEntries(std::move(fresh));
}

void TrafficLogModel::clear()
{
    beginResetModel();
    m_entries.clear();
    m_pending.clear();
    endResetModel();
    m_skipped = 0;
    emit skippedChanged(m_skipped);
}

void TrafficLogModel::setCapacity(int capacity)
{
    m_capacity = std::max(1, capacity);
    const int overflow = int(m_entries.size()) - m_capacity;
    if (overflow > 0) {
        beginRemoveRows(QModelIndex(), 0, overflow - 1);
        m_entries.erase(m_entries.begin(), m_entries.begin() + overflow);
        endRemoveRows();
    }
}

void TrafficLogModel::setHexMode(bool hex)
{
    if (hex == m_hex)
        return;
    m_hex = hex;
    if (!m_entries.empty())
        emit dataChanged(index(0, DetailColumn), index(int(m_entries.size()) - 1, DetailColumn), {Qt::DisplayRole});
}

void TrafficLogModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!m_paused && !m_pending.empty())
        insertEntries(std::exchange(m_pending, {}));
}

} // namespace Vigil
