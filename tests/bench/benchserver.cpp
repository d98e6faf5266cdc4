#include "benchserver.h"

#include "sanitizerreport.h"

#include <sched.h>

#include <QDeadlineTimer>
#include <QFile>
#include <QProcessEnvironment>
#include <QRegularExpression>

#include <csignal>
#include <sys/prctl.h>


BenchServer::BenchServer()
{
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
}

BenchServer::~BenchServer()
{
    stop();
}

QMap<QString, QString> BenchServer::loadDefaults()
{
    return {
        {QStringLiteral("server/logLevel"), QStringLiteral("warning")},
        {QStringLiteral("auth/argon2OpsLimit"), QStringLiteral("1")},
        {QStringLiteral("auth/argon2MemLimitKiB"), QStringLiteral("8")},
        {QStringLiteral("auth/tokenRateLimitAttempts"), QStringLiteral("0")},
        {QStringLiteral("auth/registrationRateLimitAttempts"), QStringLiteral("0")},
        {QStringLiteral("auth/hashingQueue"), QStringLiteral("100000")},
        {QStringLiteral("auth/accessTokenTtlSeconds"), QStringLiteral("7200")},
        {QStringLiteral("purchase/rateLimitSeconds"), QStringLiteral("0")},
        {QStringLiteral("waitingRoom/joinLimitPerShopper"), QStringLiteral("0")},
        {QStringLiteral("waitingRoom/joinLimitPerAddress"), QStringLiteral("0")},
        {QStringLiteral("waitingRoom/admissionTokenTtlSeconds"), QStringLiteral("600")},
        {QStringLiteral("waitingRoom/preQueueOrder"), QStringLiteral("arrival")},
        {QStringLiteral("demo/seed"), QStringLiteral("false")},
    };
}

bool BenchServer::start(const QString &binary, const QString &databaseUrl, const QMap<QString, QString> &settings, QString *error)
{
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary data folder");
        return false;
    }
    if (!QFile::exists(binary)) {
        *error = QStringLiteral("server binary %1 not found (build the app first)").arg(binary);
        return false;
    }
    m_databaseUrl = databaseUrl.isEmpty() ? QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("flashsale.db")) : databaseUrl;
    // Written by hand: QSettings would quote and reorder; one [section] per prefix.
    QMap<QString, QMap<QString, QString>> sections;
    for (auto it = settings.cbegin(); it != settings.cend(); ++it) {
        const QString section = it.key().section(QLatin1Char('/'), 0, 0);
        sections[section][it.key().section(QLatin1Char('/'), 1)] = it.value();
    }
    m_configText = QStringLiteral("; written by flashsale-bench for this run\n");
    for (auto s = sections.cbegin(); s != sections.cend(); ++s) {
        m_configText += QStringLiteral("[%1]\n").arg(s.key());
        for (auto k = s.value().cbegin(); k != s.value().cend(); ++k)
            m_configText += QStringLiteral("%1=%2\n").arg(k.key(), k.value());
    }
    const QString configPath = m_dir.filePath(QStringLiteral("bench.ini"));
    QFile config(configPath);
    if (!config.open(QIODevice::WriteOnly) || config.write(m_configText.toUtf8()) < 0) {
        *error = QStringLiteral("cannot write %1").arg(configPath);
        return false;
    }
    config.close();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("FLASHSALE_ADMIN_EMAIL"), SaleFixture::adminEmail);
    env.insert(QStringLiteral("FLASHSALE_ADMIN_PASSWORD"), SaleFixture::adminPassword);
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    m_process.setProcessEnvironment(env);
    // One modifier: QProcess keeps only the last one set (a second one here once dropped
    // the pinning, so --pin-cores pinned the generator alone).
    m_process.setChildProcessModifier([cores = m_cores] {
        // If the bench dies (Ctrl-C, a time-out), the server goes with it.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (cores.isEmpty())
            return;
        cpu_set_t set;
        CPU_ZERO(&set);
        for (int core : cores)
            CPU_SET(core, &set);
        ::sched_setaffinity(0, sizeof set, &set); // inherited by every thread the server starts
    });
    // Both streams to files: a pipe nobody reads would stall the server once full.
    m_process.setStandardOutputFile(m_dir.filePath(QStringLiteral("server-stdout.log")));
    m_process.setStandardErrorFile(m_dir.filePath(QStringLiteral("server-stderr.log")));
    const QStringList args = {QStringLiteral("--headless"), QStringLiteral("--config"), configPath, QStringLiteral("--port"),
                              QStringLiteral("0"), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--data-dir"),
                              m_dir.path(), QStringLiteral("--database"), m_databaseUrl, QStringLiteral("--no-demo")};
    m_process.start(binary, args);
    if (!m_process.waitForStarted(10000)) {
        *error = m_process.errorString();
        return false;
    }
    m_pid = m_process.processId();
    static const QRegularExpression serving(QStringLiteral("serving at (http://\\S+)"));
    QByteArray output;
    QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired() && m_process.state() != QProcess::NotRunning) {
        m_process.waitForFinished(100);
        QFile out(m_dir.filePath(QStringLiteral("server-stdout.log")));
        if (out.open(QIODevice::ReadOnly))
            output = out.readAll();
        const auto m = serving.match(QString::fromUtf8(output));
        if (m.hasMatch()) {
            m_url = QUrl(m.captured(1));
            return true;
        }
    }
    *error = QStringLiteral("server did not start: %1 %2").arg(QString::fromUtf8(output), QString::fromUtf8(errorOutput()));
    return false;
}

QByteArray BenchServer::errorOutput()
{
    QFile f(m_dir.filePath(QStringLiteral("server-stderr.log")));
    return f.open(QIODevice::ReadOnly) ? f.readAll().right(4000) : QByteArray();
}

void BenchServer::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(30000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    SanitizerReport::failOnFile(m_dir.filePath(QStringLiteral("server-stderr.log")), QStringLiteral("the bench's server"));
}
