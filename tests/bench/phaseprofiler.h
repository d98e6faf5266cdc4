#pragma once

#include <QProcess>
#include <QString>

// `--perf`: the server sampled with `perf record -e cpu-clock -g` for the length of one
// phase (this VM has no hardware counters), and the top of `perf report --no-children
// --sort symbol` kept as profile-<phase>.txt in the results folder. Sampling costs the
// server CPU, so a profiled run's rates are not the figures to quote.
class PhaseProfiler
{
public:
    // pid 0: nothing is profiled.
    PhaseProfiler(qint64 pid, const QString &resultsDir, const QString &phase);
    ~PhaseProfiler();
    PhaseProfiler(const PhaseProfiler &) = delete;
    PhaseProfiler &operator=(const PhaseProfiler &) = delete;

    bool active() const { return m_process.state() != QProcess::NotRunning; }
    // Stops sampling and writes the report; returns a line for the report's notes.
    QString finish();

private:
    QProcess m_process;
    QString m_phase;
    QString m_data;
    QString m_text;
};
