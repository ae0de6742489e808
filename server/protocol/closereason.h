// Why a connection ended: the BYE reason codes of PROTOCOL.md §2 plus the
// two ends a client causes without a BYE (client-closed, reset).
#pragma once

#include <QString>
#include <optional>

namespace Vigil {

enum class CloseReason : quint8 {
    None = 0,
    IdleTimeout = 1,
    LifetimeExpired = 2,
    ProtocolError = 3,
    FrameTooLarge = 4,
    UnsupportedVersion = 5,
    ServerShutdown = 6,
    Kicked = 7,
    ServerFull = 8,
    SlowConsumer = 9,
    RateLimited = 10,
    Normal = 11,
    // Not on the wire: the peer closed (FIN) or reset without a BYE.
    ClientClosed = 100,
    Reset = 101,
};

constexpr int CloseReasonCount = 14; // 11 wire codes, 2 local ones, and None

QString closeReasonName(CloseReason reason);
std::optional<CloseReason> parseCloseReason(const QString &name);
// The wire code for a BYE, or nullopt for the local-only reasons.
std::optional<quint8> byeCode(CloseReason reason);
std::optional<CloseReason> closeReasonFromByeCode(quint8 code);
// Dense index 0..CloseReasonCount-1 for counters.
int closeReasonIndex(CloseReason reason);
CloseReason closeReasonAt(int index);

// Which watchdog fired, for the `timeout` log event.
enum class TimeoutKind : quint8 { Idle, Lifetime, Write };
QString timeoutKindName(TimeoutKind kind);

} // namespace Vigil
