#include "soakmonitor.h"

#include "processstats.h"
#include "runmetrics.h"
#include "sanitizerslowdown.h"
#include "storage/sqlitemaintenance.h"

#include <QFileInfo>

#include <algorithm>
#include <functional>

SoakMonitor::SoakMonitor(qint64 serverPid, int intervalSeconds, std::function<qint64()> sqliteHeapBytes, QString walPath)
    : m_pid(serverPid)
    , m_interval(qMax(1, intervalSeconds))
    , m_sqliteHeapBytes(std::move(sqliteHeapBytes))
    , m_walPath(std::move(walPath))
    , m_lastCpu(ProcessStats::cpuSeconds(serverPid))
{
}

void SoakMonitor::tick(qint64 second, const RunMetrics &metrics)
{
    if (second - m_lastSecond < m_interval)
        return;
    SoakSample s;
    s.t = double(second);
    s.rssKiB = ProcessStats::currentRssKiB(m_pid);
    s.anonKiB = ProcessStats::anonymousRssKiB(m_pid);
    s.fds = ProcessStats::openFiles(m_pid);
    s.threads = ProcessStats::threadCount(m_pid);
    const qint64 sqlite = m_sqliteHeapBytes ? m_sqliteHeapBytes() : -1;
    s.sqliteKiB = sqlite >= 0 ? sqlite / 1024 : -1;
    if (!m_walPath.isEmpty())
        s.walKiB = QFileInfo(m_walPath).size() / 1024; // 0 while it does not exist
    // Whole seconds since the last sample; the current second is still filling.
    qint64 answers = 0;
    const auto &seconds = metrics.seconds();
    for (qint64 k = m_lastSecond; k < second && k < qint64(seconds.size()); ++k) {
        answers += seconds[size_t(k)].requests;
        s.errors += seconds[size_t(k)].errors;
    }
    const double span = double(second - m_lastSecond);
    s.answersPerSecond = double(answers) / span;
    const double cpu = ProcessStats::cpuSeconds(m_pid);
    s.serverCores = (cpu - m_lastCpu) / span;
    m_lastCpu = cpu;
    m_lastSecond = second;
    m_samples.push_back(s);
}

double SoakMonitor::slope(const std::vector<double> &t, const std::vector<double> &y)
{
    const size_t n = qMin(t.size(), y.size());
    if (n < 2)
        return 0;
    double tMean = 0;
    double yMean = 0;
    for (size_t i = 0; i < n; ++i) {
        tMean += t[i];
        yMean += y[i];
    }
    tMean /= double(n);
    yMean /= double(n);
    double covariance = 0;
    double variance = 0;
    for (size_t i = 0; i < n; ++i) {
        covariance += (t[i] - tMean) * (y[i] - yMean);
        variance += (t[i] - tMean) * (t[i] - tMean);
    }
    return variance > 0 ? covariance / variance : 0;
}

