#include "policy.h"

namespace Vigil {

QString policyName(Policy policy)
{
    return policy == Policy::Short ? QStringLiteral("short") : QStringLiteral("long");
}

std::optional<Policy> parsePolicy(const QString &name)
{
    if (name == QLatin1String("long"))
        return Policy::Long;
    if (name == QLatin1String("short"))
        return Policy::Short;
    return std::nullopt;
}

} // namespace Vigil
