// Why a connection ended: the BYE reason codes of PROTOCOL.md §2 plus the
// ends no BYE can announce (client-closed, reset, and §9's tls-error and
// untrusted-proxy).
//
// CloseReasons below is the one table of codes and names: the log, the
// admin API, /metrics, the feed codec and the clients all read it.
#pragma once

#include <QString>
#include <array>
#include <optional>
#include <string_view>

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
    UpstreamClosed = 12,
    TooManyPings = 13,
    HandshakeTimeout = 14,
    FrameTimeout = 15,
    // Not on the wire: the peer closed (FIN) or reset without a BYE.
    ClientClosed = 100,
    Reset = 101,
    // PROTOCOL.md §9: a PROXY header from a source outside --proxy-from
    // (refused at accept), a TLS handshake that failed.
    UntrustedProxy = 102,
    TlsError = 103,
};

struct CloseReasonInfo
{
    CloseReason reason;
    quint8 byeCode; // PROTOCOL.md §2; 0: no BYE announces it
    const char *name;
};

// In dense-index order: the counters, /metrics and the stats JSON list the
// reasons in this order. None is last and never counted.
inline constexpr std::array<CloseReasonInfo, 20> CloseReasons = {{
    {CloseReason::IdleTimeout, 1, "idle-timeout"},
    {CloseReason::LifetimeExpired, 2, "lifetime-expired"},
    {CloseReason::ProtocolError, 3, "protocol-error"},
    {CloseReason::FrameTooLarge, 4, "frame-too-large"},
    {CloseReason::UnsupportedVersion, 5, "unsupported-version"},
    {CloseReason::ServerShutdown, 6, "server-shutdown"},
    {CloseReason::Kicked, 7, "kicked"},
    {CloseReason::ServerFull, 8, "server-full"},
    {CloseReason::SlowConsumer, 9, "slow-consumer"},
    {CloseReason::RateLimited, 10, "rate-limited"},
    {CloseReason::Normal, 11, "normal"},
    {CloseReason::UpstreamClosed, 12, "upstream-closed"},
    {CloseReason::TooManyPings, 13, "too-many-pings"},
    {CloseReason::HandshakeTimeout, 14, "handshake-timeout"},
    {CloseReason::FrameTimeout, 15, "frame-timeout"},
    {CloseReason::ClientClosed, 0, "client-closed"},
    {CloseReason::Reset, 0, "reset"},
    {CloseReason::UntrustedProxy, 0, "untrusted-proxy"},
    {CloseReason::TlsError, 0, "tls-error"},
    {CloseReason::None, 0, "none"},
}};

constexpr int CloseReasonCount = int(CloseReasons.size());

// Dense index 0..CloseReasonCount-1 for counters; an unknown value is None's.
constexpr int closeReasonIndex(CloseReason reason)
{
    for (int i = 0; i < CloseReasonCount; ++i) {
        if (CloseReasons[size_t(i)].reason == reason)
            return i;
    }
    return CloseReasonCount - 1;
}

constexpr CloseReason closeReasonAt(int index)
{
    return (index >= 0 && index < CloseReasonCount) ? CloseReasons[size_t(index)].reason : CloseReason::None;
}

namespace Detail {
constexpr bool closeReasonsAreUnique()
{
    for (size_t i = 0; i < CloseReasons.size(); ++i) {
        for (size_t j = i + 1; j < CloseReasons.size(); ++j) {
            const CloseReasonInfo &a = CloseReasons[i], &b = CloseReasons[j];
            if (a.reason == b.reason || std::string_view(a.name) == std::string_view(b.name)
                || (a.byeCode != 0 && a.byeCode == b.byeCode))
                return false;
        }
    }
    return true;
}
} // namespace Detail
static_assert(Detail::closeReasonsAreUnique(), "every close reason needs its own value, BYE code and name");
static_assert(CloseReasons.back().reason == CloseReason::None, "None is the last, uncounted index");

QString closeReasonName(CloseReason reason);
std::optional<CloseReason> parseCloseReason(const QString &name);
// The wire code for a BYE, or nullopt for the local-only reasons.
std::optional<quint8> byeCode(CloseReason reason);
std::optional<CloseReason> closeReasonFromByeCode(quint8 code);

// Which watchdog fired, for the `timeout` log event.
enum class TimeoutKind : quint8 { Idle, Lifetime, Write, Frame, Handshake };

struct TimeoutKindInfo
{
    TimeoutKind kind;
    const char *name;
};
// Indexed by the enum's value.
inline constexpr std::array<TimeoutKindInfo, 5> TimeoutKinds = {{
    {TimeoutKind::Idle, "idle"},
    {TimeoutKind::Lifetime, "lifetime"},
    {TimeoutKind::Write, "write"},
    {TimeoutKind::Frame, "frame"}, // --frame-timeout (PROTOCOL.md §10)
    {TimeoutKind::Handshake, "handshake"}, // --handshake-timeout (PROTOCOL.md §9)
}};
constexpr int TimeoutKindCount = int(TimeoutKinds.size());
static_assert(TimeoutKinds[size_t(TimeoutKind::Idle)].kind == TimeoutKind::Idle
                  && TimeoutKinds[size_t(TimeoutKind::Lifetime)].kind == TimeoutKind::Lifetime
                  && TimeoutKinds[size_t(TimeoutKind::Write)].kind == TimeoutKind::Write
                  && TimeoutKinds[size_t(TimeoutKind::Frame)].kind == TimeoutKind::Frame
                  && TimeoutKinds[size_t(TimeoutKind::Handshake)].kind == TimeoutKind::Handshake,
              "TimeoutKinds is indexed by the enum's value");

QString timeoutKindName(TimeoutKind kind);
std::optional<TimeoutKind> parseTimeoutKind(const QString &name);

} // namespace Vigil
