// Paints a countdown cell as a bar that empties towards zero and shifts
// from green through amber to red, with the time left written on it.
#pragma once

#include <QStyledItemDelegate>

namespace Vigil {

class CountdownDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CountdownDelegate)
public:
    explicit CountdownDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The bar colour for a fraction of time left (1 = full, 0 = expired).
    static QColor colorFor(double fraction);
};

} // namespace Vigil
