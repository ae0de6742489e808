// One listening address. A QTcpServer for binding, with its own accept
// loop that hands every accepted descriptor straight to the dispatcher (no
// QTcpSocket is ever made), a 4096 backlog, and a back-off instead of a
// spin when out of descriptors. Not final: the admin endpoint's listener
// (server/admin/adminlistener.h) reuses the loop for its own sockets.
#pragma once

#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTimer>
#include <functional>

namespace Vigil {

class Listener : public QTcpServer
{
    Q_OBJECT
public:
    using Handler = std::function<void(int fd)>;
    static constexpr int Backlog = 4096;

    explicit Listener(Handler handler, QObject *parent = nullptr);

    // QTcpServer::listen, then accepting with our own loop. QTcpServer's
    // loop cannot be used: once an accept() has returned EAGAIN, its socket
    // engine reports every later error as temporary, so EMFILE made it spin.
    bool listen(const QHostAddress &address, quint16 port);
    void close();

    static constexpr int RetryMs = 100;          // PROTOCOL.md §7: retry later, never spin
    static constexpr int StillPausedEveryMs = 10000;

signals:
    // accept() failed for want of resources (EMFILE, ENFILE, ENOBUFS); it is
    // retried every RetryMs. One pause is one episode, however many retries
    // fail: the signal comes at its start (pausedMs 0) and then at most every
    // StillPausedEveryMs, so a long outage cannot flood the log (ten lines a
    // second before), yet an operator still sees that it goes on.
    void acceptPaused(const QString &error, qint64 pausedMs, int retries);
    // The first retry that found no error ends the episode.
    void acceptResumed(qint64 pausedMs, int retries);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void acceptPending();
    void retry();
    void endPause();

    Handler m_handler;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_resumeTimer;
    QElapsedTimer m_pausedSince; // valid while an episode lasts
    qint64 m_lastReportMs = 0;
    int m_retries = 0;
};

} // namespace Vigil
