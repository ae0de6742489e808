// The INI file of --config: "key = value" lines whose keys are vigild's
// long flag names, '#' or ';' comments, an optional [vigild] section.
// A key may repeat where the flag may (listen).
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace Vigil {

struct ConfigEntry
{
    QString key;
    QString value;
    int line = 0; // 1-based; 0 for a value that came from the command line
};

class ConfigFile final
{
public:
    // Entries in file order, or nullopt with "SOURCE:LINE: what is wrong".
    // The text must be UTF-8 without NUL bytes; a leading BOM is skipped.
    static std::optional<QList<ConfigEntry>> parse(const QByteArray &text, const QString &source,
                                                   QString *error = nullptr);
    // Reads path, which must be a regular file of at most 1 MiB, and parses
    // it. Never blocks on a FIFO and never reads more than the cap + 1 byte.
    static std::optional<QList<ConfigEntry>> load(const QString &path, QString *error = nullptr);
    // "SOURCE:LINE", the prefix of every error about a line.
    static QString location(const QString &source, int line);
};

} // namespace Vigil
