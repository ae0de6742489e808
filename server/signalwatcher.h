// Turns SIGINT/SIGTERM into a Qt signal on the thread that made it. The
// handler only writes a byte to a pipe (the one async-signal-safe way);
// a QSocketNotifier reads it in the event loop.
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

signals:
    void terminationRequested(int signal);

private:
    void handleActivated();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Vigil
