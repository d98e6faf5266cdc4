#pragma once

#include <QChartView>
#include <QStringList>

class QBarSet;
class QValueAxis;

// Orders by state as bars: how many orders each final outcome has so far.
class OrderStateChart : public QChartView
{
    Q_OBJECT

public:
    explicit OrderStateChart(QWidget *parent = nullptr);

    // One count per state(), in that order.
    void setCounts(const QList<double> &counts);
    QBarSet *bars() const { return m_bars; }
    static QStringList states();

private:
    QBarSet *m_bars; // owned by the chart
    QValueAxis *m_y;
};
