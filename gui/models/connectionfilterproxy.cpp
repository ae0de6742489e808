// ConnectionFilterProxy: a substring match on the model's search text.
#include "connectionfilterproxy.h"

#include "connectiontablemodel.h"

namespace Vigil {

ConnectionFilterProxy::ConnectionFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ConnectionTableModel::SortRole);
    // Countdowns tick every repaint; re-sorting on each tick would make
    // rows jump under the pointer. The window re-sorts after batches, at
    // most once a second (MainWindow::scheduleProxyRefresh), and on clicks.
    setDynamicSortFilter(false);
}

void ConnectionFilterProxy::setFilterText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateFilter();
    // Rows the filter lets back in arrive unsorted while dynamic sorting is off.
    if (sortColumn() >= 0)
        sort(sortColumn(), sortOrder());
}

void ConnectionFilterProxy::refresh()
{
    if (!m_text.isEmpty())
        invalidateFilter();
    if (sortColumn() >= 0)
        sort(sortColumn(), sortOrder());
}

bool ConnectionFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return index.data(ConnectionTableModel::SearchTextRole).toString().contains(m_text, Qt::CaseInsensitive);
}

bool ConnectionFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Numbers compare straight from the rows: no QVariant per comparison.
    if (const auto *model = qobject_cast<const ConnectionTableModel *>(sourceModel())) {
        if (const auto less = model->lessThan(left.row(), right.row(), left.column()))
            return *less;
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace Vigil
