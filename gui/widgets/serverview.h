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
class QPushButton;
class QTabWidget;
class QTableView;

namespace Vigil {

class ClosedConnectionModel;
class ConnectionDetails;
class HistoryPanel;
class ConnectionFilterProxy;
class ConnectionPanel;
class ConnectionTableModel;
class FleetSummaryPanel;
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
    // The closed-connections history (the last 10,000).
    ClosedConnectionModel *historyModel() const { return m_historyModel; }
    TrafficFilterProxy *trafficProxy() const;
    QTableView *connectionView() const;
    QTableView *trafficView() const;

    // Pages for the window's docks, created without a parent: the window
    // puts them where it likes; the view deletes them with itself.
    TrafficPanel *trafficPanel() const;
    StatsPanel *statsPanel() const;
    ConnectionDetails *details() const;
    HistoryPanel *historyPanel() const;
    // A fleet's Summary page and the tabs it shares with the table; null
    // for one server.
    FleetSummaryPanel *fleetSummary() const { return m_fleetSummary; }
    QTabWidget *fleetPages() const { return m_pages; }

    // The window's saved connection-table header (columns, order, sort),
    // with a fleet's Instance column shown beside the ID.
    void restoreConnectionHeader(const QByteArray &state);

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
    // The rows the filter box lets through, and whether it is in use.
    int matchingConnectionCount() const;
    bool isFiltered() const;
    QList<quint64> matchingConnections() const;
    // Kicks every matching connection; returns how many were asked to close.
    int kickMatching();
    void copySelectedPeers();
    void showTrafficOfSelected();
    void refreshDetails();
    // The banner's buttons: try again at once; another token (a dialog).
    void retryNow();
    void editToken();
    QPushButton *retryButton() const { return m_retryButton; }
    QPushButton *tokenButton() const { return m_tokenButton; }

signals:
    void selectionChanged();
    // The filter box changed what matches (bulk actions recount).
    void matchingChanged();
    void statusChanged();
    // A row was double-clicked: the window shows the details page.
    void detailsRequested();
    // A kick the server refused or never answered, as one line.
    void kickFailed(const QString &message);
    // The operator gave the source another token (the window saves it).
    void tokenChanged(const QString &token);

protected:
    void changeEvent(QEvent *event) override;

private:
    void styleBanner();
    void showInstanceColumn();
    void handleBatch(const ServerBatch &batch);
    void handleStats(const ServerStats &stats);
    void handleSourceStatus();
    void handleKickFinished(quint64 id, bool ok, const QString &error);
    void handleCountdownTick();
    void handleSelectionChanged();

    ServerSource *m_source;
    ConnectionTableModel *m_connectionModel;
    TrafficLogModel *m_trafficModel;
    ClosedConnectionModel *m_historyModel;
    ConnectionPanel *m_connections = nullptr;
    FleetSummaryPanel *m_fleetSummary = nullptr;
    QTabWidget *m_pages = nullptr;
    QPointer<TrafficPanel> m_traffic;
    QPointer<StatsPanel> m_stats;
    QPointer<ConnectionDetails> m_details;
    QPointer<HistoryPanel> m_history;
    QWidget *m_bannerBox = nullptr;
    QLabel *m_banner = nullptr;
    QPushButton *m_retryButton = nullptr;
    QPushButton *m_tokenButton = nullptr;
    QTimer m_countdownTimer;
    QString m_lastKickError;
    ServerSource::State m_lastState = ServerSource::State::Stopped;
};

} // namespace Vigil
