// libFuzzer target: HELLO parsing. A HELLO that parses must survive a
// round trip through toJson() unchanged.
#include "hello.h"
#include "serverconfig.h"

#include <cstdlib>

using namespace Vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto hello = Hello::parse(reinterpret_cast<const char *>(data), size);
    if (!hello)
        return 0;
    const QByteArray json = hello->toJson();
    const auto again = Hello::parse(json.constData(), size_t(json.size()));
    if (!again || again->client != hello->client || again->policy != hello->policy
        || again->keepaliveMs != hello->keepaliveMs)
        std::abort();
    ServerConfig config;
    const ConnectionTimers timers = config.timersFor(hello->policy, hello->keepaliveMs);
    if (timers.idleTimeoutMs < 0 || timers.maxLifetimeMs < 0)
        std::abort();
    return 0;
}
