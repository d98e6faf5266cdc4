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
#include <iterator>

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
    const auto mib = [](qint64 kib) { return double(kib) / 1024.0; };
    const QPixmap panels[] = {
        panel(samples, warmupSeconds, title + QStringLiteral(": server memory"), QStringLiteral("MiB"),
              {{QStringLiteral("VmRSS"), [mib](const SoakSample &s) { return mib(s.rssKiB); }},
               {QStringLiteral("RssAnon"), [mib](const SoakSample &s) { return mib(s.anonKiB); }},
               {QStringLiteral("SQLite heap"), [mib](const SoakSample &s) { return mib(qMax<qint64>(0, s.sqliteKiB)); }},
               {QStringLiteral("RssAnon - SQLite heap"), [mib](const SoakSample &s) { return mib(s.anonKiB - qMax<qint64>(0, s.sqliteKiB)); }}},
              size),
        panel(samples, warmupSeconds, QStringLiteral("SQLite write-ahead log file"), QStringLiteral("MiB"),
              {{QStringLiteral("flashsale.db-wal"), [mib](const SoakSample &s) { return mib(qMax<qint64>(0, s.walKiB)); }}}, size),
        panel(samples, warmupSeconds, QStringLiteral("open descriptors"), QStringLiteral("fds"),
              {{QStringLiteral("entries in /proc/PID/fd"), [](const SoakSample &s) { return double(s.fds); }}}, size),
        panel(samples, warmupSeconds, QStringLiteral("threads"), QStringLiteral("threads"),
              {{QStringLiteral("Threads"), [](const SoakSample &s) { return double(s.threads); }}}, size),
        panel(samples, warmupSeconds, QStringLiteral("throughput"), QStringLiteral("per second"),
              {{QStringLiteral("answers/s"), [](const SoakSample &s) { return s.answersPerSecond; }},
               {QStringLiteral("5xx + no answer per sample"), [](const SoakSample &s) { return double(s.errors); }}},
              size),
    };
    const int count = int(std::size(panels));
    QImage image(size.width(), size.height() * count, QImage::Format_RGB32);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        for (int i = 0; i < count; ++i)
            painter.drawPixmap(0, i * size.height(), panels[i]);
    }
    return image.save(path, "PNG");
}
