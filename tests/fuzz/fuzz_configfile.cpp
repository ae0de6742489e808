// libFuzzer target: the --config INI reader and applying its entries the
// way vigild does. Anything may be refused; nothing may crash, and a
// config that validates must have sane values.
#include "commandline.h"
#include "configfile.h"

#include <cstdlib>

using namespace Vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto entries = ConfigFile::parse(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)),
                                           QStringLiteral("fuzz.conf"));
    if (!entries)
        return 0;
    ServerConfig config;
    for (const ConfigEntry &e : *entries) {
        if (!ServerCommandLine::apply(config, e.key, e.value).isEmpty())
            return 0;
    }
    if (config.validate().isEmpty()) {
        if (config.maxPayload < 1 || config.idleTimeoutMs < 0 || config.effectiveMaxSendBuffer() < config.maxPayload)
            std::abort();
    }
    return 0;
}
