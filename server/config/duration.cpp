// Parsing of DUR and BYTES values (PROTOCOL.md §5).
#include "duration.h"

#include <cmath>

namespace Vigil {

namespace {
constexpr qint64 MaxDurationMs = qint64(365) * 24 * 3600 * 1000; // a year: beyond that is a typo

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}
} // namespace

std::optional<qint64> parseDuration(const QString &input, QString *error)
{
    const QString text = input.trimmed();
    if (text.isEmpty()) {
        setError(error, QStringLiteral("empty duration"));
        return std::nullopt;
    }
    bool isNumber = false;
    const double bare = text.toDouble(&isNumber);
    if (isNumber) {
        if (bare == 0)
            return 0;
        setError(error, QStringLiteral("duration '%1' needs a unit (ms, s, m or h)").arg(text));
        return std::nullopt;
    }
    // One or more <number><unit> parts, like Go's time.ParseDuration.
    double total = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        const qsizetype numberStart = i;
        while (i < text.size() && (text[i].isDigit() || text[i] == QLatin1Char('.')))
            ++i;
        const qsizetype unitStart = i;
        while (i < text.size() && text[i].isLetter())
            ++i;
        bool ok = false;
        const double value = text.mid(numberStart, unitStart - numberStart).toDouble(&ok);
        const QString unit = text.mid(unitStart, i - unitStart);
        double scale = 0;
        if (unit == QLatin1String("ms"))
            scale = 1;
        else if (unit == QLatin1String("s"))
            scale = 1000;
        else if (unit == QLatin1String("m"))
            scale = 60 * 1000;
        else if (unit == QLatin1String("h"))
            scale = 3600 * 1000;
        if (!ok || scale == 0 || unitStart == numberStart) {
            setError(error, QStringLiteral("invalid duration '%1' (use e.g. 250ms, 5s, 2m, 1h)").arg(text));
            return std::nullopt;
        }
        total += value * scale;
    }
    if (total > double(MaxDurationMs)) {
        setError(error, QStringLiteral("duration '%1' is too long (at most a year)").arg(text));
        return std::nullopt;
    }
    const auto ms = qint64(std::llround(total));
    if (ms == 0 && total > 0) {
        setError(error, QStringLiteral("duration '%1' is shorter than a millisecond").arg(text));
        return std::nullopt;
    }
    return ms;
}

QString formatDuration(qint64 ms)
{
    if (ms == 0)
        return QStringLiteral("0");
    if (ms % 3600000 == 0)
        return QString::number(ms / 3600000) + QLatin1Char('h');
    if (ms % 60000 == 0)
        return QString::number(ms / 60000) + QLatin1Char('m');
    if (ms % 1000 == 0)
        return QString::number(ms / 1000) + QLatin1Char('s');
    return QString::number(ms) + QLatin1String("ms");
}

std::optional<qint64> parseByteSize(const QString &input, QString *error)
{
    QString text = input.trimmed();
    qint64 scale = 1;
    if (!text.isEmpty()) {
        const QChar last = text.back().toLower();
        if (last == QLatin1Char('b') && text.size() > 1 && text[text.size() - 2].isLetter())
            text.chop(1); // "64KB", "1MB"
        const QChar suffix = text.isEmpty() ? QChar() : text.back().toLower();
        if (suffix == QLatin1Char('k'))
            scale = 1024;
        else if (suffix == QLatin1Char('m'))
            scale = 1024 * 1024;
        else if (suffix == QLatin1Char('g'))
            scale = 1024 * 1024 * 1024;
        if (scale != 1)
            text.chop(1);
    }
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 0 || value > (qint64(1) << 40) / scale) {
        setError(error, QStringLiteral("invalid size '%1' (a number of bytes, optionally with k, M or G)").arg(input.trimmed()));
        return std::nullopt;
    }
    return value * scale;
}

} // namespace Vigil
