#include "orderstatechart.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QValueAxis>

#include <algorithm>

OrderStateChart::OrderStateChart(QWidget *parent)
    : QChartView(parent)
    , m_bars(new QBarSet(tr("Orders")))
    , m_y(new QValueAxis)
{
    auto *chart = new QChart;
    chart->setTitle(tr("Orders by state"));
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    for (int i = 0; i < states().size(); ++i)
        m_bars->append(0);
    auto *series = new QBarSeries;
    series->append(m_bars);
    series->setLabelsVisible(true);
    chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(states());
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(m_y);
    m_y->setLabelFormat(QStringLiteral("%d"));
    m_y->setRange(0, 1);
    // QChartView(QWidget *) made a default chart, and setChart() releases the previous
    // chart without deleting it: delete it here, or every chart leaks one.
    QChart *placeholder = this->chart();
    setChart(chart);
    delete placeholder;
    setMinimumSize(280, 200);
    setAccessibleName(tr("Orders by state"));
}

QStringList OrderStateChart::states()
{
    return {tr("Confirmed"), tr("Failed"), tr("Expired"), tr("Refunded")};
}

void OrderStateChart::setCounts(const QList<double> &counts)
{
    double top = 0;
    for (int i = 0; i < counts.size() && i < m_bars->count(); ++i) {
        m_bars->replace(i, counts.at(i));
        top = std::max(top, counts.at(i));
    }
    m_y->setRange(0, top > 0 ? top * 1.15 : 1);
    m_y->applyNiceNumbers();
}
