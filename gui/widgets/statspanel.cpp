// StatsPanel: sampled by the main window's stats timer, so the figures
// cost nothing between samples.
#include "statspanel.h"

#include "feedtext.h"
#include "monotonicclock.h"
#include "sparklinewidget.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Vigil {

namespace {
// Rows of the counters table: timeouts first, then every close reason.
constexpr int TimeoutRows = 3;

QString totalsText(const ServerStats &s)
{
    return QObject::tr("<table>"
                       "<tr><td>Accepted</td><td align=right>%1</td><td>&nbsp;&nbsp;rejected</td><td align=right>%2</td></tr>"
                       "<tr><td>Messages in</td><td align=right>%3</td><td>&nbsp;&nbsp;out</td><td align=right>%4</td></tr>"
                       "<tr><td>Bytes in</td><td align=right>%5</td><td>&nbsp;&nbsp;out</td><td align=right>%6</td></tr>"
                       "</table>")
        .arg(s.accepted)
        .arg(s.rejected)
        .arg(s.messagesIn)
        .arg(s.messagesOut)
        .arg(s.bytesIn)
        .arg(s.bytesOut);
}
} // namespace

StatsPanel::StatsPanel(QWidget *parent)
    : QWidget(parent)
    , m_connectionsLine(new SparklineWidget(tr("Open connections"), QColor(0x2b, 0x6c, 0xb0), this))
    , m_inLine(new SparklineWidget(tr("Messages in"), QColor(0x2e, 0xa0, 0x43), this))
    , m_outLine(new SparklineWidget(tr("Messages out"), QColor(0xb0, 0x5b, 0x2b), this))
    , m_totals(new QLabel(this))
    , m_reasons(new QTableWidget(this))
{
    // Samples every 500 ms: the last minute.
    for (SparklineWidget *line : {m_connectionsLine, m_inLine, m_outLine})
        line->setCapacity(120);
    m_inLine->setUnit(tr("msg/s"));
    m_outLine->setUnit(tr("msg/s"));
    m_totals->setTextFormat(Qt::RichText);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // Timeouts by kind, then closes by reason (the last index, None, is never counted).
    m_reasons->setColumnCount(2);
    m_reasons->setHorizontalHeaderLabels({tr("Timeouts and closes"), tr("Count")});
    m_reasons->setRowCount(TimeoutRows + CloseReasonCount - 1);
    for (int k = 0; k < TimeoutRows; ++k)
        m_reasons->setItem(k, 0, new QTableWidgetItem(tr("timeout: %1").arg(FeedText::timeoutKind(TimeoutKind(k)))));
    for (int i = 0; i < CloseReasonCount - 1; ++i)
        m_reasons->setItem(TimeoutRows + i, 0,
                           new QTableWidgetItem(tr("closed: %1").arg(FeedText::closeReason(closeReasonAt(i)))));
    for (int r = 0; r < m_reasons->rowCount(); ++r) {
        auto *count = new QTableWidgetItem(QStringLiteral("0"));
        count->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_reasons->setItem(r, 1, count);
    }
    m_reasons->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_reasons->verticalHeader()->hide();
    m_reasons->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_reasons->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_reasons->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_reasons->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_reasons->setAlternatingRowColors(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_connectionsLine);
    layout->addWidget(m_inLine);
    layout->addWidget(m_outLine);
    layout->addWidget(m_totals);
    layout->addWidget(m_reasons, 1);
}

void StatsPanel::addSample(const ServerStats &sample)
{
    // The core leaves sampledAtMs to the caller; rates need a timestamp.
    ServerStats stats = sample;
    if (stats.sampledAtMs == 0)
        stats.sampledAtMs = MonotonicClock::nowMs();
    if (m_havePrevious && stats.sampledAtMs > m_previous.sampledAtMs) {
        const double seconds = double(stats.sampledAtMs - m_previous.sampledAtMs) / 1000.0;
        m_inRate = double(stats.messagesIn - std::min(stats.messagesIn, m_previous.messagesIn)) / seconds;
        m_outRate = double(stats.messagesOut - std::min(stats.messagesOut, m_previous.messagesOut)) / seconds;
    } else {
        m_inRate = m_outRate = 0;
    }
    m_previous = stats;
    m_havePrevious = true;
    m_connectionsLine->addSample(double(stats.open));
    m_inLine->addSample(m_inRate);
    m_outLine->addSample(m_outRate);
    m_totals->setText(totalsText(stats));
    for (int k = 0; k < TimeoutRows; ++k)
        m_reasons->item(k, 1)->setText(QString::number(stats.timeouts[size_t(k)]));
    for (int i = 0; i < CloseReasonCount - 1; ++i)
        m_reasons->item(TimeoutRows + i, 1)->setText(QString::number(stats.closes[size_t(i)]));
}

QString StatsPanel::rateText() const
{
    return tr("in %1 msg/s · out %2 msg/s").arg(m_inRate, 0, 'f', 0).arg(m_outRate, 0, 'f', 0);
}

QString StatsPanel::connectionCountText(quint64 open)
{
    return open == 1 ? tr("1 connection") : tr("%1 connections").arg(open);
}

void StatsPanel::reset()
{
    m_havePrevious = false;
    m_inRate = m_outRate = 0;
    m_connectionsLine->clear();
    m_inLine->clear();
    m_outLine->clear();
}

} // namespace Vigil
