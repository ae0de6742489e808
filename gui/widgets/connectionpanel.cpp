// ConnectionPanel: one table setup and one refresh cadence for the embedded
// server's tab and every attached server's tab.
#include "connectionpanel.h"

#include "connectionfilterproxy.h"
#include "connectiontablemodel.h"
#include "countdowndelegate.h"
#include "tablesetup.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMenu>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Vigil {

namespace {
// New rows, HELLO names and changed counters reach sort order and filter.
constexpr int ProxyRefreshMs = 1000;
} // namespace

ConnectionPanel::ConnectionPanel(ConnectionTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new ConnectionFilterProxy(this))
    , m_filter(new QLineEdit(this))
    , m_view(new QTableView(this))
{
    m_proxy->setSourceModel(m_model);
    m_filter->setPlaceholderText(tr("Filter by id, peer or client…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &ConnectionFilterProxy::setFilterText);

    m_view->setModel(m_proxy);
    setupTable(m_view);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ConnectionTableModel::IdColumn, Qt::AscendingOrder);
    auto *countdown = new CountdownDelegate(m_view);
    m_view->setItemDelegateForColumn(ConnectionTableModel::IdleLeftColumn, countdown);
    m_view->setItemDelegateForColumn(ConnectionTableModel::LifetimeLeftColumn, countdown);
    setConnectionColumnWidths(m_view);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ConnectionPanel::selectionChanged);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);
}

QAction *ConnectionPanel::createKickAction(QObject *parent)
{
    auto *kick = new QAction(QIcon(QStringLiteral(":/vigil/kick.png")), tr("&Kick"), parent);
    kick->setShortcut(QKeySequence::Delete);
    kick->setShortcutContext(Qt::WidgetShortcut); // Delete only acts in the table
    kick->setToolTip(tr("Close the selected connections with BYE kicked"));
    return kick;
}

void ConnectionPanel::applyBatch(const ServerBatch &batch)
{
    m_model->applyBatch(batch);
    scheduleProxyRefresh();
}

QList<quint64> ConnectionPanel::selectedConnections() const
{
    QList<quint64> ids;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        ids << index.data(ConnectionTableModel::IdRole).toULongLong();
    return ids;
}

bool ConnectionPanel::hasSelection() const
{
    return m_view->selectionModel()->hasSelection();
}

void ConnectionPanel::setContextMenu(QMenu *menu)
{
    // A menu over empty space would act on a selection the user cannot see.
    m_menu = menu;
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        if (m_view->indexAt(pos).isValid())
            m_menu->popup(m_view->viewport()->mapToGlobal(pos));
    });
}

void ConnectionPanel::scheduleProxyRefresh()
{
    // Re-sort and re-filter at most once a second, however many
    // batches (one per network thread and tick) arrive: rows that jump
    // on every tick cannot be clicked.
    if (m_refreshScheduled)
        return;
    m_refreshScheduled = true;
    QTimer::singleShot(ProxyRefreshMs, this, [this] {
        m_refreshScheduled = false;
        m_proxy->refresh();
    });
}

} // namespace Vigil
