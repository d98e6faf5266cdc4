#pragma once

#include <QString>
#include <QtGlobal>

#include <map>

// CPU time and memory of this process and of the server child, read from getrusage and
// /proc. CPU seconds are user + system.
namespace ProcessStats {

double selfCpuSeconds();
double cpuSeconds(qint64 pid);      // -1 when the process is gone
// CPU seconds of `pid` and every process below it, with the children they already reaped
// (PostgreSQL: the postmaster, its backends and workers). -1 when `pid` is gone.
double treeCpuSeconds(qint64 pid);
// CPU seconds of each kind of thread of `pid`, by thread name with a trailing number
// dropped ("fs-saga-2" and "fs-saga-1" are "fs-saga", "http-0" is "http"). Threads that
// ended are not counted (their time went to the process). Empty when the process is gone.
std::map<QString, double> cpuSecondsByThread(qint64 pid);
qint64 peakRssKiB(qint64 pid);      // VmHWM; -1 when unknown
qint64 currentRssKiB(qint64 pid);   // VmRSS; -1 when unknown
qint64 anonymousRssKiB(qint64 pid); // RssAnon: heap and stacks, without mapped files; -1 when unknown
qint64 openFiles(qint64 pid);       // entries in /proc/<pid>/fd; -1 when unknown
qint64 threadCount(qint64 pid);     // Threads: in /proc/<pid>/status; -1 when unknown
qint64 monotonicNs();
// Runs every thread of this process, and those it starts later, on `core` only.
void pinThisProcess(int core);
// Raises this process's open-file limit to its hard limit (children inherit it).
void raiseFileLimit();

} // namespace ProcessStats
