// A small live line chart of the last samples, painted with QPainter.
#pragma once

#include <QColor>
#include <QVector>
#include <QWidget>

namespace Vigil {

class SparklineWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SparklineWidget)
public:
    explicit SparklineWidget(const QString &title, const QColor &color, QWidget *parent = nullptr);

    void addSample(double value);
    void clear();
    QVector<double> samples() const { return m_samples; }
    void setCapacity(int capacity);
    // Shown after the latest value, e.g. "msg/s".
    void setUnit(const QString &unit) { m_unit = unit; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_title;
    QString m_unit;
    QColor m_color;
    QVector<double> m_samples;
    int m_capacity = 120;
};

} // namespace Vigil
