// One closed connection as the history keeps it: its last snapshot (peer,
// client, totals), why it closed and when.
#pragma once

#include "closereason.h"
#include "snapshots.h"

#include <QMetaType>

#include <algorithm>

namespace Vigil {

struct ClosedRecord
{
    ConnectionSnapshot last;
    CloseReason reason = CloseReason::None; // None: the close itself was not seen
    qint64 closedAtMs = 0;                  // monotonic
    qint64 closedWallMs = 0;                // UTC, for display

    qint64 durationMs() const { return last.acceptedAtMs ? std::max<qint64>(0, closedAtMs - last.acceptedAtMs) : 0; }
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ClosedRecord)
