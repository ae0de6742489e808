// ServerStats in the Prometheus text exposition format 0.0.4, the body
// of the admin endpoint's GET /metrics.
#pragma once

#include "serverstats.h"

#include <QByteArray>
#include <QString>

namespace Vigil {

// Content-Type of the text format.
inline constexpr char PrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Every family carries # HELP and # TYPE lines; counters end in _total;
// the lateness histogram's buckets are cumulative (LatenessBucketsUs in
// seconds, then +Inf). instance is vigil_build_info's instance label
// (--instance-name), which tells a fleet's vigild apart.
QByteArray prometheusMetrics(const ServerStats &stats, const QString &instance = QString());

} // namespace Vigil
