#include "soakchart.h"

#include <QChart>
#include <QChartView>
#include <QImage>
#include <QLegend>
#include <QLineSeries>
#include <QPainter>
#include <QPixmap>
#include <QValueAxis>

#include <functional>

namespace {

struct Line
{
    QString name;
    std::function<double(const SoakSample &)> value;
};

QPixmap panel(const std::vector<SoakSample> &samples, double warmupSeconds, const QString &title, const QString &unit,
              const std::vector<Line> &lines, QSize size)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *x = new QValueAxis;
    x->setTitleText(QStringLiteral("minutes"));
    auto *y = new QValueAxis;
    y->setTitleText(unit);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    double top = 1;
    const double end = samples.empty() ? 1 : samples.back().t / 60.0;
    for (const Line &line : lines) {
        auto *s = new QLineSeries;
        s->setName(line.name);
        for (const SoakSample &sample : samples) {
            const double v = line.value(sample);
            s->append(sample.t / 60.0, v);
            top = qMax(top, v);
        }
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    auto *warmup = new QLineSeries;
    warmup->setName(QStringLiteral("end of warm-up"));
    warmup->append(warmupSeconds / 60.0, 0);
    warmup->append(warmupSeconds / 60.0, top * 1.15);
    QPen dashed(Qt::gray);
    dashed.setStyle(Qt::DashLine);
    warmup->setPen(dashed);
    chart->addSeries(warmup);
    warmup->attachAxis(x);
    warmup->attachAxis(y);
    x->setRange(0, qMax(end, warmupSeconds / 60.0));
    y->setRange(0, top * 1.15);
    QChartView view(chart); // takes the chart
    view.setRenderHint(QPainter::Antialiasing);
    view.resize(size);
    return view.grab();
}

} // namespace

bool drawSoakChart(const std::vector<SoakSample> &samples, double warmupSeconds, const QString &title, const QString &path)
{
    if (samples.size() < 2)
        return false;
    const QSize size(1100, 300);
    const QPixmap panels[] = {
        panel(samples, warmupSeconds, title + QStringLiteral(": server memory"), QStringLiteral("MiB"),
              {{QStringLiteral("VmRSS"), [](const SoakSample &s) { return double(s.rssKiB) / 1024.0; }},
               {QStringLiteral("RssAnon"), [](const SoakSample &s) { return double(s.anonKiB) / 1024.0; }}},
              size),
        panel(samples, warmupSeconds, QStringLiteral("open descriptors"), QStringLiteral("fds"),
              {{QStringLiteral("entries in /proc/PID/fd"), [](const SoakSample &s) { return double(s.fds); }}}, size),
        panel(samples, warmupSeconds, QStringLiteral("threads"), QStringLiteral("threads"),
              {{QStringLiteral("Threads"), [](const SoakSample &s) { return double(s.threads); }}}, size),
        panel(samples, warmupSeconds, QStringLiteral("throughput"), QStringLiteral("per second"),
              {{QStringLiteral("answers/s"), [](const SoakSample &s) { return s.answersPerSecond; }},
               {QStringLiteral("5xx + no answer per sample"), [](const SoakSample &s) { return double(s.errors); }}},
              size),
    };
    QImage image(size.width(), size.height() * 4, QImage::Format_RGB32);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        for (int i = 0; i < 4; ++i)
            painter.drawPixmap(0, i * size.height(), panels[i]);
    }
    return image.save(path, "PNG");
}
