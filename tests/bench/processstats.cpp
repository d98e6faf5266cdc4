#include "processstats.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QList>

#include <sched.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

namespace ProcessStats {

double selfCpuSeconds()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

namespace {

// The fields of a /proc/.../stat file after the command name (field 3 is index 0); empty
// when it cannot be read.
QList<QByteArray> statFields(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray line = f.readAll();
    // The command name may hold spaces: fields count from the last ')'.
    const int close = line.lastIndexOf(')');
    if (close < 0)
        return {};
    return line.mid(close + 2).split(' ');
}

double ticksToSeconds(double ticks)
{
    return ticks / double(::sysconf(_SC_CLK_TCK));
}

// utime + stime of a /proc/.../stat file, in seconds; -1 when it cannot be read.
double statCpuSeconds(const QString &path)
{
    const QList<QByteArray> fields = statFields(path);
    // utime is field 14, stime field 15.
    if (fields.size() < 13)
        return -1;
    return ticksToSeconds(fields[11].toDouble() + fields[12].toDouble());
}

QString threadKind(QByteArray name)
{
    name = name.trimmed();
    qsizetype end = name.size();
    while (end > 0 && name.at(end - 1) >= '0' && name.at(end - 1) <= '9')
        --end;
    if (end < name.size() && end > 0 && (name.at(end - 1) == '-' || name.at(end - 1) == ' '))
        --end;
    return QString::fromUtf8(end > 0 ? name.left(end) : name);
}

} // namespace

double cpuSeconds(qint64 pid)
{
    return statCpuSeconds(QStringLiteral("/proc/%1/stat").arg(pid));
}

void pinThisProcess(int core)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    const QStringList tids = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &tid : tids)
        ::sched_setaffinity(pid_t(tid.toInt()), sizeof set, &set);
}

double treeCpuSeconds(qint64 pid)
{
    struct Process { qint64 parent = 0; double seconds = 0; };
    std::map<qint64, Process> processes;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 id = entry.toLongLong(&ok);
        if (!ok)
            continue;
        const QList<QByteArray> fields = statFields(QStringLiteral("/proc/%1/stat").arg(id));
        // ppid is field 4; utime, stime, cutime and cstime fields 14 to 17. A process's
        // cutime and cstime hold the children it reaped (a backend that ended), not the
        // living ones, so nothing is counted twice.
        if (fields.size() < 15)
            continue;
        processes[id] = {fields[1].toLongLong(),
                         ticksToSeconds(fields[11].toDouble() + fields[12].toDouble() + fields[13].toDouble() + fields[14].toDouble())};
    }
    if (!processes.count(pid))
        return -1;
    double total = 0;
    for (const auto &[id, process] : processes) {
        // Counted when `pid` is this process or one of its ancestors.
        for (qint64 at = id, hops = 0; at > 0 && hops < 64; ++hops) {
            if (at == pid) {
                total += process.seconds;
                break;
            }
            const auto up = processes.find(at);
            at = up == processes.end() ? 0 : up->second.parent;
        }
    }
    return total;
}

std::map<QString, double> cpuSecondsByThread(qint64 pid)
{
    std::map<QString, double> byKind;
    const QString tasks = QStringLiteral("/proc/%1/task").arg(pid);
    const QStringList tids = QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &tid : tids) {
        QFile comm(tasks + QLatin1Char('/') + tid + QStringLiteral("/comm"));
        if (!comm.open(QIODevice::ReadOnly))
            continue;
        const double cpu = statCpuSeconds(tasks + QLatin1Char('/') + tid + QStringLiteral("/stat"));
        if (cpu >= 0)
            byKind[threadKind(comm.readAll())] += cpu;
    }
    return byKind;
}

namespace {

qint64 statusField(qint64 pid, const QByteArray &name)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &l : lines) {
        if (l.startsWith(name))
            return l.mid(name.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

} // namespace

qint64 peakRssKiB(qint64 pid)
{
    return statusField(pid, "VmHWM:");
}

qint64 currentRssKiB(qint64 pid)
{
    return statusField(pid, "VmRSS:");
}

qint64 anonymousRssKiB(qint64 pid)
{
    return statusField(pid, "RssAnon:");
}

qint64 openFiles(qint64 pid)
{
    QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    if (!fds.exists())
        return -1;
    return fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size();
}

qint64 threadCount(qint64 pid)
{
    return statusField(pid, "Threads:");
}

qint64 monotonicNs()
{
    timespec t{};
    ::clock_gettime(CLOCK_MONOTONIC, &t);
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

void raiseFileLimit()
{
    rlimit l{};
    if (::getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
        l.rlim_cur = l.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &l);
    }
}

} // namespace ProcessStats
