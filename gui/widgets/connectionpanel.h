// The connection table of one server, embedded or attached: a filter line
// over a sortable, filtered table with countdown bars, re-sorted calmly.
#pragma once

#include "snapshots.h"

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QTableView;

namespace Vigil {

class ConnectionFilterProxy;
class ConnectionTableModel;

class ConnectionPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionPanel)
public:
    // Countdown bars move smoothly at ~7 Hz without costing anything per
    // message; the owner's timer calls ConnectionTableModel::refreshCountdowns.
    static constexpr int CountdownRepaintMs = 150;

    // Shows model (owned by the caller) through a proxy of its own.
    explicit ConnectionPanel(ConnectionTableModel *model, QWidget *parent = nullptr);

    // The "Kick" action both kinds of server view offer: Delete acts only
    // in the table it is added to.
    static QAction *createKickAction(QObject *parent);

    ConnectionTableModel *model() const { return m_model; }
    ConnectionFilterProxy *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QLineEdit *filter() const { return m_filter; }

    // Applies the batch's connection changes to the model; sort order and
    // filter catch up within a second.
    void applyBatch(const ServerBatch &batch);
    QList<quint64> selectedConnections() const;
    bool hasSelection() const;
    // Pops menu up when a row (not the empty area) is right-clicked.
    void setContextMenu(QMenu *menu);
    // What the empty table says when nothing is connected; a filter that
    // matches nothing says "0 of N match" instead.
    void setEmptyText(const QString &text);
    QString emptyStateText() const; // empty while rows show

signals:
    void selectionChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void scheduleProxyRefresh();
    void updateEmptyState();
    void showColumnMenu(const QPoint &pos);

    ConnectionTableModel *m_model;
    ConnectionFilterProxy *m_proxy;
    QLineEdit *m_filter;
    QTableView *m_view;
    QMenu *m_menu = nullptr;
    QLabel *m_empty = nullptr;
    QString m_emptyText;
    bool m_refreshScheduled = false;
    bool m_upstreamSeen = false;
};

} // namespace Vigil
