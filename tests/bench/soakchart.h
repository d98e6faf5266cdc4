#pragma once

#include "soakmonitor.h"

#include <QString>

// The soak on one PNG (Qt Charts, offscreen): four panels over the same minutes axis,
// server memory (VmRSS and RssAnon), open descriptors, threads, and answers and errors
// per second, with the end of the warm-up marked on each.
bool drawSoakChart(const std::vector<SoakSample> &samples, double warmupSeconds, const QString &title, const QString &path);
