// A running vigild seen through its admin endpoint (docs/admin.md): polls
// the connections and stats, follows the event stream, and hands the views
// the same ServerBatch / ServerStats values the embedded server publishes.
#pragma once

#include "serverstats.h"
#include "snapshots.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUrl>

class QNetworkReply;
class QJsonDocument;

namespace Vigil {

class RemoteServerSource final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemoteServerSource)
public:
    enum class State {
        Stopped,
        Connecting,   // first contact, or a retry under way
        Connected,
        Lost,         // no answer (refused, reset, timed out): retrying
        Unauthorized, // 401: token missing or wrong; retrying
        BadResponse,  // an answer that is not the admin API: retrying
    };

    // address: HOST:PORT of `vigild --admin`; token: empty for none.
    explicit RemoteServerSource(const QString &address, const QString &token = QString(),
                                QObject *parent = nullptr);
    ~RemoteServerSource() override;

    // "HOST:PORT", "[V6]:PORT"; host names are fine (unlike --listen).
    static bool isValidAddress(const QString &address);

    QString address() const { return m_address; }
    QString token() const { return m_token; }
    State state() const { return m_state; }
    // One line for a banner or status bar, e.g. "connection lost — retrying in 3 s".
    QString statusText() const;
    // The last failure's detail (HTTP status, socket error), empty when fine.
    QString errorString() const { return m_error; }
    // Whole seconds until the next attempt while failed, else 0.
    int retryInSeconds() const;
    ServerStats lastStats() const { return m_lastStats; }

    void start();
    void stop();
    // POST /api/v1/connections/{id}/kick; kickFinished reports the answer.
    void kick(quint64 id);

    // Tuning (tests shorten these).
    void setPollInterval(int ms) { m_pollTimer.setInterval(ms); }
    void setRetryDelays(int firstMs, int maxMs);
    void setEventWaitMs(int ms) { m_eventWaitMs = ms; }

signals:
    void batchPublished(const Vigil::ServerBatch &batch);
    void statsUpdated(const Vigil::ServerStats &stats);
    // State changes, and once a second the retry countdown.
    void statusChanged();
    void kickFinished(quint64 id, bool ok, const QString &error);

private:
    enum class Endpoint { Connections, Stats, Events };

    void poll();
    QNetworkReply *get(const QString &path, const QString &query, int timeoutMs);
    void send(Endpoint endpoint);
    void handleReply(QNetworkReply *reply, Endpoint endpoint, quint64 generation);
    bool checkReply(QNetworkReply *reply, QJsonDocument *json);
    void handleConnections(const QJsonDocument &json);
    void handleStats(const QJsonDocument &json);
    void handleEvents(const QJsonDocument &json);
    void fail(State state, const QString &error);
    void retry();
    void abortAll();
    void setState(State state);
    QUrl url(const QString &path, const QString &query = QString()) const;

    QString m_address;
    QString m_token;
    QUrl m_base;
    QNetworkAccessManager m_network;
    QPointer<QNetworkReply> m_connectionsReply;
    QPointer<QNetworkReply> m_statsReply;
    QPointer<QNetworkReply> m_eventsReply;
    QTimer m_pollTimer;
    QTimer m_retryTimer;
    QTimer m_countdownTimer;
    State m_state = State::Stopped;
    QString m_error;
    // Replies of an earlier attempt are ignored after a failure.
    quint64 m_generation = 0;
    int m_firstRetryMs;
    int m_maxRetryMs;
    int m_retryMs;
    int m_eventWaitMs;
    QElapsedTimer m_retryClock;
    int m_retryDelay = 0;
    quint64 m_eventsSince = 0;
    bool m_haveServerDropped = false;
    quint64 m_serverDropped = 0;
    // Ids the event stream reported closed: a connections poll that was
    // answered just before the close must not bring their rows back. Ids
    // are unique for one vigild run; the set is cleared when it is lost.
    QSet<quint64> m_closedIds;
    ServerStats m_lastStats;
};

} // namespace Vigil
