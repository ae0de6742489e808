// Table setup: the widths come from sample texts, not from the rows, so
// traffic never makes the view measure anything.
#include "tablesetup.h"

#include "closedconnectionmodel.h"
#include "connectiontablemodel.h"
#include "trafficlogmodel.h"

#include <QHeaderView>
#include <QTableView>

#include <algorithm>

namespace Vigil {

namespace {
struct ColumnWidth
{
    int column;
    const char *sample; // the widest usual content
};
constexpr ColumnWidth ConnectionColumnWidths[] = {
    {ConnectionTableModel::IdColumn, "99999"},
    {ConnectionTableModel::PeerColumn, "127.0.0.1:65535"},
    {ConnectionTableModel::ClientColumn, "gateway-eu"},
    {ConnectionTableModel::FramingColumn, "legacy"},
    {ConnectionTableModel::PolicyColumn, "short"},
    {ConnectionTableModel::StateColumn, "closing"},
    {ConnectionTableModel::AgeColumn, "9 m 59 s"},
    {ConnectionTableModel::IdleLeftColumn, "59 m 59 s 0"},
    {ConnectionTableModel::LifetimeLeftColumn, "59 m 59 s 0"},
    {ConnectionTableModel::MessagesInColumn, "999999"},
    {ConnectionTableModel::MessagesOutColumn, "999999"},
    {ConnectionTableModel::BytesInColumn, "999.9 KiB"},
    {ConnectionTableModel::BytesOutColumn, "999.9 KiB"},
    {ConnectionTableModel::LastMessageColumn, "9.9 s ago"},
    {ConnectionTableModel::InstanceColumn, "edge-eu-01"},
};
constexpr ColumnWidth HistoryColumnWidths[] = {
    {ClosedConnectionModel::IdColumn, "99999"},
    {ClosedConnectionModel::PeerColumn, "127.0.0.1:65535"},
    {ClosedConnectionModel::ClientColumn, "gateway-eu"},
    {ClosedConnectionModel::ReasonColumn, "lifetime-expired"},
    {ClosedConnectionModel::ClosedAtColumn, "2026-12-31 23:59:59"},
    {ClosedConnectionModel::DurationColumn, "59 m 59 s"},
    {ClosedConnectionModel::MessagesInColumn, "999,999"},
    {ClosedConnectionModel::MessagesOutColumn, "999,999"},
    {ClosedConnectionModel::BytesInColumn, "999.9 KiB"},
};
constexpr ColumnWidth TrafficColumnWidths[] = {
    {TrafficLogModel::TimeColumn, "00:00:00.000"},
    {TrafficLogModel::ConnectionColumn, "99999"},
    {TrafficLogModel::PeerColumn, "127.0.0.1:65535"},
    {TrafficLogModel::ClientColumn, "gateway-eu"},
    {TrafficLogModel::EventColumn, "message out"},
};

// The wider of the sample and the header, plus the cell margins.
int columnWidth(const QTableView *view, int column, const QString &sample)
{
    const QString header = view->model()->headerData(column, Qt::Horizontal).toString();
    const int headerWidth = view->horizontalHeader()->fontMetrics().horizontalAdvance(header) + 14;
    return std::max(view->fontMetrics().horizontalAdvance(sample) + 12, headerWidth);
}

template<size_t N>
void setWidths(QTableView *view, const ColumnWidth (&widths)[N])
{
    for (const ColumnWidth &w : widths)
        view->setColumnWidth(w.column, columnWidth(view, w.column, QLatin1String(w.sample)));
}
} // namespace

void setupTable(QTableView *view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideRight);
    view->verticalHeader()->hide();
    // Fixed row heights: the view never measures rows while traffic flows.
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setStretchLastSection(true);
}

void setConnectionColumnWidths(QTableView *view)
{
    setWidths(view, ConnectionColumnWidths);
}

void setHistoryColumnWidths(QTableView *view)
{
    setWidths(view, HistoryColumnWidths);
}

void setTrafficColumnWidths(QTableView *view)
{
    setWidths(view, TrafficColumnWidths);
}

} // namespace Vigil
