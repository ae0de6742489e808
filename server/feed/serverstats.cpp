// Summing per-thread counters into ServerStats.
#include "serverstats.h"

namespace Vigil {

ServerStats &ServerStats::operator+=(const ServerStats &o)
{
    accepted += o.accepted;
    rejected += o.rejected;
    open += o.open;
    messagesIn += o.messagesIn;
    messagesOut += o.messagesOut;
    bytesIn += o.bytesIn;
    bytesOut += o.bytesOut;
    for (size_t i = 0; i < closes.size(); ++i)
        closes[i] += o.closes[i];
    for (size_t i = 0; i < timeouts.size(); ++i)
        timeouts[i] += o.timeouts[i];
    for (size_t i = 0; i < goAways.size(); ++i)
        goAways[i] += o.goAways[i];
    pingStrikes += o.pingStrikes;
    for (size_t i = 0; i < upstreamFailures.size(); ++i)
        upstreamFailures[i] += o.upstreamFailures[i];
    for (size_t i = 0; i < lateness.size(); ++i)
        lateness[i] += o.lateness[i];
    latenessSumUs += o.latenessSumUs;
    pollFailures += o.pollFailures;
    logLinesDropped += o.logLinesDropped;
    reloads += o.reloads;
    reloadFailures += o.reloadFailures;
    return *this;
}

void ThreadCounters::recordLateness(qint64 lateNs)
{
    const qint64 us = std::max<qint64>(0, lateNs / 1000);
    size_t bucket = 0;
    while (bucket < LatenessBucketsUs.size() && us > LatenessBucketsUs[bucket])
        ++bucket;
    lateness[bucket].add();
    latenessSumUs.add(quint64(us));
}

void ThreadCounters::addTo(ServerStats &s) const
{
    s.accepted += accepted.value();
    s.rejected += rejected.value();
    // accepted and closed are read separately: never let open go negative.
    const quint64 a = accepted.value(), c = closed.value();
    s.open += a > c ? a - c : 0;
    s.messagesIn += messagesIn.value();
    s.messagesOut += messagesOut.value();
    s.bytesIn += bytesIn.value();
    s.bytesOut += bytesOut.value();
    for (size_t i = 0; i < closes.size(); ++i)
        s.closes[i] += closes[i].value();
    for (size_t i = 0; i < timeouts.size(); ++i)
        s.timeouts[i] += timeouts[i].value();
    for (size_t i = 0; i < goAways.size(); ++i)
        s.goAways[i] += goAways[i].value();
    s.pingStrikes += pingStrikes.value();
    for (size_t i = 0; i < upstreamFailures.size(); ++i)
        s.upstreamFailures[i] += upstreamFailures[i].value();
    for (size_t i = 0; i < lateness.size(); ++i)
        s.lateness[i] += lateness[i].value();
    s.latenessSumUs += latenessSumUs.value();
    s.pollFailures += pollFailures.value();
}

} // namespace Vigil
