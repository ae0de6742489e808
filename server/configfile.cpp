// A small strict INI reader: unlike QSettings it reports the line of a
// mistake and keeps repeated keys, which a daemon's config needs.
#include "configfile.h"

#include <QFile>

namespace Vigil {

namespace {
constexpr qint64 MaxConfigBytes = 1024 * 1024;
}

std::optional<QList<ConfigEntry>> ConfigFile::parse(const QByteArray &text, QString *error)
{
    QList<ConfigEntry> entries;
    const QList<QByteArray> lines = text.split('\n');
    int number = 0;
    for (const QByteArray &raw : lines) {
        ++number;
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('['))) {
            if (!line.endsWith(QLatin1Char(']'))) {
                if (error)
                    *error = QStringLiteral("line %1: unterminated section header").arg(number);
                return std::nullopt;
            }
            continue; // [vigild] or [General]: one namespace
        }
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            if (error)
                *error = QStringLiteral("line %1: expected 'key = value'").arg(number);
            return std::nullopt;
        }
        ConfigEntry entry;
        entry.key = line.left(eq).trimmed();
        entry.value = line.mid(eq + 1).trimmed();
        entry.line = number;
        if (entry.value.size() >= 2 && entry.value.startsWith(QLatin1Char('"')) && entry.value.endsWith(QLatin1Char('"')))
            entry.value = entry.value.mid(1, entry.value.size() - 2);
        entries.append(entry);
    }
    return entries;
}

std::optional<QList<ConfigEntry>> ConfigFile::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read config file %1: %2").arg(path, file.errorString().toLower());
        return std::nullopt;
    }
    if (file.size() > MaxConfigBytes) {
        if (error)
            *error = QStringLiteral("config file %1 is larger than 1 MiB").arg(path);
        return std::nullopt;
    }
    QString why;
    auto entries = parse(file.readAll(), &why);
    if (!entries && error)
        *error = QStringLiteral("%1: %2").arg(path, why);
    return entries;
}

} // namespace Vigil
