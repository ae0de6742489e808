#include "benchdriver.h"

#include "churndriver.h"
#include "frameencoder.h"
#include "holddriver.h"
#include "rrdriver.h"

namespace Vigil {

BenchDriver::BenchDriver(const BenchOptions &options, const BenchShared &shared, const DialerSettings &settings,
                         BenchWorkerResult &result)
    : m_options(options)
    , m_dialer(options, shared, settings, result, *this)
{
}

std::unique_ptr<BenchDriver> BenchDriver::create(const BenchOptions &options, const BenchShared &shared, int firstIndex,
                                                 int count, double rate, BenchWorkerResult &result)
{
    switch (options.mode) {
    case BenchMode::RequestResponse:
        return std::make_unique<RrDriver>(options, shared, firstIndex, count, rate, result);
    case BenchMode::Hold:
        return std::make_unique<HoldDriver>(options, shared, firstIndex, count, result);
    case BenchMode::Churn:
        return std::make_unique<ChurnDriver>(options, shared, firstIndex, count, rate, result);
    }
    return nullptr;
}

std::string BenchDriver::frame(Framing framing, FrameType type, size_t size)
{
    const std::string payload(size, 'x');
    QByteArray out;
    FrameEncoder::append(framing, type, payload.data(), payload.size(), out);
    return std::string(out.constData(), size_t(out.size()));
}

} // namespace Vigil
