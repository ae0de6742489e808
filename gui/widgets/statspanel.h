// Live server figures: connections and message rates as sparklines,
// timeouts and closes by reason as counters.
#pragma once

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

    // One sample; rates come from the difference to the previous one.
    void addSample(const ServerStats &stats);
    void reset();

    double messagesInPerSecond() const { return m_inRate; }
    double messagesOutPerSecond() const { return m_outRate; }
    // "in 12 msg/s · out 12 msg/s", as every status line says it.
    QString rateText() const;
    // "1 connection", "3 connections".
    static QString connectionCountText(quint64 open);

private:
    SparklineWidget *m_connectionsLine;
    SparklineWidget *m_inLine;
    SparklineWidget *m_outLine;
    QLabel *m_totals;
    QTableWidget *m_reasons;
    ServerStats m_previous;
    bool m_havePrevious = false;
    double m_inRate = 0;
    double m_outRate = 0;
};

} // namespace Vigil
