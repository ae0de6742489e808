// libFuzzer target: PROXY protocol headers. Whatever the input, the parser
// never takes a byte past the header or past its bounds, and feeding the
// same bytes in two pieces gives the same answer as feeding them whole.
#include "proxyheader.h"

#include <cstdlib>

using namespace Vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto *bytes = reinterpret_cast<const char *>(data);
    ProxyHeaderParser whole;
    const auto r = whole.feed(bytes, size);
    if (r.consumed > size || whole.headerLength() != r.consumed)
        std::abort();
    if (r.status == ProxyHeaderParser::Status::NeedMore && r.consumed != size)
        std::abort();
    if (whole.headerLength() > ProxyHeaderParser::MaxV2Length)
        std::abort();
    if (whole.version() == 1 && whole.headerLength() > ProxyHeaderParser::MaxV1Length)
        std::abort();
    if (r.status == ProxyHeaderParser::Status::Error && whole.error().isEmpty())
        std::abort();

    // The same bytes split where the first byte says.
    const size_t cut = size ? data[0] % (size + 1) : 0;
    ProxyHeaderParser split;
    auto a = split.feed(bytes, cut);
    size_t consumed = a.consumed;
    if (a.status == ProxyHeaderParser::Status::NeedMore) {
        const auto b = split.feed(bytes + cut, size - cut);
        consumed += b.consumed;
        a = b;
    }
    if (a.status != r.status || consumed != r.consumed)
        std::abort();
    if (r.status == ProxyHeaderParser::Status::Done
        && (split.command() != whole.command() || split.source().address != whole.source().address
            || split.source().port != whole.source().port || split.version() != whole.version()))
        std::abort();
    if (r.status == ProxyHeaderParser::Status::Done)
        (void)whole.source().toString();
    return 0;
}
