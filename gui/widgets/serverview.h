// One attached vigild in a tab: its connections, traffic log and
// statistics, fed by a RemoteServerSource through the same models and
// widgets the embedded server uses, plus a banner for lost contact.
#pragma once

#include "remoteserversource.h"

#include <QTimer>
#include <QWidget>

class QAction;
class QLabel;
class QTableView;

namespace Vigil {

class ConnectionFilterProxy;
class ConnectionPanel;
class ConnectionTableModel;
class StatsPanel;
class TrafficLogModel;
class TrafficPanel;

class ServerView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerView)
public:
    // Takes ownership of source and starts it.
    explicit ServerView(RemoteServerSource *source, QWidget *parent = nullptr);
    ~ServerView() override;

    RemoteServerSource *source() const { return m_source; }
    ConnectionTableModel *connectionModel() const { return m_connectionModel; }
    ConnectionFilterProxy *connectionProxy() const;
    TrafficLogModel *trafficModel() const { return m_trafficModel; }
    QTableView *connectionView() const;
    QTableView *trafficView() const;
    StatsPanel *statsPanel() const { return m_stats; }
    QAction *kickAction() const { return m_kickAction; }
    // The banner's text; empty (and hidden) while attached.
    QString bannerText() const;
    // "3 connections · in 12 msg/s · out 12 msg/s", or the state.
    QString statusText() const;
    // Whether the last kick's answer was an error, and which.
    QString lastKickError() const { return m_lastKickError; }

    QList<quint64> selectedConnections() const;
    bool hasSelection() const;
    void kickSelected();

signals:
    void selectionChanged();
    void statusChanged();
    // A kick the server refused or never answered, as one line.
    void kickFailed(const QString &message);

private:
    QWidget *createConnectionsPanel();
    QWidget *createTrafficPanel();
    void handleBatch(const ServerBatch &batch);
    void handleStats(const ServerStats &stats);
    void handleSourceStatus();
    void handleKickFinished(quint64 id, bool ok, const QString &error);

    RemoteServerSource *m_source;
    ConnectionTableModel *m_connectionModel;
    TrafficLogModel *m_trafficModel;
    ConnectionPanel *m_connections = nullptr;
    TrafficPanel *m_traffic = nullptr;
    StatsPanel *m_stats = nullptr;
    QLabel *m_banner = nullptr;
    QAction *m_kickAction = nullptr;
    QTimer m_countdownTimer;
    QString m_lastKickError;
};

} // namespace Vigil
