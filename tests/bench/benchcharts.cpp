#include "benchcharts.h"

#include "benchreport.h"

#include <QChart>
#include <QChartView>
#include <QDir>
#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPixmap>
#include <QValueAxis>

#include <map>

namespace {

struct Point
{
    double t;
    const SecondStats *s;
};

std::vector<Point> timeline(const BenchReport &r)
{
    std::vector<Point> points;
    double offset = 0;
    for (const QString &name : r.chartedPhases) {
        const auto p = r.phase(name);
        if (!p)
            continue;
        for (size_t i = 0; i < p->seconds().size(); ++i)
            points.push_back({offset + double(i), &p->seconds()[i]});
        offset += double(p->seconds().size());
    }
    return points;
}

bool save(QChart *chart, const QString &path)
{
    QChartView view(chart); // takes the chart
    view.setRenderHint(QPainter::Antialiasing);
    view.resize(1100, 520);
    return view.grab().save(path, "PNG");
}

QChart *newChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

void addSeries(QChart *chart, QLineSeries *s, QAbstractAxis *x, QAbstractAxis *y)
{
    chart->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
}

} // namespace

QStringList drawCharts(const BenchReport &r, const QString &dir)
{
    QStringList files;
    const std::vector<Point> points = timeline(r);
    if (points.size() < 2)
        return files;
    const double span = points.back().t + 1;

    { // Throughput
        QChart *chart = newChart(QStringLiteral("%1: answers and errors per second (%2)").arg(r.scenario, r.chartedPhases.join(QStringLiteral(", "))));
        auto *x = new QValueAxis;
        x->setTitleText(QStringLiteral("seconds"));
        x->setRange(0, span);
        auto *y = new QValueAxis;
        y->setTitleText(QStringLiteral("per second"));
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        auto *answers = new QLineSeries;
        answers->setName(QStringLiteral("answers/s"));
        auto *errors = new QLineSeries;
        errors->setName(QStringLiteral("5xx + no answer /s"));
        double top = 1;
        for (const Point &p : points) {
            answers->append(p.t, double(p.s->requests));
            errors->append(p.t, double(p.s->errors));
            top = qMax(top, double(p.s->requests));
        }
        y->setRange(0, top * 1.1);
        addSeries(chart, answers, x, y);
        addSeries(chart, errors, x, y);
        if (save(chart, QDir(dir).filePath(QStringLiteral("throughput.png"))))
            files << QStringLiteral("throughput.png");
    }
    { // Latency percentiles, log scale
        QChart *chart = newChart(QStringLiteral("%1: latency per second (ms, log scale)").arg(r.scenario));
        auto *x = new QValueAxis;
        x->setTitleText(QStringLiteral("seconds"));
        x->setRange(0, span);
        auto *y = new QLogValueAxis;
        y->setBase(10);
        y->setLabelFormat(QStringLiteral("%g"));
        y->setTitleText(QStringLiteral("ms"));
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        const std::pair<const char *, double> quantiles[] = {{"p50", 0.5}, {"p99", 0.99}, {"p99.9", 0.999}, {"max", 1.0}};
        double lo = 1e9;
        double hi = 0;
        for (const auto &[name, q] : quantiles) {
            auto *s = new QLineSeries;
            s->setName(QString::fromLatin1(name));
            for (const Point &p : points) {
                if (p.s->latency.count() == 0)
                    continue;
                const double v = qMax(0.01, double(q >= 1.0 ? p.s->latency.max() : p.s->latency.quantile(q)) / 1000.0);
                s->append(p.t, v);
                lo = qMin(lo, v);
                hi = qMax(hi, v);
            }
            addSeries(chart, s, x, y);
        }
        y->setRange(qMax(0.01, lo / 2), qMax(hi * 2, 1.0));
        if (save(chart, QDir(dir).filePath(QStringLiteral("latency.png"))))
            files << QStringLiteral("latency.png");
    }
    // Stock and orders: whatever gauges the workloads set.
    std::map<QString, QLineSeries *> gauges;
    double top = 1;
    for (const Point &p : points) {
        for (const auto &[name, value] : p.s->gauges) {
            auto &s = gauges[name];
            if (!s) {
                s = new QLineSeries;
                s->setName(name);
            }
            s->append(p.t, value);
            top = qMax(top, value);
        }
    }
    if (!gauges.empty()) {
        QChart *chart = newChart(QStringLiteral("%1: stock and orders").arg(r.scenario));
        auto *x = new QValueAxis;
        x->setTitleText(QStringLiteral("seconds"));
        x->setRange(0, span);
        auto *y = new QValueAxis;
        y->setTitleText(QStringLiteral("units / orders"));
        y->setRange(0, top * 1.1);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        for (auto &[name, s] : gauges)
            addSeries(chart, s, x, y);
        if (save(chart, QDir(dir).filePath(QStringLiteral("stock-orders.png"))))
            files << QStringLiteral("stock-orders.png");
    }
    return files;
}
