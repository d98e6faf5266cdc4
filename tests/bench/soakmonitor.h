#pragma once

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

class RunMetrics;

// The soak's view of the server over time: every few seconds its memory, open
// descriptors and threads from /proc/<pid>, with the answers and errors per second and
// the server's CPU since the last sample. judge() decides whether each resource stayed
// flat after the warm-up: the slope of a least-squares line through the post-warm-up
// samples, and their max - min, each against a limit stated in the report.
struct SoakSample
{
    double t = 0;            // seconds since the load started
    qint64 rssKiB = 0;       // VmRSS: everything resident, the mapped database file included
    qint64 anonKiB = 0;      // RssAnon: heap, stacks and caches
    qint64 sqliteKiB = -1;   // SQLite's own heap (its page caches), from /metrics; -1 unknown
    qint64 walKiB = -1;      // the SQLite write-ahead log file; -1 without one (PostgreSQL)
    qint64 fds = 0;
    qint64 threads = 0;
    double answersPerSecond = 0;
    qint64 errors = 0;       // 5xx and no answer since the last sample
    double serverCores = 0;  // server CPU seconds per second since the last sample
};

struct SoakTrend
{
    QString name;
    QString unit;
    double atWarmupEnd = 0;
    double atEnd = 0;
    double min = 0;
    double max = 0;
    double slopePerHour = 0;
    double slopeLimit = 0;   // per hour; checked only over a window of 10 minutes or more
    double rangeLimit = 0;   // max - min after the warm-up
    double ceiling = 0;      // > 0: judged by the largest value alone (slope and range shown)
    bool slopeChecked = false;
    bool judged = true;      // false: shown only (VmRSS, which includes the mapped database file)
    QString verdict;         // "flat", or what broke
};

struct SoakVerdict
{
    double warmupSeconds = 0;
    double windowSeconds = 0; // from the end of the warm-up to the last sample
    int samples = 0;
    std::vector<SoakTrend> trends;
    QStringList violations;
};

class SoakMonitor
{
public:
    // `sqliteHeapBytes` reads the server's flashsale_sqlite_heap_bytes (-1: unknown);
    // `walPath` is the SQLite log file (empty for PostgreSQL).
    SoakMonitor(qint64 serverPid, int intervalSeconds, std::function<qint64()> sqliteHeapBytes, QString walPath);
    // Once a second from the load generator's thread: samples when the interval has passed.
    void tick(qint64 second, const RunMetrics &metrics);
    const std::vector<SoakSample> &samples() const { return m_samples; }
    int intervalSeconds() const { return m_interval; }
    SoakVerdict judge(double warmupSeconds) const;

    // Least-squares slope of y over t (units of y per unit of t); 0 with fewer than two points.
    static double slope(const std::vector<double> &t, const std::vector<double> &y);

private:
    qint64 m_pid;
    int m_interval;
    std::function<qint64()> m_sqliteHeapBytes;
    QString m_walPath;
    qint64 m_lastSecond = 0;
    double m_lastCpu = 0;
    std::vector<SoakSample> m_samples;
};
