#include "timeserieschart.h"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

TimeSeriesChart::TimeSeriesChart(const QString &title, const QStringList &lines, const QString &unit, QWidget *parent)
    : QChartView(parent)
    , m_x(new QValueAxis)
    , m_y(new QValueAxis)
{
    auto *chart = new QChart; // owned by the view
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_x->setTitleText(tr("seconds"));
    m_x->setLabelFormat(QStringLiteral("%d"));
    m_y->setTitleText(unit);
    m_y->setLabelFormat(QStringLiteral("%g"));
    m_y->setRange(0, 1);
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    // QChartView(QWidget *) made a default chart, and setChart() releases the previous
    // chart without deleting it: delete it here, or every chart leaks one.
    QChart *placeholder = this->chart();
    setChart(chart);
    delete placeholder;
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(280, 200);
    setAccessibleName(title);
    for (const QString &name : lines)
        addLine(name);
}

int TimeSeriesChart::addLine(const QString &name)
{
    auto *series = new QLineSeries;
    series->setName(name);
    series->setPointsVisible(true); // a lone point (one busy second) still shows
    chart()->addSeries(series); // owned by the chart
    series->attachAxis(m_x);
    series->attachAxis(m_y);
    m_lines.append(series);
    return int(m_lines.size()) - 1;
}

void TimeSeriesChart::append(double seconds, const QList<double> &values)
{
    double top = 0;
    for (int i = 0; i < m_lines.size() && i < values.size(); ++i) {
        QLineSeries *series = m_lines.at(i);
        if (!std::isnan(values.at(i)))
            series->append(seconds, values.at(i));
        int stale = 0;
        while (stale < series->count() && series->at(stale).x() < seconds - m_window)
            ++stale;
        if (stale > 0)
            series->removePoints(0, stale);
        for (const QPointF &p : series->points())
            top = std::max(top, p.y());
    }
    m_x->setRange(std::max(0.0, seconds - m_window), std::max(10.0, seconds));
    if (m_fixedTop > 0) {
        m_y->setRange(0, m_fixedTop);
        return;
    }
    m_y->setRange(0, top > 0 ? top * 1.15 : 1);
    m_y->applyNiceNumbers();
}

int TimeSeriesChart::pointCount() const
{
    int n = 0;
    for (const QLineSeries *series : m_lines)
        n += int(series->count());
    return n;
}
