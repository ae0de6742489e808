// --screenshot FILE: vigil-monitor saves its window and quits, for
// docs/screenshot.sh and the launcher's tests.
#pragma once

#include <QSize>
#include <QString>

#include <functional>

class QWidget;

namespace Vigil {

// Resizes window to size (when valid), calls prepare 1.5 s before the
// grab (to select a row, say), and delayMs after the call saves window to
// file and exits the event loop: 0 when saved, 1 when not.
void armScreenshot(QWidget &window, const QString &file, const QSize &size, int delayMs,
                   const std::function<void()> &prepare = {});

} // namespace Vigil
