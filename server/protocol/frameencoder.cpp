// Framing encoders, the mirror of FrameDecoder.
#include "frameencoder.h"

#include <cstring>

namespace Vigil {

namespace {
void writeBigEndian32(char *p, quint32 value)
{
    p[0] = char(value >> 24);
    p[1] = char(value >> 16);
    p[2] = char(value >> 8);
    p[3] = char(value);
}
} // namespace

size_t FrameEncoder::overhead(Framing framing)
{
    switch (framing) {
    case Framing::Vigil: return Wire::VigilHeaderSize;
    case Framing::Legacy: return Wire::LegacyHeaderSize;
    case Framing::Line: return 1;
    case Framing::Raw: return 0;
    }
    return 0;
}

// Fills the bytes that go before the payload; returns how many.
size_t FrameEncoder::writeHeader(Framing framing, FrameType type, size_t size, char *header)
{
    switch (framing) {
    case Framing::Vigil:
        header[0] = Wire::Magic0;
        header[1] = Wire::Magic1;
        header[2] = char(Wire::Version);
        header[3] = char(type);
        writeBigEndian32(header + 4, quint32(size));
        return Wire::VigilHeaderSize;
    case Framing::Legacy:
        std::memcpy(header, Wire::LegacyMagic, Wire::LegacyMagicSize);
        writeBigEndian32(header + Wire::LegacyMagicSize, quint32(size));
        return Wire::LegacyHeaderSize;
    case Framing::Line:
    case Framing::Raw:
        return 0;
    }
    return 0;
}

bool FrameEncoder::append(Framing framing, FrameType type, const char *payload, size_t size, ByteBuffer &out)
{
    if (framing != Framing::Vigil && type != FrameType::Data)
        return false;
    char *p = out.reserveTail(size + overhead(framing));
    const size_t header = writeHeader(framing, type, size, p);
    if (size)
        std::memcpy(p + header, payload, size);
    if (framing == Framing::Line)
        p[header + size] = '\n';
    out.commit(size + overhead(framing));
    return true;
}

bool FrameEncoder::append(Framing framing, FrameType type, const char *payload, size_t size, QByteArray &out)
{
    if (framing != Framing::Vigil && type != FrameType::Data)
        return false;
    char header[Wire::LegacyHeaderSize];
    const size_t headerSize = writeHeader(framing, type, size, header);
    out.append(header, qsizetype(headerSize));
    out.append(payload, qsizetype(size));
    if (framing == Framing::Line)
        out.append('\n');
    return true;
}

QByteArray FrameEncoder::encode(Framing framing, FrameType type, const QByteArray &payload)
{
    QByteArray out;
    append(framing, type, payload.constData(), size_t(payload.size()), out);
    return out;
}

QByteArray FrameEncoder::bye(CloseReason reason, const QByteArray &detail)
{
    QByteArray payload;
    payload.append(char(byeCode(reason).value_or(quint8(CloseReason::Normal))));
    payload.append(detail);
    return encode(Framing::Vigil, FrameType::Bye, payload);
}

QByteArray FrameEncoder::goAway(CloseReason reason, quint32 ms, const QByteArray &detail)
{
    QByteArray payload(Wire::GoAwayFixedSize, '\0');
    payload[0] = char(byeCode(reason).value_or(quint8(CloseReason::Normal)));
    writeBigEndian32(payload.data() + 1, ms);
    payload.append(detail);
    return encode(Framing::Vigil, FrameType::GoAway, payload);
}

} // namespace Vigil
