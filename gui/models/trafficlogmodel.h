// The traffic log: a bounded list of server events (connects, messages,
// PINGs, timeouts, closes) that drops its oldest entries first.
#pragma once

#include "snapshots.h"

#include <QAbstractTableModel>
#include <deque>
#include <functional>

namespace Vigil {

class TrafficLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficLogModel)
public:
    static constexpr int DefaultCapacity = 10000;

    enum Column { TimeColumn, ConnectionColumn, PeerColumn, ClientColumn, EventColumn, DetailColumn, ColumnCount };
    enum Role {
        ConnectionRole = Qt::UserRole + 1, // quint64, 0 for server-wide entries
        KindRole,                          // int(EventKind), -1 for "skipped" notes and markers
        ReasonRole,                        // close reason name, or empty
    };

    explicit TrafficLogModel(QObject *parent = nullptr);

    // A message preview as one line of text: invalid UTF-8 and control
    // bytes become dots, so a binary payload cannot break the row or pane.
    static QString printable(const QByteArray &bytes);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Appends a batch's events; dropped = events the core did not send
    // (noted after them), sampledOut = older events left out before them
    // (keepNewest(), noted before them).
    void appendEvents(const QVector<ServerEvent> &events, quint64 dropped = 0, quint64 sampledOut = 0);
    // Under load the log shows a sample: at most max of the newest events
    // per append (10 a second), the rest counted as skipped. Returns how
    // many were taken out of events.
    static quint64 keepNewest(QVector<ServerEvent> &events, int max = MaxEventsPerAppend);
    static constexpr int MaxEventsPerAppend = 200;
    // A line of the log's own ("vigild restarted: connection ids start
    // again"), between the events before and after it.
    void appendMarker(const QString &text);
    void clear();

    int capacity() const { return m_capacity; }
    void setCapacity(int capacity);
    // Payload previews as text (default) or hex bytes.
    bool hexMode() const { return m_hex; }
    void setHexMode(bool hex);
    // While paused, new events wait (bounded) and arrive on resume.
    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    // Events never shown: dropped by the core under load, or by the bound
    // while paused.
    quint64 skipped() const { return m_skipped; }

    const ServerEvent *eventAt(int row) const;

    // What a "closed" row adds after the reason (duration and totals, as
    // vigild's own log has them), asked once when the event arrives.
    using CloseNote = std::function<QString(const ServerEvent &)>;
    void setCloseNote(CloseNote note) { m_closeNote = std::move(note); }
    // The HELLO name of an event's connection, asked once when it arrives,
    // so the log can be searched by client (a Client column).
    using ClientOf = std::function<QString(const ServerEvent &)>;
    void setClientOf(ClientOf clientOf) { m_clientOf = std::move(clientOf); }

signals:
    void skippedChanged(quint64 skipped);

private:
    struct Entry
    {
        ServerEvent event;
        quint64 skippedHere = 0; // > 0: a note "N events skipped", not an event
        QString note;            // closed: duration and totals; a marker's text
        bool marker = false;     // a line of the log's own, not an event
        QString client;          // the connection's HELLO name when it arrived
    };

    void insertEntries(std::deque<Entry> &&entries);
    QString detail(const Entry &entry) const;

    std::deque<Entry> m_entries;
    std::deque<Entry> m_pending; // while paused
    int m_capacity = DefaultCapacity;
    quint64 m_skipped = 0;
    bool m_hex = false;
    bool m_paused = false;
    CloseNote m_closeNote;
    ClientOf m_clientOf;
};

} // namespace Vigil
