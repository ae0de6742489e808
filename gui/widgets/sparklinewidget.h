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
    // Decimals of the latest value, always the same (default 0).
    void setDecimals(int decimals) { m_decimals = decimals; }
    // The latest value as it is painted, e.g. "250.0 msg/s".
    QString valueText() const;

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
    int m_decimals = 0;
};

} // namespace Vigil
