// A running vigild seen through its admin endpoint (docs/admin.md): polls
// the connections and stats, follows the event stream, and hands the views
// the same ServerBatch / ServerStats values the embedded server publishes.
#pragma once

#include "serversource.h"

#include "feedjson.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <optional>

class QNetworkReply;

namespace Vigil {

class RemoteServerSource final : public ServerSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemoteServerSource)
public:
    // address: HOST:PORT of `vigild --admin`; token: empty for none.
    explicit RemoteServerSource(const QString &address, const QString &token = QString(),
                                QObject *parent = nullptr);
    ~RemoteServerSource() override;

    // "HOST:PORT", "[V6]:PORT"; host names are fine (unlike --listen).
    static bool isValidAddress(const QString &address);

    QString address() const { return m_address; }
    QString token() const override { return m_token; }
    // Whole seconds until the next attempt while failed, else 0.
    int retryInSeconds() const;

    // vigild is configured where it runs: watching, kicking, draining
    // (POST /api/v1/drain; the vigild exits when its drain is done), and
    // trying again with another token.
    Capabilities capabilities() const override { return Capability::Drain | Capability::Retry | Capability::Token; }
    QString title() const override { return m_address; }
    QString instanceName() const override { return m_instance; }
    State state() const override { return m_state; }
    // e.g. "connection lost — retrying in 3 s".
    QString statusText() const override;
    // The last failure's detail (HTTP status, socket error), empty when fine.
    QString errorString() const override { return m_error; }
    ServerStats lastStats() const override { return m_lastStats; }
    bool hasPreviews() const override { return false; } // the admin API carries none

    // Starts watching; always true (failures are states that retry).
    bool start() override;
    void stop() override;
    void applyConfig(const ServerConfig &, bool) override {}
    // POST /api/v1/drain {"drain_ms": ms}; the answer comes as a notice.
    bool drain(qint64 ms) override;
    void retryNow() override;
    void setToken(const QString &token) override;
    // After "not an HTTP server": retrying would only make the watched
    // server log a protocol error per attempt.
    bool hasGivenUp() const override { return m_gaveUp; }
    // POST /api/v1/connections/{id}/kick; kickFinished reports the answer.
    void kick(quint64 id) override;
    // A view out of sight keeps polling: its tab still shows lost contact.
    void setWatched(bool) override {}
    // The connections and stats poll.
    void setPublishInterval(int intervalMs) override { setPollInterval(intervalMs); }

    // Tuning (tests shorten these).
    void setPollInterval(int ms) { m_pollTimer.setInterval(ms); }
    void setRetryDelays(int firstMs, int maxMs);
    void setEventWaitMs(int ms) { m_eventWaitMs = ms; }

private:
    enum class Endpoint { Connections, Stats, Events };

    void poll();
    QNetworkReply *get(const QString &path, const QString &query, int timeoutMs);
    void send(Endpoint endpoint);
    // One answer on its way from the socket to the views: the HTTP part
    // checked on this thread, the body parsed and decoded on a pool thread.
    struct DecodeJob
    {
        Endpoint endpoint = Endpoint::Stats;
        quint64 generation = 0;
        int status = 0;
        QString reason;   // the HTTP reason phrase
        QByteArray body;  // until decode() parsed it
        QJsonDocument json; // stats, an error's body, or a shape that was wrong
        QString parseError;
        QVector<ConnectionSnapshot> rows; // connections
        std::optional<FeedJson::Decoded<FeedJson::EventPage>> page; // events
    };

    void handleReply(QNetworkReply *reply, Endpoint endpoint, quint64 generation);
    bool checkReply(QNetworkReply *reply, DecodeJob *job);
    void decodeNext();
    static DecodeJob decode(DecodeJob job);
    void handleDecoded();
    void handleConnections(DecodeJob &job);
    void handleStats(const QJsonDocument &json);
    void handleEvents(DecodeJob &job);
    enum class Then { Retry, GiveUp };
    void fail(State state, const QString &error, Then then = Then::Retry);
    void noteRun(const QJsonObject &stats);
    void forgetRun();
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
    std::deque<DecodeJob> m_decodeQueue;
    QFutureWatcher<DecodeJob> m_decoding;
    bool m_decodeBusy = false;
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
    bool m_gaveUp = false;
    // Which vigild run answers (its instance id and start time, or the
    // accepted counter): a change means connection ids start again.
    QString m_run;
    QString m_instance; // stats `instance` (--instance-name), for the tab
    quint64 m_lastAccepted = 0;
    bool m_haveRun = false;
};

} // namespace Vigil
