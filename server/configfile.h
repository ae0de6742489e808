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
    int line = 0;
};

class ConfigFile final
{
public:
    // Entries in file order, or nullopt with "LINE: what is wrong".
    static std::optional<QList<ConfigEntry>> parse(const QByteArray &text, QString *error = nullptr);
    static std::optional<QList<ConfigEntry>> load(const QString &path, QString *error = nullptr);
};

} // namespace Vigil
