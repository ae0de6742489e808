// SparklineWidget: title and latest value on top, the line below, scaled
// to the largest visible sample so quiet periods still show shape.
#include "sparklinewidget.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>

namespace Vigil {

SparklineWidget::SparklineWidget(const QString &title, const QColor &color, QWidget *parent)
    : QWidget(parent)
    , m_title(title)
    , m_color(color)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void SparklineWidget::addSample(double value)
{
    m_samples.append(value);
    if (m_samples.size() > m_capacity)
        m_samples.remove(0, m_samples.size() - m_capacity);
    update();
}

void SparklineWidget::clear()
{
    m_samples.clear();
    update();
}

void SparklineWidget::setCapacity(int capacity)
{
    m_capacity = std::max(2, capacity);
    if (m_samples.size() > m_capacity)
        m_samples.remove(0, m_samples.size() - m_capacity);
    update();
}

QSize SparklineWidget::sizeHint() const
{
    return QSize(220, fontMetrics().height() + 56);
}

QSize SparklineWidget::minimumSizeHint() const
{
    return QSize(120, fontMetrics().height() + 30);
}

QString SparklineWidget::valueText() const
{
    const double latest = m_samples.isEmpty() ? 0.0 : m_samples.constLast();
    QString value = QString::number(latest, 'f', m_decimals);
    if (!m_unit.isEmpty())
        value += QLatin1Char(' ') + m_unit;
    return value;
}

void SparklineWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    const QRect all = rect().adjusted(1, 1, -1, -1);
    p.setPen(palette().color(QPalette::Mid));
    p.setBrush(palette().color(QPalette::Base));
    p.drawRoundedRect(all, 4, 4);

    const int textHeight = fontMetrics().height();
    const QRect header = all.adjusted(6, 3, -6, 0);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(header, Qt::AlignLeft | Qt::AlignTop, m_title);
    const QString value = valueText();
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(m_color.darker(130));
    p.drawText(header, Qt::AlignRight | Qt::AlignTop, value);
    p.setFont(font());

    const QRectF plot = QRectF(all).adjusted(6, textHeight + 6, -6, -5);
    if (m_samples.size() < 2 || plot.height() < 4)
        return;
    const double peak = std::max(1.0, *std::max_element(m_samples.cbegin(), m_samples.cend()));
    // Newest sample at the right edge; the line grows in from the right.
    const double step = plot.width() / double(m_capacity - 1);
    const double x0 = plot.right() - step * double(m_samples.size() - 1);
    QPainterPath line;
    for (int i = 0; i < m_samples.size(); ++i) {
        const QPointF pt(x0 + step * i, plot.bottom() - plot.height() * (m_samples[i] / peak));
        if (i == 0)
            line.moveTo(pt);
        else
            line.lineTo(pt);
    }
    QPainterPath area = line;
    area.lineTo(plot.right(), plot.bottom());
    area.lineTo(x0, plot.bottom());
    area.closeSubpath();
    QColor fill = m_color;
    fill.setAlpha(50);
    p.setPen(Qt::NoPen);
    p.setBrush(fill);
    p.drawPath(area);
    p.setPen(QPen(m_color, 1.6));
    p.setBrush(Qt::NoBrush);
    p.drawPath(line);
}

} // namespace Vigil
