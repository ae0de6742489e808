// The closed-connections history of one server: a filter box (id, peer,
// client, reason), "N of M" and a sortable table, newest last.
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace Vigil {

class ClosedConnectionModel;

class HistoryPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryPanel)
public:
    // Shows model (owned by the caller) through a proxy of its own.
    explicit HistoryPanel(ClosedConnectionModel *model, QWidget *parent = nullptr);

    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QLineEdit *filter() const { return m_filter; }
    // "12 of 1,204 closed" or "1,204 closed".
    QString countText() const;

signals:
    // A row was selected: its connection id.
    void connectionSelected(quint64 id);

private:
    void updateCount();

    ClosedConnectionModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QLabel *m_count;
    QTableView *m_view;
};

} // namespace Vigil
