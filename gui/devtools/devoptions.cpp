// The developer options' table and the checks of their values.
#include "devoptions.h"

#include <algorithm>

namespace Vigil {

namespace {
struct DevOptionSpec
{
    const char *name;
    const char *valueName;
    const char *help;
};

const DevOptionSpec Table[] = {
    {"screenshot", "FILE", "Save the window to FILE (PNG) after --screenshot-delay, then quit."},
    {"screenshot-size", "WxH", "Resize the window to W x H pixels first (with --screenshot)."},
    {"screenshot-delay", "MS", "Milliseconds before the screenshot. Default 4000."},
    {"probe", "FILE", "Measure GUI-thread stalls and CPU; JSON to FILE on quit or SIGTERM."},
    {"probe-seconds", "N", "Write the probe's FILE after N seconds; the window keeps running."},
    {"show-tab", "N[:PAGE]", "Bring tab N (0: the embedded server) to the front at start; PAGE summary or connections for a fleet."},
};

QString name(const DevOptionSpec &spec)
{
    return QString::fromLatin1(spec.name);
}

// Digits only (no sign, no spaces), in [low, high].
std::optional<int> inRange(const QString &value, int low, int high)
{
    const bool digits = !value.isEmpty() && value.size() <= 9
        && std::all_of(value.cbegin(), value.cend(), [](QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); });
    const int n = digits ? value.toInt() : -1;
    if (!digits || n < low || n > high)
        return std::nullopt;
    return n;
}

// A whole number of unit in [low, high], or nullopt with *error naming the option.
std::optional<int> wholeNumber(const char *option, const QString &value, int low, int high, const char *unit, QString *error)
{
    const auto n = inRange(value, low, high);
    if (!n) {
        *error = QStringLiteral("--%1: expected a whole number of %2 from %3 to %4, got '%5'")
                     .arg(QLatin1String(option), QLatin1String(unit))
                     .arg(low)
                     .arg(high)
                     .arg(value);
    }
    return n;
}
} // namespace

OptionSection DevOptions::section()
{
    OptionSection s;
    s.title = QStringLiteral("Developer options");
    for (const DevOptionSpec &spec : Table)
        s.options << QCommandLineOption(name(spec), QString::fromLatin1(spec.help), QString::fromLatin1(spec.valueName));
    return s;
}

std::optional<DevOptions> DevOptions::fromValues(const QHash<QString, QString> &values, QString *error)
{
    QString why;
    auto fail = [&]() -> std::optional<DevOptions> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    DevOptions o;
    for (const DevOptionSpec &spec : Table) {
        if (values.contains(name(spec)))
            o.given << name(spec);
    }
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        if (!o.given.contains(it.key())) {
            why = QStringLiteral("--%1 is not a developer option").arg(it.key());
            return fail();
        }
    }
    auto needs = [&](const char *option, const char *required) {
        if (values.contains(QLatin1String(option)) && !values.contains(QLatin1String(required))) {
            why = QStringLiteral("--%1 needs --%2").arg(QLatin1String(option), QLatin1String(required));
            return false;
        }
        return true;
    };
    if (!needs("screenshot-size", "screenshot") || !needs("screenshot-delay", "screenshot")
        || !needs("probe-seconds", "probe"))
        return fail();

    if (values.contains(QStringLiteral("screenshot"))) {
        o.screenshotFile = values.value(QStringLiteral("screenshot")).trimmed();
        if (o.screenshotFile.isEmpty()) {
            why = QStringLiteral("--screenshot: empty file name");
            return fail();
        }
    }
    if (values.contains(QStringLiteral("screenshot-size"))) {
        const QString value = values.value(QStringLiteral("screenshot-size"));
        const QStringList sides = value.split(QLatin1Char('x'));
        const auto w = sides.size() == 2 ? inRange(sides[0], 1, MaxScreenshotSide) : std::nullopt;
        const auto h = sides.size() == 2 ? inRange(sides[1], 1, MaxScreenshotSide) : std::nullopt;
        if (!w || !h) {
            why = QStringLiteral("--screenshot-size: expected WxH in pixels, each from 1 to %1 (e.g. 1680x960), got '%2'")
                      .arg(MaxScreenshotSide)
                      .arg(value);
            return fail();
        }
        o.screenshotSize = QSize(*w, *h);
    }
    if (values.contains(QStringLiteral("screenshot-delay"))) {
        const auto ms = wholeNumber("screenshot-delay", values.value(QStringLiteral("screenshot-delay")), 0, MaxScreenshotDelayMs,
                                    "milliseconds", &why);
        if (!ms)
            return fail();
        o.screenshotDelayMs = *ms;
    }
    if (values.contains(QStringLiteral("probe"))) {
        o.probeFile = values.value(QStringLiteral("probe")).trimmed();
        if (o.probeFile.isEmpty()) {
            why = QStringLiteral("--probe: empty file name");
            return fail();
        }
    }
    if (values.contains(QStringLiteral("probe-seconds"))) {
        const auto seconds = wholeNumber("probe-seconds", values.value(QStringLiteral("probe-seconds")), 1, MaxProbeSeconds,
                                         "seconds", &why);
        if (!seconds)
            return fail();
        o.probeSeconds = *seconds;
    }
    if (values.contains(QStringLiteral("show-tab"))) {
        const QString value = values.value(QStringLiteral("show-tab"));
        const QStringList parts = value.split(QLatin1Char(':'));
        const auto tab = parts.size() <= 2 ? inRange(parts[0], 0, MaxTab) : std::nullopt;
        const QString page = parts.size() == 2 ? parts[1] : QString();
        if (!tab || (parts.size() == 2 && page != QLatin1String("summary") && page != QLatin1String("connections"))) {
            why = QStringLiteral("--show-tab: expected a tab number from 0 to %1, optionally with :summary or "
                                 ":connections, got '%2'")
                      .arg(MaxTab)
                      .arg(value);
            return fail();
        }
        o.showTab = *tab;
        o.showTabPage = page;
    }
    return o;
}

} // namespace Vigil
