// One server in a tab, whichever kind its ServerSource is: the connection
// table under a banner for lost contact, and the pages the window's docks
// show while this view is in front (traffic log, statistics, details).
#pragma once

#include "serversource.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QMenu;
class QTableView;

namespace Vigil {

class ConnectionDetails;
class ConnectionFilterProxy;
class ConnectionPanel;
class ConnectionTableModel;
class StatsPanel;
class TrafficFilterProxy;
class TrafficLogModel;
class TrafficPanel;

class ServerView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerView)
public:
    // Takes ownership of source; whoever made the view starts it.
    explicit ServerView(ServerSource *source, QWidget *parent = nullptr);
    ~ServerView() override;

    ServerSource *source() const { return m_source; }
    ConnectionTableModel *connectionModel() const { return m_connectionModel; }
    ConnectionFilterProxy *connectionProxy() const;
    TrafficLogModel *trafficModel() const { return m_trafficModel; }
    TrafficFilterProxy *trafficProxy() const;
    QTableView *connectionView() const;
    QTableView *trafficView() const;

    // Pages for the window's docks, created without a parent: the window
    // puts them where it likes; the view deletes them with itself.
    TrafficPanel *trafficPanel() const;
    StatsPanel *statsPanel() const;
    ConnectionDetails *details() const;

    // The banner's text; empty (and hidden) while live or stopped.
    QString bannerText() const;
    // "Listening on … · 3 connections · in 12 msg/s · out 12 msg/s", or the state.
    QString statusText() const;
    // Whether the last kick's answer was an error, and which.
    QString lastKickError() const { return m_lastKickError; }

    QList<quint64> selectedConnections() const;
    bool hasSelection() const;
    // Pops menu up on a right-clicked row.
    void setContextMenu(QMenu *menu);

    void kickSelected();
    void copySelectedPeers();
    void showTrafficOfSelected();
    void refreshDetails();

signals:
    void selectionChanged();
    void statusChanged();
    // A row was double-clicked: the window shows the details page.
    void detailsRequested();
    // A kick the server refused or never answered, as one line.
    void kickFailed(const QString &message);

private:
    void handleBatch(const ServerBatch &batch);
    void handleStats(const ServerStats &stats);
    void handleSourceStatus();
    void handleKickFinished(quint64 id, bool ok, const QString &error);
    void handleCountdownTick();

    ServerSource *m_source;
    ConnectionTableModel *m_connectionModel;
    TrafficLogModel *m_trafficModel;
    ConnectionPanel *m_connections = nullptr;
    QPointer<TrafficPanel> m_traffic;
    QPointer<StatsPanel> m_stats;
    QPointer<ConnectionDetails> m_details;
    QLabel *m_banner = nullptr;
    QTimer m_countdownTimer;
    QString m_lastKickError;
    ServerSource::State m_lastState = ServerSource::State::Stopped;
};

} // namespace Vigil
