// Timers on the window itself: they die with it.
#include "screenshot.h"

#include <QCoreApplication>
#include <QPixmap>
#include <QTimer>
#include <QWidget>

#include <algorithm>

namespace Vigil {

namespace {
constexpr int PrepareAheadMs = 1500;
} // namespace

void armScreenshot(QWidget &window, const QString &file, const QSize &size, int delayMs,
                   const std::function<void()> &prepare)
{
    if (size.isValid())
        window.resize(size);
    if (prepare)
        QTimer::singleShot(std::max(0, delayMs - PrepareAheadMs), &window, prepare);
    QTimer::singleShot(delayMs, &window, [&window, file] {
        const bool saved = window.grab().save(file);
        QCoreApplication::exit(saved ? 0 : 1);
    });
}

} // namespace Vigil
