// A connection's policy and the watchdog timers it runs with: what HELLO
// asks for and WELCOME announces (PROTOCOL.md §2, §3).
#pragma once

#include <QString>
#include <optional>

namespace Vigil {

// Long: idle heartbeat timeout, restarted by every message. Short: one
// absolute deadline, as the Go seed's SetDeadline.
enum class Policy : quint8 { Long, Short };

QString policyName(Policy policy); // "long", "short"
std::optional<Policy> parsePolicy(const QString &name);

// The watchdog settings one connection runs with (after any HELLO).
struct ConnectionTimers
{
    Policy policy = Policy::Long;
    qint64 idleTimeoutMs = 0;
    qint64 maxLifetimeMs = 0;
    qint64 writeTimeoutMs = 0;
    qint64 probeIntervalMs = 0;
    qint64 frameTimeoutMs = 0; // v1.1 --frame-timeout: a started message must complete within it
};

} // namespace Vigil
