#pragma once

#include <QChartView>
#include <QList>
#include <QStringList>

class QLineSeries;
class QValueAxis;

// A chart of a few lines over time (seconds since the dashboard opened), keeping the
// last `window` seconds and rescaling its axes to what it shows.
class TimeSeriesChart : public QChartView
{
    Q_OBJECT

public:
    TimeSeriesChart(const QString &title, const QStringList &lines, const QString &unit, QWidget *parent = nullptr);

    // One point per line, at `seconds`; a NaN leaves that line without a point.
    void append(double seconds, const QList<double> &values);
    QLineSeries *line(int index) const { return m_lines.at(index); }
    int lineCount() const { return int(m_lines.size()); }
    // Adds a line (one more node, say) and returns its index; it has no points yet.
    int addLine(const QString &name);
    int pointCount() const;
    void setWindowSeconds(double seconds) { m_window = seconds; }
    // A fixed top for the value axis (100 for a percentage); 0: follow the data.
    void setFixedTop(double top) { m_fixedTop = top; }

private:
    QList<QLineSeries *> m_lines; // owned by the chart
    QValueAxis *m_x;
    QValueAxis *m_y;
    double m_window = 120;
    double m_fixedTop = 0;
};
