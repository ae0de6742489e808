// Bench: the load generator (being written; refuses to run for now).
#pragma once

#include "clientcommandline.h"

#include <cstdio>

namespace Vigil {

class Bench final
{
public:
    explicit Bench(const BenchOptions &options) : m_options(options) {}
    ExitCode run(FILE *, FILE *err)
    {
        std::fputs("vigil-client: bench is not available in this build\n", err);
        return ExitCode::Usage;
    }

private:
    BenchOptions m_options;
};

} // namespace Vigil
