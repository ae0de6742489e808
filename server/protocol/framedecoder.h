// Turns a byte stream into messages for one framing (PROTOCOL.md §1, §2, §4).
// Pure: no sockets, no clocks, so it can be unit-tested and fuzzed.
#pragma once

#include "bytebuffer.h"
#include "closereason.h"
#include "framing.h"

#include <QByteArray>
#include <optional>

namespace Vigil {

// One complete inbound message. data points into the caller's bytes or the
// decoder's own buffer and is valid only during MessageSink::onMessage().
struct DecodedMessage
{
    FrameType type = FrameType::Data;
    const char *data = nullptr;
    size_t size = 0;
};

// A GOAWAY frame's payload (PROTOCOL.md §2, §10), as a client reads it.
struct GoAwayFrame
{
    quint8 code = 0;  // the BYE code the close will carry
    quint32 ms = 0;   // until the server closes
    QByteArray detail;

    // nullopt for a payload shorter than code + milliseconds.
    static std::optional<GoAwayFrame> parse(const char *data, size_t size);
    // The reason's name, or "code N" for a code this client does not know.
    QString reasonName() const;
};

class MessageSink
{
public:
    virtual ~MessageSink() = default;
    // Return false to stop decoding (the connection is closing).
    virtual bool onMessage(const DecodedMessage &message) = 0;
    // The decoder is about to allocate bytes more for an unfinished
    // message; false refuses (the server's memory budget is spent) and the
    // stream ends with CloseReason::ServerFull.
    virtual bool admitBuffer(size_t bytes)
    {
        Q_UNUSED(bytes);
        return true;
    }
};

class FrameDecoder final
{
public:
    explicit FrameDecoder(Framing framing = Framing::Vigil, quint32 maxPayload = 1u << 20);

    Framing framing() const { return m_framing; }
    quint32 maxPayload() const { return m_maxPayload; }

    // Decodes data, calling sink for each complete message. Returns
    // CloseReason::None while the stream is well-formed (also when the sink
    // stopped it), else the reason to close. Parses in place; only the
    // unfinished tail is copied, and never more than max payload + header.
    CloseReason feed(const char *data, size_t size, MessageSink &sink);

    // Bytes held for an unfinished message, and the memory that holds them.
    size_t buffered() const { return m_pending.size(); }
    size_t bufferCapacity() const { return m_pending.capacity(); }
    // The most this decoder may ever hold (max payload + header).
    size_t bufferLimit() const;
    // Frees the partial-message buffer's memory if it is empty.
    void releaseMemory();

private:
    enum class Status { Complete, NeedMore, Skip, Error };
    struct Scan
    {
        Status status = Status::NeedMore;
        size_t length = 0;      // Complete/Skip: bytes consumed; NeedMore: total bytes wanted (0 = unknown)
        DecodedMessage message; // Complete
        CloseReason error = CloseReason::None;
    };

    Scan scan(const char *data, size_t size);
    Scan scanVigil(const char *data, size_t size) const;
    Scan scanLegacy(const char *data, size_t size) const;
    Scan scanLine(const char *data, size_t size) const;
    Scan scanRaw(const char *data, size_t size) const;
    // How many more input bytes the pending buffer may take for the message it holds.
    bool skipGarbage(size_t count);
    size_t takeForPending(const Scan &need, const char *data, size_t size) const;
    bool hold(const Scan &need, const char *data, size_t size, MessageSink &sink);

    ByteBuffer m_pending;
    quint32 m_maxPayload;
    quint32 m_garbage = 0; // legacy: bytes skipped since the last header
    Framing m_framing;
};

} // namespace Vigil
