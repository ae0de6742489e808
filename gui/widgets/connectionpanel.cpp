// ConnectionPanel: one table setup and one refresh cadence for the embedded
// server's tab and every attached server's tab.
#include "connectionpanel.h"

#include "connectionfilterproxy.h"
#include "connectiontablemodel.h"
#include "countdowndelegate.h"
#include "feedtext.h"
#include "tablesetup.h"

#include <QAction>
#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMenu>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

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
    m_filter->setToolTip(tr("Show only connections whose id, peer or HELLO client name contains this text; "
                            "Connection > Kick Matching acts on what it shows"));
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

    // Columns can be hidden (header menu) and moved; the window saves both
    // with the header's state.
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->horizontalHeader()->setToolTip(tr("Click to sort, drag to reorder, right-click to choose the columns"));
    connect(m_view->horizontalHeader(), &QWidget::customContextMenuRequested, this, &ConnectionPanel::showColumnMenu);
    m_view->horizontalHeader()->setSectionHidden(ConnectionTableModel::UpstreamColumn, true);
    m_view->horizontalHeader()->setSectionHidden(ConnectionTableModel::InstanceColumn, true);

    m_empty = new QLabel(m_view->viewport());
    m_empty->setObjectName(QStringLiteral("connectionEmptyState"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_empty->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); padding: 24px; }"));
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &ConnectionPanel::updateEmptyState);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ConnectionPanel::updateEmptyState);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &ConnectionPanel::updateEmptyState);
    connect(m_filter, &QLineEdit::textChanged, this, &ConnectionPanel::updateEmptyState);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);
    m_view->viewport()->installEventFilter(this);
    updateEmptyState();
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
    // The Upstream column waits, hidden, for a forward-mode server: shown
    // once with its first relayed client, then the operator's to hide.
    if (!m_upstreamSeen && std::any_of(batch.updated.cbegin(), batch.updated.cend(),
                                       [](const ConnectionSnapshot &s) { return s.upstream.has_value(); })) {
        m_upstreamSeen = true;
        m_view->horizontalHeader()->setSectionHidden(ConnectionTableModel::UpstreamColumn, false);
    }
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

void ConnectionPanel::setEmptyText(const QString &text)
{
    m_emptyText = text;
    updateEmptyState();
}

QString ConnectionPanel::emptyStateText() const
{
    return m_empty->isHidden() ? QString() : m_empty->text();
}

void ConnectionPanel::updateEmptyState()
{
    QString text;
    if (m_proxy->rowCount() == 0) {
        const int all = m_model->rowCount();
        text = all > 0 ? tr("0 of %1 match \"%2\"").arg(FeedText::count(quint64(all)), m_filter->text()) : m_emptyText;
    }
    m_empty->setText(text);
    m_empty->setVisible(!text.isEmpty());
    m_empty->resize(m_view->viewport()->size());
    m_empty->move(0, 0);
}

void ConnectionPanel::showColumnMenu(const QPoint &pos)
{
    // A checkable entry per column; the last visible one stays.
    QHeaderView *header = m_view->horizontalHeader();
    QMenu menu(this);
    int visible = 0;
    for (int c = 0; c < m_model->columnCount(); ++c)
        visible += header->isSectionHidden(c) ? 0 : 1;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        QAction *a = menu.addAction(m_model->headerData(c, Qt::Horizontal).toString());
        a->setCheckable(true);
        a->setChecked(!header->isSectionHidden(c));
        a->setEnabled(header->isSectionHidden(c) || visible > 1);
        connect(a, &QAction::toggled, this, [header, c](bool on) { header->setSectionHidden(c, !on); });
    }
    menu.exec(header->mapToGlobal(pos));
}

bool ConnectionPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        m_empty->resize(m_view->viewport()->size());
    return QWidget::eventFilter(watched, event);
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
