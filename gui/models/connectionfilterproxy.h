// Sorting and the filter box in front of ConnectionTableModel: numbers
// sort as numbers, the filter matches id, peer or client name.
#pragma once

#include <QSortFilterProxyModel>

namespace Vigil {

class ConnectionFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionFilterProxy)
public:
    explicit ConnectionFilterProxy(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    QString filterText() const { return m_text; }
    // Re-applies filter and sort after a batch: with dynamic sorting off
    // (see the constructor) changed rows are not re-checked by themselves.
    void refresh();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_text;
};

} // namespace Vigil
