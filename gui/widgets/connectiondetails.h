// The details pane: timers, HELLO client and recent messages of the
// selected connection, kept after it closes so the end stays readable.
#pragma once

#include "snapshots.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace Vigil {

class ClosedConnectionModel;
class ConnectionTableModel;
class TrafficLogModel;

class ConnectionDetails final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionDetails)
public:
    // history: where a closed connection's end and totals are found.
    ConnectionDetails(const ConnectionTableModel *connections, const TrafficLogModel *traffic,
                      const ClosedConnectionModel *history, QWidget *parent = nullptr);

    // 0 clears the pane.
    void setConnection(quint64 id);
    quint64 connection() const { return m_id; }
    // Re-reads the models; cheap enough for the countdown timer.
    void refresh();
    QString text() const; // for tests

private:
    quint64 m_id = 0;
    bool m_closed = false;
    ConnectionSnapshot m_last;
    const ConnectionTableModel *m_connections;
    const TrafficLogModel *m_traffic;
    const ClosedConnectionModel *m_history;
    QLabel *m_summary;
    QPlainTextEdit *m_recent;
    int m_recentSeenRows = -1;
};

} // namespace Vigil
