// Live server figures: connections and message rates as sparklines,
// timeouts and closes by reason as counters.
#pragma once

#include "ratemeter.h"
#include "serverstats.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace Vigil {

class SparklineWidget;

class StatsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatsPanel)
public:
    explicit StatsPanel(QWidget *parent = nullptr);

    // One sample; rates are averaged over the last RateMeter::DefaultWindowMs.
    void addSample(const ServerStats &stats);
    // A fresh start: no samples, no rates.
    void reset();
    // The server stopped: rates drop to 0, totals stay.
    void stop();
    // Out of contact: the figures are greyed until the next sample.
    void setStale(bool stale);

    double messagesInPerSecond() const { return m_inRate; }
    double messagesOutPerSecond() const { return m_outRate; }
    // "in 12.0 msg/s · out 12.0 msg/s", as every status line says it.
    QString rateText() const;
    // "1 connection", "3 connections".
    static QString connectionCountText(quint64 open);

private:
    SparklineWidget *m_connectionsLine;
    SparklineWidget *m_inLine;
    SparklineWidget *m_outLine;
    QLabel *m_totals;
    QTableWidget *m_reasons;
    RateMeter m_inMeter;
    RateMeter m_outMeter;
    double m_inRate = 0;
    double m_outRate = 0;
};

} // namespace Vigil
