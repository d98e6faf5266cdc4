#pragma once

#include "soakmonitor.h"

#include <QString>

// The soak on one PNG (Qt Charts, offscreen): five panels over the same minutes axis,
// server memory (VmRSS, RssAnon, SQLite's heap and the rest), the SQLite write-ahead log
// file, open descriptors, threads, and answers and errors per second, with the end of
// the warm-up marked on each.
bool drawSoakChart(const std::vector<SoakSample> &samples, double warmupSeconds, const QString &title, const QString &path);
