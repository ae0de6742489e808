// Turns SIGINT/SIGTERM (and, on request, SIGHUP) into Qt signals on the
// thread that made the watcher. The handler only writes a byte to a pipe
// (the one async-signal-safe way); a QSocketNotifier reads it in the
// event loop.
#pragma once

#include <QObject>

class QSocketNotifier;

namespace Vigil {

class SignalWatcher final : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    // Also catch SIGHUP, whose default action would end the process, and
    // report it as hangupReceived(). A daemon wants this; a window that
    // should close with its terminal does not.
    void watchHangup();

signals:
    void terminationRequested(int signal);
    void hangupReceived();

private:
    void handleActivated();

    QSocketNotifier *m_notifier = nullptr;
    bool m_watchingHangup = false;
};

} // namespace Vigil