SoakVerdict SoakMonitor::judge(double warmupSeconds) const
{
    SoakVerdict v;
    v.warmupSeconds = warmupSeconds;
    std::vector<const SoakSample *> after;
    for (const SoakSample &s : m_samples) {
        if (s.t >= warmupSeconds)
            after.push_back(&s);
    }
    v.samples = int(after.size());
    if (after.size() < 3) {
        v.violations << QStringLiteral("only %1 samples after the warm-up: nothing to judge").arg(after.size());
        return v;
    }
    v.windowSeconds = after.back()->t - after.front()->t;
    const bool longEnough = v.windowSeconds >= 600;
    struct Resource
    {
        const char *name;
        const char *unit;
        std::function<double(const SoakSample &)> value;
        double slopeLimit;
        std::function<double(double atWarmupEnd)> rangeLimit;
        bool judged = true;
        double ceiling = 0; // > 0: judged by its largest value alone, slope and range shown
    };
    const auto mib = [](qint64 kib) { return double(kib) / 1024.0; };
    // A fifth of the size at the end of the warm-up, at least 16 MiB; a sanitizer build's
    // server (the bench is built alike) adds its allowance: ASan's quarantine of freed
    // memory fills up over the run, 256 MiB by default.
    const auto memoryRange = [mib](double base) { return qMax(16.0, 0.2 * base) + mib(Sanitizer::memoryBoundKiB(0)); };
    const Resource resources[] = {
        // What a leak grows: the heap outside SQLite's page caches (whose size is set by
        // cache_size per connection and grows with the data up to it).
        {"server memory outside SQLite (RssAnon - SQLite heap)", "MiB",
         [mib](const SoakSample &s) { return mib(s.anonKiB - qMax<qint64>(0, s.sqliteKiB)); }, 10.0,
         memoryRange},
        {"SQLite heap (page caches)", "MiB", [mib](const SoakSample &s) { return mib(s.sqliteKiB); }, 10.0,
         memoryRange, false},
        {"server memory (RssAnon)", "MiB", [mib](const SoakSample &s) { return mib(s.anonKiB); }, 10.0,
         memoryRange, false},
        // Shown, not judged: it adds the pages of the SQLite file mapped into the process
        // (mmap_size, 256 MiB), which grow with the data by design and are page cache.
        {"server memory (VmRSS)", "MiB", [mib](const SoakSample &s) { return mib(s.rssKiB); }, 10.0,
         memoryRange, false},
        // The log starts again once it holds 64 MiB, written over the same file, so the
        // file fills up to its working size once and stays there; journal_size_limit cuts
        // it back past 256 MiB when the log starts again. Judged by that ceiling and one
        // restart point more: a log that never started again outgrew it within minutes.
        {"SQLite write-ahead log file", "MiB", [mib](const SoakSample &s) { return mib(s.walKiB); }, 64.0, [](double) { return 192.0; },
         !m_walPath.isEmpty(), mib((SqliteMaintenance::walSizeLimitBytes + SqliteMaintenance::walRestartFrames * 4096) / 1024)},
        {"open descriptors", "fds", [](const SoakSample &s) { return double(s.fds); }, 20.0, [](double) { return 32.0; }},
        {"threads", "threads", [](const SoakSample &s) { return double(s.threads); }, 4.0, [](double) { return 4.0; }},
    };
    for (const Resource &r : resources) {
        SoakTrend trend;
        trend.name = QString::fromLatin1(r.name);
        trend.unit = QString::fromLatin1(r.unit);
        std::vector<double> t;
        std::vector<double> y;
        for (const SoakSample *s : after) {
            t.push_back(s->t);
            y.push_back(r.value(*s));
        }
        trend.atWarmupEnd = y.front();
        trend.atEnd = y.back();
        trend.min = *std::min_element(y.begin(), y.end());
        trend.max = *std::max_element(y.begin(), y.end());
        trend.slopePerHour = slope(t, y) * 3600.0;
        trend.slopeLimit = r.slopeLimit;
        trend.rangeLimit = r.rangeLimit(trend.atWarmupEnd);
        trend.slopeChecked = longEnough;
        trend.ceiling = r.ceiling;
        QStringList broke;
        if (r.ceiling > 0) {
            if (trend.max > r.ceiling)
                broke << QStringLiteral("reached %1 %2 (ceiling %3)").arg(trend.max, 0, 'f', 1).arg(trend.unit).arg(r.ceiling, 0, 'f', 0);
        } else {
            if (longEnough && trend.slopePerHour > trend.slopeLimit)
                broke << QStringLiteral("grows %1 %2/h (limit %3)").arg(trend.slopePerHour, 0, 'f', 2).arg(trend.unit).arg(trend.slopeLimit);
            if (trend.max - trend.min > trend.rangeLimit)
                broke << QStringLiteral("max - min %1 %2 (limit %3)").arg(trend.max - trend.min, 0, 'f', 1).arg(trend.unit).arg(trend.rangeLimit, 0, 'f', 1);
        }
        trend.judged = r.judged;
        trend.verdict = broke.isEmpty() ? QStringLiteral("flat") : broke.join(QStringLiteral("; "));
        if (!r.judged)
            trend.verdict = QStringLiteral("shown, not judged (%1)").arg(broke.isEmpty() ? QStringLiteral("would be flat") : trend.verdict);
        else if (!broke.isEmpty())
            v.violations << QStringLiteral("%1 not flat after the warm-up: %2").arg(trend.name, trend.verdict);
        v.trends.push_back(trend);
    }
    return v;
}
