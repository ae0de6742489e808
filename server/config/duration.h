// Durations and byte sizes as the command line spells them: "250ms", "5s",
// "2m", "1h", "1m30s", "0"; sizes "1048576", "64k", "1M".
#pragma once

#include <QString>
#include <optional>

namespace Vigil {

// Milliseconds, or nullopt with *error set. A bare number must be 0.
std::optional<qint64> parseDuration(const QString &text, QString *error = nullptr);
// "250ms", "5s", "1m30s", "0" (the inverse of parseDuration).
QString formatDuration(qint64 ms);
// Bytes; suffixes k/K, m/M, g/G are powers of 1024.
std::optional<qint64> parseByteSize(const QString &text, QString *error = nullptr);

} // namespace Vigil
