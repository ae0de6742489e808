// What the monitor shows for the feed's machine names: event kinds, close
// reasons and watchdog kinds as translatable display text. The core and
// the admin API only speak the protocol's names (closereason.h,
// snapshots.h); the words an operator reads live here.
#pragma once

#include "closereason.h"
#include "snapshots.h"

#include <QCoreApplication>
#include <QString>

namespace Vigil {

class FeedText
{
    Q_DECLARE_TR_FUNCTIONS(FeedText)
public:
    static QString eventKind(EventKind kind);     // "message in"
    static QString closeReason(CloseReason reason); // "idle-timeout"
    static QString timeoutKind(TimeoutKind kind);   // "idle"
    // The traffic log's detail for a timeout: "idle watchdog fired".
    static QString watchdogFired(TimeoutKind kind);
};

} // namespace Vigil
