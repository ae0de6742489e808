// libFuzzer target: every framing's decoder on arbitrary bytes.
// Byte 0 picks the framing and a max payload; the rest is the stream, fed
// once whole and once in pieces whose sizes come from the data itself.
// Invariants: never buffers more than max payload + header; whole and
// pieced feeding give the same messages and the same verdict; every
// decoded message re-encodes to a frame that decodes back to itself.
#include "framedecoder.h"
#include "frameencoder.h"

#include <cstdlib>
#include <string>
#include <vector>

using namespace Vigil;

namespace {

struct Message
{
    FrameType type;
    std::string payload;
    bool operator==(const Message &o) const { return type == o.type && payload == o.payload; }
};

class Collect final : public MessageSink
{
public:
    bool onMessage(const DecodedMessage &m) override
    {
        messages.push_back({m.type, std::string(m.data, m.size)});
        return true;
    }
    std::vector<Message> messages;
};

void check(bool ok)
{
    if (!ok)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const Framing framing = Framing(data[0] & 3);
    static const quint32 maxPayloads[] = {1, 7, 64, 1024};
    const quint32 maxPayload = maxPayloads[(data[0] >> 2) & 3];
    const char *stream = reinterpret_cast<const char *>(data + 2);
    const size_t length = size - 2;
    const size_t step = size_t(data[1] % 17) + 1;

    FrameDecoder whole(framing, maxPayload);
    Collect wholeSink;
    const CloseReason wholeVerdict = whole.feed(stream, length, wholeSink);
    check(whole.buffered() <= whole.bufferLimit());
    check(whole.bufferCapacity() <= std::max<size_t>(whole.bufferLimit(), 256));

    FrameDecoder pieces(framing, maxPayload);
    Collect piecesSink;
    CloseReason piecesVerdict = CloseReason::None;
    for (size_t at = 0; at < length && piecesVerdict == CloseReason::None; at += step) {
        piecesVerdict = pieces.feed(stream + at, std::min(step, length - at), piecesSink);
        check(pieces.buffered() <= pieces.bufferLimit());
        // PROTOCOL.md §12: the memory held is what the message needs, never
        // a power of two above the limit.
        check(pieces.bufferCapacity() <= std::max<size_t>(pieces.bufferLimit(), 256));
    }
    // Raw cuts at read boundaries, so only its bytes must agree.
    if (framing != Framing::Raw) {
        check(wholeVerdict == piecesVerdict);
        check(wholeSink.messages == piecesSink.messages);
    }

    for (const Message &m : wholeSink.messages) {
        check(m.payload.size() <= maxPayload);
        // A line payload ending in '\r' has no encoding of its own ("x\r\n" reads as "x").
        if (framing == Framing::Line && !m.payload.empty() && m.payload.back() == '\r')
            continue;
        ByteBuffer encoded;
        check(FrameEncoder::append(framing, m.type, m.payload.data(), m.payload.size(), encoded));
        FrameDecoder again(framing, maxPayload);
        Collect againSink;
        check(again.feed(encoded.data(), encoded.size(), againSink) == CloseReason::None);
        check(againSink.messages.size() == 1 && againSink.messages.front() == m);
        check(again.buffered() == 0);
    }
    return 0;
}
