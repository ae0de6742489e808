// What the monitor shows for the feed's machine names: event kinds, close
// reasons and watchdog kinds as translatable display text. The core and
// the admin API only speak the protocol's names (closereason.h,
// snapshots.h); the words an operator reads live here.
#pragma once

#include "closereason.h"
#include "snapshots.h"

#include <QColor>
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

    // One format per kind of number, the same in every pane:
    // "980 B", "2.4 KiB", "13.0 MiB".
    static QString bytes(quint64 bytes);
    // "127.0.0.1:9000, open · 1.2 KiB to it, 3.0 KiB from it · 0 B waiting"
    static QString upstream(const UpstreamSnapshot &u);
    // "0.0", "2.0", "250.0": always one decimal, so a rate never flips
    // between "2" and "2.0".
    static QString rate(double perSecond);
    // "123,456,789" in the user's locale.
    static QString count(quint64 n);
    // "12.3 s", "4 m 05 s", "2 h 07 m": short, stable in width.
    static QString span(qint64 ms);

    // A text colour chosen for a light background, made readable on the
    // application palette's base: as given on a light one, lighter on a
    // dark one (the monitor follows the system's palette).
    static QColor readable(const QColor &onLight);
    static bool darkPalette();
};

} // namespace Vigil
