// StatsPanel: sampled by the main window's stats timer, so the figures
// cost nothing between samples.
#include "statspanel.h"

#include "feedtext.h"
#include "monotonicclock.h"
#include "ratemeter.h"
#include "sparklinewidget.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <initializer_list>

namespace Vigil {

namespace {
constexpr int RateWindowSeconds = int(RateMeter::DefaultWindowMs / 1000);
// Rows of the counters table: timeouts first, then every close reason.
constexpr int TimeoutRows = 3;

QString totalsText(const ServerStats &s)
{
    return QObject::tr("<table>"
                       "<tr><td>Accepted</td><td align=right>%1</td><td>&nbsp;&nbsp;rejected</td><td align=right>%2</td></tr>"
                       "<tr><td>Messages in</td><td align=right>%3</td><td>&nbsp;&nbsp;out</td><td align=right>%4</td></tr>"
                       "<tr><td>Bytes in</td><td align=right>%5</td><td>&nbsp;&nbsp;out</td><td align=right>%6</td></tr>"
                       "</table>")
        .arg(FeedText::count(s.accepted), FeedText::count(s.rejected), FeedText::count(s.messagesIn),
             FeedText::count(s.messagesOut), FeedText::bytes(s.bytesIn), FeedText::bytes(s.bytesOut));
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
    m_inLine->setDecimals(1);
    m_outLine->setDecimals(1);
    m_inLine->setToolTip(tr("Messages received per second, averaged over the last %1 s").arg(RateWindowSeconds));
    m_outLine->setToolTip(tr("Messages sent per second, averaged over the last %1 s").arg(RateWindowSeconds));
    m_totals->setTextFormat(Qt::RichText);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Counters grow to 9 digits under load: the label takes the width its
    // dock has, never asks for more.
    m_totals->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

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
    // The counts column fits its numbers; the table scrolls, the dock stays.
    m_reasons->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_reasons->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Expanding);
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
    m_inMeter.add(stats.sampledAtMs, stats.messagesIn);
    m_outMeter.add(stats.sampledAtMs, stats.messagesOut);
    m_inRate = m_inMeter.perSecond();
    m_outRate = m_outMeter.perSecond();
    m_connectionsLine->addSample(double(stats.open));
    m_inLine->addSample(m_inRate);
    m_outLine->addSample(m_outRate);
    m_totals->setText(totalsText(stats));
    m_totals->setToolTip(tr("Accepted %1, rejected %2\nMessages in %3, out %4\nBytes in %5, out %6")
                             .arg(stats.accepted)
                             .arg(stats.rejected)
                             .arg(stats.messagesIn)
                             .arg(stats.messagesOut)
                             .arg(stats.bytesIn)
                             .arg(stats.bytesOut));
    for (int k = 0; k < TimeoutRows; ++k)
        m_reasons->item(k, 1)->setText(FeedText::count(stats.timeouts[size_t(k)]));
    for (int i = 0; i < CloseReasonCount - 1; ++i)
        m_reasons->item(TimeoutRows + i, 1)->setText(FeedText::count(stats.closes[size_t(i)]));
}

QString StatsPanel::rateText() const
{
    return tr("in %1 msg/s · out %2 msg/s").arg(FeedText::rate(m_inRate), FeedText::rate(m_outRate));
}

void StatsPanel::stop()
{
    // Nothing flows once the server stopped: the rates say 0, the totals stay.
    m_inMeter.reset();
    m_outMeter.reset();
    m_inRate = m_outRate = 0;
    m_inLine->addSample(0);
    m_outLine->addSample(0);
    m_connectionsLine->addSample(0);
}

void StatsPanel::setStale(bool stale)
{
    // Out of contact: the figures are the last known ones, greyed.
    for (QWidget *w : std::initializer_list<QWidget *>{m_connectionsLine, m_inLine, m_outLine, m_totals, m_reasons})
        w->setEnabled(!stale);
    if (stale) {
        m_inMeter.reset();
        m_outMeter.reset();
    }
}

QString StatsPanel::connectionCountText(quint64 open)
{
    return open == 1 ? tr("1 connection") : tr("%1 connections").arg(open);
}

void StatsPanel::reset()
{
    m_inMeter.reset();
    m_outMeter.reset();
    m_inRate = m_outRate = 0;
    m_connectionsLine->clear();
    m_inLine->clear();
    m_outLine->clear();
}

} // namespace Vigil
