// TrafficFilterProxy: cheap role checks first, the text match last.
#include "trafficfilterproxy.h"

#include "snapshots.h"
#include "trafficlogmodel.h"

namespace Vigil {

TrafficFilterProxy::TrafficFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    // The log is in time order already; the proxy only filters.
    setDynamicSortFilter(true);
}

void TrafficFilterProxy::setConnection(quint64 id)
{
    if (id == m_connection)
        return;
    m_connection = id;
    invalidateFilter();
}

void TrafficFilterProxy::setKind(int kind)
{
    if (kind == m_kind)
        return;
    m_kind = kind;
    invalidateFilter();
}

void TrafficFilterProxy::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateFilter();
}

bool TrafficFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex first = sourceModel()->index(sourceRow, 0, sourceParent);
    const int kind = first.data(TrafficLogModel::KindRole).toInt();
    if (kind < 0) // "skipped" notes always show: they explain gaps
        return true;
    if (m_connection && first.data(TrafficLogModel::ConnectionRole).toULongLong() != m_connection)
        return false;
    if (m_kind != AnyKind) {
        const auto k = EventKind(kind);
        bool ok = false;
        switch (m_kind) {
        case MessagesKind: ok = k == EventKind::MessageIn || k == EventKind::MessageOut; break;
        case PingsKind: ok = k == EventKind::PingIn || k == EventKind::PingOut || k == EventKind::PongIn; break;
        case EndsKind: ok = k == EventKind::Timeout || k == EventKind::Closed || k == EventKind::Rejected; break;
        default: ok = kind == m_kind; break;
        }
        if (!ok)
            return false;
    }
    if (m_text.isEmpty())
        return true;
    for (int c = 0; c < TrafficLogModel::ColumnCount; ++c) {
        if (sourceModel()->index(sourceRow, c, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace Vigil
