// The details pane: timers, HELLO client and recent messages of the
// selected connection, kept after it closes so the end stays readable.
#pragma once

#include "ratemeter.h"
#include "snapshots.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace Vigil {

class ClosedConnectionModel;
class ConnectionTableModel;
class SparklineWidget;
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
    // The connection's inbound rate (5 s average) and the last probe's
    // round trip (PING sent to PONG received), -1 when none was seen.
    double messageRate() const;
    qint64 probeRoundTripMs() const { return m_rttMs; }

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
    SparklineWidget *m_rateLine;
    RateMeter m_rateMeter;
    qint64 m_lastRateSampleMs = 0;
    qint64 m_rttMs = -1;
};

} // namespace Vigil
