// CountdownDelegate: reads RemainingMsRole/TotalMsRole from the model; the
// model's single refresh timer drives the repaints.
#include "countdowndelegate.h"

#include "connectiontablemodel.h"

#include <QApplication>
#include <QPainter>

namespace Vigil {

namespace {
const QColor Green(0x2e, 0xa0, 0x43);
const QColor Amber(0xe6, 0xa1, 0x17);
const QColor Red(0xd6, 0x33, 0x2b);

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}
} // namespace

CountdownDelegate::CountdownDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

QColor CountdownDelegate::colorFor(double fraction)
{
    // Green while more than half is left, amber at a quarter, red near zero.
    fraction = std::clamp(fraction, 0.0, 1.0);
    if (fraction >= 0.5)
        return Green;
    if (fraction >= 0.25)
        return mix(Amber, Green, (fraction - 0.25) / 0.25);
    return mix(Red, Amber, fraction / 0.25);
}

void CountdownDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const qint64 left = index.data(ConnectionTableModel::RemainingMsRole).toLongLong();
    const qint64 total = index.data(ConnectionTableModel::TotalMsRole).toLongLong();
    if (left < 0 || total <= 0) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const double fraction = std::clamp(double(left) / double(total), 0.0, 1.0);
    const QRect track = opt.rect.adjusted(3, 3, -3, -3);
    QRect bar = track;
    bar.setWidth(int(track.width() * fraction));
    const QColor color = colorFor(fraction);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setPen(Qt::NoPen);
    // On a selected row the pale track sits on the highlight: it and the
    // text over it take the highlight's own text colour.
    const bool selected = opt.state.testFlag(QStyle::State_Selected);
    const QColor highlightedText = opt.palette.color(QPalette::HighlightedText);
    QColor trackColor = selected ? highlightedText : color;
    trackColor.setAlpha(selected ? 60 : 40);
    painter->setBrush(trackColor);
    painter->drawRoundedRect(track, 3, 3);
    painter->setBrush(color);
    if (bar.width() > 0)
        painter->drawRoundedRect(bar, 3, 3);
    // The time left is written across the bar: light on the filled part
    // where the bar is dark, dark on the pale track.
    QFont font = opt.font;
    font.setBold(fraction < 0.25);
    painter->setFont(font);
    const QRect textRect = track.adjusted(4, 0, -4, 0);
    const QColor dark(0x20, 0x20, 0x20);
    const bool darkBar = 0.299 * color.redF() + 0.587 * color.greenF() + 0.114 * color.blueF() < 0.6;
    painter->setClipRect(bar);
    painter->setPen(darkBar ? QColor(Qt::white) : dark);
    painter->drawText(textRect, Qt::AlignRight | Qt::AlignVCenter, text);
    painter->setClipRect(QRect(bar.right() + 1, track.top(), track.right() - bar.right(), track.height()));
    // The pale track shows the base through it: the palette's own text colour
    // reads on it, light or dark.
    painter->setPen(selected ? highlightedText : opt.palette.color(QPalette::Text));
    painter->drawText(textRect, Qt::AlignRight | Qt::AlignVCenter, text);
    painter->restore();
}

} // namespace Vigil
