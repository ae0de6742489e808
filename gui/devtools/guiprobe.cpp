// GuiProbe: tick lateness and thread CPU time of the GUI thread, written
// as JSON; only created when --probe names a file.
#include "guiprobe.h"

#include "signalwatcher.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <time.h>

namespace Vigil {

namespace {
double percentileMs(QVector<qint64> sortedUs, double p)
{
    if (sortedUs.isEmpty())
        return 0;
    const auto rank = qsizetype(std::ceil(p * double(sortedUs.size()))) - 1;
    return double(sortedUs[std::clamp<qsizetype>(rank, 0, sortedUs.size() - 1)]) / 1000.0;
}
} // namespace

GuiProbe::GuiProbe(QString file, QObject *parent)
    : QObject(parent)
    , m_file(std::move(file))
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(TickMs);
    connect(&m_timer, &QTimer::timeout, this, &GuiProbe::handleTick);
}

GuiProbe::~GuiProbe()
{
    finish();
}

GuiProbe *GuiProbe::launch(const QString &file, int stopAfterSeconds, QObject *parent)
{
    auto *probe = new GuiProbe(file, parent);
    if (stopAfterSeconds > 0) {
        // The window keeps running: the load outlives the measurement.
        QTimer::singleShot(stopAfterSeconds * 1000, probe, &GuiProbe::finish);
    }
    // The load script ends a run with SIGTERM: write, then quit normally.
    auto *watcher = new SignalWatcher(probe);
    connect(watcher, &SignalWatcher::terminationRequested, probe, [probe] {
        probe->finish();
        QCoreApplication::quit();
    });
    connect(qApp, &QCoreApplication::aboutToQuit, probe, &GuiProbe::finish);
    // From the first pass of the event loop: start-up is not a stall.
    QTimer::singleShot(0, probe, &GuiProbe::start);
    return probe;
}

qint64 GuiProbe::threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void GuiProbe::start()
{
    m_latenessUs.clear();
    m_latenessUs.reserve(1 << 16);
    m_clock.start();
    m_lastTickNs = 0;
    m_cpuStartNs = threadCpuNs();
    m_timer.start();
}

void GuiProbe::handleTick()
{
    // Lateness against the previous tick: a tick is due TickMs after the
    // one before it, so a stall of N ms shows as about N ms late.
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 late = now - m_lastTickNs - qint64(TickMs) * 1000000;
    m_latenessUs.append(std::max<qint64>(0, late) / 1000);
    m_lastTickNs = now;
}

GuiProbe::Result GuiProbe::result() const
{
    Result r;
    QVector<qint64> sorted = m_latenessUs;
    std::sort(sorted.begin(), sorted.end());
    r.ticks = int(sorted.size());
    r.stallP50Ms = percentileMs(sorted, 0.50);
    r.stallP99Ms = percentileMs(sorted, 0.99);
    r.stallMaxMs = sorted.isEmpty() ? 0 : double(sorted.constLast()) / 1000.0;
    const qint64 wallNs = m_wallEndNs >= 0 ? m_wallEndNs : m_clock.nsecsElapsed();
    const qint64 cpuNs = (m_cpuEndNs >= 0 ? m_cpuEndNs : threadCpuNs()) - m_cpuStartNs;
    r.seconds = double(wallNs) / 1e9;
    r.guiCpuPct = wallNs > 0 ? 100.0 * double(cpuNs) / double(wallNs) : 0;
    return r;
}

bool GuiProbe::finish()
{
    if (m_finished || !m_clock.isValid())
        return false;
    m_finished = true;
    m_timer.stop();
    m_cpuEndNs = threadCpuNs();
    m_wallEndNs = m_clock.nsecsElapsed();
    const Result r = result();
    QJsonObject o;
    o.insert(QLatin1String("stall_p50_ms"), r.stallP50Ms);
    o.insert(QLatin1String("stall_p99_ms"), r.stallP99Ms);
    o.insert(QLatin1String("stall_max_ms"), r.stallMaxMs);
    o.insert(QLatin1String("gui_cpu_pct"), r.guiCpuPct);
    o.insert(QLatin1String("seconds"), r.seconds);
    o.insert(QLatin1String("ticks"), r.ticks);
    QFile out(m_file);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return out.write(QJsonDocument(o).toJson()) > 0;
}

} // namespace Vigil
