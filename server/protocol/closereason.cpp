// Close reason names and codes, exactly as PROTOCOL.md §2 lists them.
#include "closereason.h"

namespace Vigil {

namespace {
struct ReasonInfo {
    CloseReason reason;
    const char *name;
};
constexpr ReasonInfo Reasons[CloseReasonCount] = {
    {CloseReason::IdleTimeout, "idle-timeout"},
    {CloseReason::LifetimeExpired, "lifetime-expired"},
    {CloseReason::ProtocolError, "protocol-error"},
    {CloseReason::FrameTooLarge, "frame-too-large"},
    {CloseReason::UnsupportedVersion, "unsupported-version"},
    {CloseReason::ServerShutdown, "server-shutdown"},
    {CloseReason::Kicked, "kicked"},
    {CloseReason::ServerFull, "server-full"},
    {CloseReason::SlowConsumer, "slow-consumer"},
    {CloseReason::RateLimited, "rate-limited"},
    {CloseReason::Normal, "normal"},
    {CloseReason::ClientClosed, "client-closed"},
    {CloseReason::Reset, "reset"},
    {CloseReason::None, "none"},
};
} // namespace

QString closeReasonName(CloseReason reason)
{
    return QString::fromLatin1(Reasons[closeReasonIndex(reason)].name);
}

std::optional<CloseReason> parseCloseReason(const QString &name)
{
    for (const ReasonInfo &info : Reasons) {
        if (name == QLatin1String(info.name))
            return info.reason;
    }
    return std::nullopt;
}

std::optional<quint8> byeCode(CloseReason reason)
{
    const auto code = quint8(reason);
    if (code >= 1 && code <= 11)
        return code;
    return std::nullopt;
}

std::optional<CloseReason> closeReasonFromByeCode(quint8 code)
{
    if (code >= 1 && code <= 11)
        return CloseReason(code);
    return std::nullopt;
}

int closeReasonIndex(CloseReason reason)
{
    const auto code = quint8(reason);
    if (code >= 1 && code <= 11)
        return code - 1;
    if (reason == CloseReason::ClientClosed)
        return 11;
    if (reason == CloseReason::Reset)
        return 12;
    return 13;
}

CloseReason closeReasonAt(int index)
{
    return (index >= 0 && index < CloseReasonCount) ? Reasons[index].reason : CloseReason::None;
}

QString timeoutKindName(TimeoutKind kind)
{
    switch (kind) {
    case TimeoutKind::Idle: return QStringLiteral("idle");
    case TimeoutKind::Lifetime: return QStringLiteral("lifetime");
    case TimeoutKind::Write: return QStringLiteral("write");
    }
    return QString();
}

} // namespace Vigil
