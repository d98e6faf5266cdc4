#pragma once

#include <QtGlobal>

// CPU time and memory of this process and of the server child, read from getrusage and
// /proc. CPU seconds are user + system.
namespace ProcessStats {

double selfCpuSeconds();
double cpuSeconds(qint64 pid);      // -1 when the process is gone
qint64 peakRssKiB(qint64 pid);      // VmHWM; -1 when unknown
qint64 currentRssKiB(qint64 pid);   // VmRSS; -1 when unknown
qint64 monotonicNs();
// Raises this process's open-file limit to its hard limit (children inherit it).
void raiseFileLimit();

} // namespace ProcessStats
