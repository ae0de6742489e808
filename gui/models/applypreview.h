// What "Apply to Open Connections" will do to the open connections, said
// before it is done: how many take the new timers, how many keep the idle
// timeout their HELLO keepalive negotiated, and how many a shorter max
// lifetime closes at once.
#pragma once

#include "serverconfig.h"
#include "snapshots.h"

#include <QString>
#include <QVector>

namespace Vigil {

struct ApplyPreview
{
    int open = 0;            // open connections (closing ones are left out)
    int keepKeepalive = 0;   // HELLO, own idle timeout: a keepalive stays theirs
    int closeAtOnce = 0;     // older than the new max lifetime: closed at once
    int closeAtOnceMax = 0;  // with lifetime jitter: up to this many
    int idleChanged = 0;     // their idle timeout changes

    static ApplyPreview of(const QVector<const ConnectionSnapshot *> &open, const ServerConfig &config, qint64 nowMs);
    // "Apply to 12 open connections: …" as one paragraph for the dialog.
    QString text() const;
    // What the status bar says once it was done.
    QString doneText() const;
};

} // namespace Vigil
