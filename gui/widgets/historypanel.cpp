// HistoryPanel: a plain QSortFilterProxyModel is enough here; the history
// changes only at its ends, at most once per publish tick.
#include "historypanel.h"

#include "closedconnectionmodel.h"
#include "feedtext.h"
#include "tablesetup.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace Vigil {

HistoryPanel::HistoryPanel(ClosedConnectionModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_count(new QLabel(this))
    , m_view(new QTableView(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ClosedConnectionModel::SortRole);
    m_proxy->setFilterRole(ClosedConnectionModel::SearchTextRole);
    m_proxy->setFilterKeyColumn(ClosedConnectionModel::IdColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setObjectName(QStringLiteral("historyFilter"));
    m_filter->setPlaceholderText(tr("Filter by id, peer, client or reason…"));
    m_filter->setToolTip(tr("Show only closed connections whose id, peer, client name or close reason contains this text"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    m_count->setObjectName(QStringLiteral("historyCount"));

    m_view->setObjectName(QStringLiteral("historyView"));
    m_view->setModel(m_proxy);
    setupTable(m_view);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // arrival order until a header is clicked
    setHistoryColumnWidths(m_view);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    emit connectionSelected(current.data(ClosedConnectionModel::IdRole).toULongLong());
            });

    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &HistoryPanel::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &HistoryPanel::updateCount);
    connect(m_filter, &QLineEdit::textChanged, this, &HistoryPanel::updateCount);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_count);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    updateCount();
}

QString HistoryPanel::countText() const
{
    const int all = m_model->rowCount();
    if (m_filter->text().isEmpty())
        return tr("%1 closed (last %2 kept)").arg(FeedText::count(quint64(all)), FeedText::count(quint64(m_model->capacity())));
    return tr("%1 of %2 closed").arg(FeedText::count(quint64(m_proxy->rowCount())), FeedText::count(quint64(all)));
}

void HistoryPanel::updateCount()
{
    m_count->setText(countText());
}

} // namespace Vigil
