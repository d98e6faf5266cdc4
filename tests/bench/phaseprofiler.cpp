#include "phaseprofiler.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#include <csignal>

namespace {

constexpr int maxFrames = 40;

QString slug(const QString &phase)
{
    static const QRegularExpression other(QStringLiteral("[^A-Za-z0-9]+"));
    return phase.toLower().replace(other, QStringLiteral("-"));
}

// The top frames of a perf recording, sorted by `keys` ("symbol", "comm,symbol"), as
// "12.34% [.] symbol" lines.
QStringList topFrames(const QString &data, const QString &keys)
{
    QProcess report;
    report.start(QStandardPaths::findExecutable(QStringLiteral("perf")),
                 {QStringLiteral("report"), QStringLiteral("-i"), data, QStringLiteral("--no-children"), QStringLiteral("--sort"), keys,
                  QStringLiteral("--stdio"), QStringLiteral("-g"), QStringLiteral("none")});
    if (!report.waitForFinished(300000))
        report.kill();
    // The frame lines: "    12.34%  [.] symbol" (with the thread's name before it when sorted by comm).
    static const QRegularExpression frame(QStringLiteral("^\\s*([0-9.]+)%\\s+(.*?)[\\s-]*$"));
    QStringList top;
    for (const QString &line : QString::fromLocal8Bit(report.readAllStandardOutput()).split(QLatin1Char('\n'))) {
        const auto m = frame.match(line);
        if (m.hasMatch() && top.size() < maxFrames)
            top << QStringLiteral("%1% %2").arg(m.captured(1), m.captured(2).simplified());
    }
    return top;
}

} // namespace

PhaseProfiler::PhaseProfiler(qint64 pid, const QString &resultsDir, const QString &phase)
    : m_phase(phase)
{
    const QString perf = QStandardPaths::findExecutable(QStringLiteral("perf"));
    if (pid <= 0 || perf.isEmpty())
        return;
    const QString base = QDir(resultsDir).filePath(QStringLiteral("profile-") + slug(phase));
    m_data = base + QStringLiteral(".data");
    m_text = base + QStringLiteral(".txt");
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setStandardOutputFile(base + QStringLiteral(".log"));
    m_process.start(perf, {QStringLiteral("record"), QStringLiteral("-e"), QStringLiteral("cpu-clock"), QStringLiteral("-g"),
                           QStringLiteral("-p"), QString::number(pid), QStringLiteral("-o"), m_data});
    if (!m_process.waitForStarted(5000))
        m_process.kill();
}

PhaseProfiler::~PhaseProfiler()
{
    if (active()) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString PhaseProfiler::finish()
{
    ::kill(pid_t(m_process.processId()), SIGINT); // perf writes its file on SIGINT
    if (!m_process.waitForFinished(60000)) {
        m_process.kill();
        return QStringLiteral("profile of %1: perf did not stop").arg(m_phase);
    }
    // The frames, and the same split by thread (which thread spends it where).
    const QStringList top = topFrames(m_data, QStringLiteral("symbol"));
    QFile out(m_text);
    if (out.open(QIODevice::WriteOnly))
        out.write(top.join(QLatin1Char('\n')).toUtf8() + '\n');
    QFile byThread(QString(m_text).replace(QStringLiteral(".txt"), QStringLiteral("-by-thread.txt")));
    if (byThread.open(QIODevice::WriteOnly))
        byThread.write(topFrames(m_data, QStringLiteral("comm,symbol")).join(QLatin1Char('\n')).toUtf8() + '\n');
    QFile::remove(m_data);
    return QStringLiteral("profile of %1 (top 5 of %2): %3").arg(m_phase, QFileInfo(m_text).fileName(), top.mid(0, 5).join(QStringLiteral("; ")));
}
