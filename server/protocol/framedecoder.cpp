// Framing decoders: vigil (typed 8-byte header), legacy (the blog's
// "www.01happy.com" + int32), line (up to \n) and raw (one read).
#include "framedecoder.h"

#include <cstring>

namespace Vigil {

namespace {

quint32 readBigEndian32(const char *p)
{
    const auto *u = reinterpret_cast<const unsigned char *>(p);
    return (quint32(u[0]) << 24) | (quint32(u[1]) << 16) | (quint32(u[2]) << 8) | quint32(u[3]);
}

// Longest suffix of data that is a proper prefix of the legacy magic: those
// bytes may start a header that the next read completes.
size_t legacyPrefixSuffix(const char *data, size_t size)
{
    const size_t longest = std::min<size_t>(size, Wire::LegacyMagicSize - 1);
    for (size_t len = longest; len > 0; --len) {
        if (std::memcmp(data + size - len, Wire::LegacyMagic, len) == 0)
            return len;
    }
    return 0;
}

} // namespace

std::optional<GoAwayFrame> GoAwayFrame::parse(const char *data, size_t size)
{
    if (size < size_t(Wire::GoAwayFixedSize))
        return std::nullopt;
    GoAwayFrame g;
    g.code = quint8(data[0]);
    g.ms = readBigEndian32(data + 1);
    g.detail = QByteArray(data + Wire::GoAwayFixedSize, qsizetype(size - size_t(Wire::GoAwayFixedSize)));
    return g;
}

QString GoAwayFrame::reasonName() const
{
    const auto reason = closeReasonFromByeCode(code);
    return reason ? closeReasonName(*reason) : QStringLiteral("code %1").arg(code);
}

FrameDecoder::FrameDecoder(Framing framing, quint32 maxPayload)
    : m_maxPayload(maxPayload)
    , m_framing(framing)
{
}

size_t FrameDecoder::bufferLimit() const
{
    switch (m_framing) {
    case Framing::Vigil: return size_t(m_maxPayload) + Wire::VigilHeaderSize;
    case Framing::Legacy: return size_t(m_maxPayload) + Wire::LegacyHeaderSize;
    case Framing::Line: return size_t(m_maxPayload) + 2; // "\r\n" not counted by --max-payload
    case Framing::Raw: return 0;
    }
    return 0;
}

void FrameDecoder::releaseMemory()
{
    if (m_pending.isEmpty())
        m_pending.release();
}

FrameDecoder::Scan FrameDecoder::scan(const char *data, size_t size)
{
    switch (m_framing) {
    case Framing::Vigil: return scanVigil(data, size);
    case Framing::Legacy: return scanLegacy(data, size);
    case Framing::Line: return scanLine(data, size);
    case Framing::Raw: return scanRaw(data, size);
    }
    return {};
}

// PROTOCOL.md §2. Errors are reported as soon as the offending byte arrives:
// a bad magic or version needs no more input, and frame-too-large is decided
// from the header alone, before any payload is buffered.
FrameDecoder::Scan FrameDecoder::scanVigil(const char *data, size_t size) const
{
    Scan s;
    if (size >= 1 && data[0] != Wire::Magic0)
        return {Status::Error, 0, {}, CloseReason::ProtocolError};
    if (size >= 2 && data[1] != Wire::Magic1)
        return {Status::Error, 0, {}, CloseReason::ProtocolError};
    if (size >= 3 && quint8(data[2]) != Wire::Version)
        return {Status::Error, 0, {}, CloseReason::UnsupportedVersion};
    if (size >= 4 && !isKnownFrameType(quint8(data[3])))
        return {Status::Error, 0, {}, CloseReason::ProtocolError};
    if (size < size_t(Wire::VigilHeaderSize)) {
        s.length = Wire::VigilHeaderSize;
        return s;
    }
    const auto type = FrameType(quint8(data[3]));
    const quint32 length = readBigEndian32(data + 4);
    if (length > m_maxPayload)
        return {Status::Error, 0, {}, CloseReason::FrameTooLarge};
    if ((type == FrameType::Ping || type == FrameType::Pong) && length > quint32(Wire::MaxPingPayload))
        return {Status::Error, 0, {}, CloseReason::ProtocolError};
    const size_t total = size_t(Wire::VigilHeaderSize) + length;
    if (size < total) {
        s.length = total;
        return s;
    }
    s.status = Status::Complete;
    s.length = total;
    s.message = {type, data + Wire::VigilHeaderSize, length};
    return s;
}

// PROTOCOL.md §4: bytes before a header are skipped as the blog's Unpack
// does; a negative or oversized length closes the connection.
FrameDecoder::Scan FrameDecoder::scanLegacy(const char *data, size_t size) const
{
    Scan s;
    const void *found = memmem(data, size, Wire::LegacyMagic, Wire::LegacyMagicSize);
    if (!found) {
        const size_t keep = legacyPrefixSuffix(data, size);
        if (size > keep) {
            s.status = Status::Skip;
            s.length = size - keep;
            return s;
        }
        s.length = Wire::LegacyHeaderSize;
        return s;
    }
    const size_t offset = size_t(static_cast<const char *>(found) - data);
    if (offset > 0) {
        s.status = Status::Skip;
        s.length = offset;
        return s;
    }
    if (size < size_t(Wire::LegacyHeaderSize)) {
        s.length = Wire::LegacyHeaderSize;
        return s;
    }
    const auto length = qint32(readBigEndian32(data + Wire::LegacyMagicSize));
    if (length < 0)
        return {Status::Error, 0, {}, CloseReason::ProtocolError};
    if (quint32(length) > m_maxPayload)
        return {Status::Error, 0, {}, CloseReason::FrameTooLarge};
    const size_t total = size_t(Wire::LegacyHeaderSize) + size_t(length);
    if (size < total) {
        s.length = total;
        return s;
    }
    s.status = Status::Complete;
    s.length = total;
    s.message = {FrameType::Data, data + Wire::LegacyHeaderSize, size_t(length)};
    return s;
}

// A line is the bytes before '\n'; a trailing '\r' is dropped and not
// counted against --max-payload (telnet sends "\r\n").
FrameDecoder::Scan FrameDecoder::scanLine(const char *data, size_t size) const
{
    Scan s;
    const size_t window = std::min<size_t>(size, size_t(m_maxPayload) + 2);
    const auto *newline = static_cast<const char *>(std::memchr(data, '\n', window));
    if (newline) {
        size_t length = size_t(newline - data);
        const size_t consumed = length + 1;
        if (length > 0 && data[length - 1] == '\r')
            --length;
        if (length > m_maxPayload)
            return {Status::Error, 0, {}, CloseReason::FrameTooLarge};
        s.status = Status::Complete;
        s.length = consumed;
        s.message = {FrameType::Data, data, length};
        return s;
    }
    if (size >= size_t(m_maxPayload) + 2
        || (size == size_t(m_maxPayload) + 1 && data[m_maxPayload] != '\r'))
        return {Status::Error, 0, {}, CloseReason::FrameTooLarge};
    return s; // length 0: unknown until the newline arrives
}

// Raw: every read is a message, cut at --max-payload.
FrameDecoder::Scan FrameDecoder::scanRaw(const char *data, size_t size) const
{
    Scan s;
    s.status = Status::Complete;
    s.length = std::min<size_t>(size, m_maxPayload);
    s.message = {FrameType::Data, data, s.length};
    return s;
}

size_t FrameDecoder::takeForPending(const Scan &need, const char *data, size_t size) const
{
    const size_t held = m_pending.size();
    if (need.length > held)
        return std::min(size, need.length - held);
    // Unknown length (a line without its newline yet): take up to the
    // newline, never beyond what the limit allows.
    const size_t room = bufferLimit() > held ? bufferLimit() - held : 1;
    const size_t window = std::min(size, room);
    const auto *newline = static_cast<const char *>(std::memchr(data, '\n', window));
    return newline ? size_t(newline - data) + 1 : window;
}

// Keeps bytes of an unfinished message. A message whose header gave its
// length gets exactly that much memory, once; one of unknown length (a
// line) grows by doubling, never beyond the limit. false when the sink
// refuses the memory.
bool FrameDecoder::hold(const Scan &need, const char *data, size_t size, MessageSink &sink)
{
    const size_t used = m_pending.size();
    const size_t capacity = m_pending.capacity();
    if (used + size > capacity || need.length > capacity) {
        const size_t target = need.length > used + size
            ? need.length
            : ByteBuffer::grownCapacity(capacity, used + size, std::max(bufferLimit(), used + size));
        if (target > capacity && !sink.admitBuffer(target - capacity))
            return false;
        m_pending.reserve(target);
    }
    m_pending.append(data, size);
    return true;
}

// PROTOCOL.md §4 (legacy): more than max payload + 19 bytes without a
// header close the connection. false when that many have been skipped.
bool FrameDecoder::skipGarbage(size_t count)
{
    m_garbage += quint32(count);
    return m_garbage <= m_maxPayload + quint32(Wire::LegacyHeaderSize);
}

CloseReason FrameDecoder::feed(const char *data, size_t size, MessageSink &sink)
{
    // First finish the message held from earlier reads, taking from the new
    // bytes only what it needs so the buffer never outgrows one message.
    while (!m_pending.isEmpty()) {
        const Scan s = scan(m_pending.data(), m_pending.size());
        switch (s.status) {
        case Status::Error:
            return s.error;
        case Status::Skip:
            if (!skipGarbage(s.length))
                return CloseReason::ProtocolError;
            m_pending.consume(s.length);
            continue;
        case Status::Complete: {
            m_garbage = 0;
            const bool go = sink.onMessage(s.message);
            m_pending.consume(s.length);
            if (!go)
                return CloseReason::None;
            continue;
        }
        case Status::NeedMore:
            if (size == 0)
                return CloseReason::None;
            const size_t take = takeForPending(s, data, size);
            if (!hold(s, data, take, sink))
                return CloseReason::ServerFull;
            data += take;
            size -= take;
            continue;
        }
    }
    m_pending.releaseIfLarge();

    while (size > 0) {
        const Scan s = scan(data, size);
        switch (s.status) {
        case Status::Error:
            return s.error;
        case Status::Skip:
            if (!skipGarbage(s.length))
                return CloseReason::ProtocolError;
            data += s.length;
            size -= s.length;
            continue;
        case Status::Complete:
            m_garbage = 0;
            if (!sink.onMessage(s.message))
                return CloseReason::None;
            data += s.length;
            size -= s.length;
            continue;
        case Status::NeedMore:
            return hold(s, data, size, sink) ? CloseReason::None : CloseReason::ServerFull;
        }
    }
    return CloseReason::None;
}

} // namespace Vigil
