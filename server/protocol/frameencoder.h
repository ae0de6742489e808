// Writes messages in a framing. DATA exists in every framing; the typed
// frames (PING, PONG, WELCOME, BYE ...) only in `vigil`.
#pragma once

#include "bytebuffer.h"
#include "closereason.h"
#include "framing.h"

#include <QByteArray>

namespace Vigil {

class FrameEncoder final
{
public:
    // Appends one framed message to out. Returns false (and appends
    // nothing) when the framing cannot carry the frame type.
    static bool append(Framing framing, FrameType type, const char *payload, size_t size, ByteBuffer &out);
    static bool append(Framing framing, FrameType type, const char *payload, size_t size, QByteArray &out);

    // Convenience for the typed frames.
    static QByteArray encode(Framing framing, FrameType type, const QByteArray &payload);
    static QByteArray bye(CloseReason reason, const QByteArray &detail = QByteArray());
    // GOAWAY (PROTOCOL.md §10): the server closes with reason in ms milliseconds.
    static QByteArray goAway(CloseReason reason, quint32 ms, const QByteArray &detail = QByteArray());
    // Bytes of framing around a payload of the given type.
    static size_t overhead(Framing framing);

private:
    static size_t writeHeader(Framing framing, FrameType type, size_t size, char *header);
};

} // namespace Vigil
