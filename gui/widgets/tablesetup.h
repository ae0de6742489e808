// Shared QTableView setup for the connection and traffic tables, so the
// embedded server's views and attached servers' views look and scale alike.
#pragma once

class QTableView;

namespace Vigil {

// Row selection, fixed row heights, no per-update measuring.
void setupTable(QTableView *view);
// Fixed, content-independent column widths (no resizeColumnsToContents).
void setConnectionColumnWidths(QTableView *view);
void setHistoryColumnWidths(QTableView *view);
void setTrafficColumnWidths(QTableView *view);

} // namespace Vigil
