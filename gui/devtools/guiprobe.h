// GuiProbe: an opt-in measurement of how fluid the GUI thread stays
// (vigil-monitor --probe FILE); bench/monitor_load.sh reads its JSON.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QVector>

namespace Vigil {

// A 10 ms precise timer on the GUI thread records how late each tick fires
// (a stall is that lateness), and the thread's CPU time is sampled at start
// and end. The result is written as JSON {stall_p50_ms, stall_p99_ms,
// stall_max_ms, gui_cpu_pct, seconds, ticks} when the probe stops.
class GuiProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuiProbe)
public:
    static constexpr int TickMs = 10;

    explicit GuiProbe(QString file, QObject *parent = nullptr);
    ~GuiProbe() override;

    // --probe FILE [--probe-seconds N]: a probe that starts with the event
    // loop and writes file after stopAfterSeconds (0: never on its own; the
    // application keeps running), on SIGTERM/SIGINT (then quits) and on quit.
    static GuiProbe *launch(const QString &file, int stopAfterSeconds, QObject *parent);

    void start();
    // Stops sampling and writes the file; later calls do nothing.
    bool finish();

    struct Result
    {
        double stallP50Ms = 0;
        double stallP99Ms = 0;
        double stallMaxMs = 0;
        double guiCpuPct = 0;
        double seconds = 0;
        int ticks = 0;
    };
    Result result() const;

private:
    void handleTick();
    static qint64 threadCpuNs();

    QString m_file;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastTickNs = 0;
    qint64 m_cpuStartNs = 0;
    qint64 m_cpuEndNs = -1;
    qint64 m_wallEndNs = -1;
    QVector<qint64> m_latenessUs;
    bool m_finished = false;
};

} // namespace Vigil
