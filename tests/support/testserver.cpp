#include "testserver.h"

#include "sanitizerreport.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QRegularExpression>
#include <QThread>

#include <csignal>

ServerConfig TestServer::testConfig(const QString &dataDir)
{
    ServerConfig c;
    c.http.port = 0;
    c.http.threads = 2;
    c.dataDir = dataDir;
    c.demo.seed = false;
    c.auth.argon2OpsLimit = 1;
    c.auth.argon2MemLimitKiB = 8;
    c.auth.tokenRateLimitAttempts = 0; // tests log in thousands of shoppers from 127.0.0.1
    c.auth.registrationRateLimitAttempts = 0; // and register them
    c.auth.hashingQueue = 4096;               // all at once
    c.auth.refreshReuseIntervalSeconds = 0; // strict rotation; tst_refreshreuse turns the interval on
    c.waitingRoom.required = false;    // suites that buy without queueing; the waiting room's own tests turn it on
    c.logLevel = QStringLiteral("warning");
    return c;
}

TestServer::TestServer(const Tweak &tweak)
    : m_config(testConfig(m_dir.path()))
{
    if (tweak)
        tweak(m_config);
}

TestServer::~TestServer()
{
    stop();
}

bool TestServer::start()
{
    m_server = std::make_unique<FlashSaleServer>(m_config);
    if (!m_server->start(&m_error)) {
        m_server.reset();
        return false;
    }
    return true;
}

void TestServer::stop()
{
    if (m_server) {
        m_server->stop();
        m_server.reset();
    }
}

ServerProcess::ServerProcess()
{
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning)
        terminate();
    else
        failOnSanitizerReport();
}

void ServerProcess::failOnSanitizerReport()
{
    SanitizerReport::failOn(m_process.readAllStandardError(), QStringLiteral("the server (exit code %1)").arg(m_process.exitCode()));
}

bool ServerProcess::start(const QStringList &extraArguments, QString *error, int timeoutMs)
{
    const QString binary = qEnvironmentVariable("FLASHSALE_BINARY");
    if (binary.isEmpty()) {
        *error = QStringLiteral("FLASHSALE_BINARY is not set (run the tests through CTest)");
        return false;
    }
    QStringList args = {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                        QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--log-level"), QStringLiteral("warning")};
    args += extraArguments;
    m_output.clear();
    m_url.clear();
    m_process.start(binary, args);
    if (!m_process.waitForStarted(5000)) {
        *error = m_process.errorString();
        return false;
    }
    static const QRegularExpression serving(QStringLiteral("serving at (http://\\S+)"));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        // Serve this thread's events while waiting: a test may run a peer of the server
        // here (the loopback payment gateway) that a restarted server calls at once.
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        m_process.waitForReadyRead(50);
        m_output += m_process.readAllStandardOutput();
        const auto m = serving.match(QString::fromUtf8(m_output));
        if (m.hasMatch()) {
            m_url = QUrl(m.captured(1));
            return true;
        }
        if (m_process.state() == QProcess::NotRunning)
            break;
    }
    *error = QStringLiteral("server did not start: ") + QString::fromUtf8(m_process.readAllStandardError());
    return false;
}

void ServerProcess::kill()
{
    // Not running: processId() is 0, and kill(0, ...) would kill this whole process group.
    if (m_process.state() == QProcess::NotRunning || m_process.processId() <= 0)
        return;
    ::kill(pid_t(m_process.processId()), SIGKILL);
    m_process.waitForFinished(10000);
    failOnSanitizerReport();
}

void ServerProcess::terminate()
{
    if (m_process.state() == QProcess::NotRunning) {
        failOnSanitizerReport();
        return;
    }
    m_process.terminate();
    if (!m_process.waitForFinished(20000))
        kill();
    failOnSanitizerReport();
}

QString testOutputDir()
{
    QString dir = qEnvironmentVariable("FLASHSALE_TEST_OUTPUT");
    if (dir.isEmpty())
        dir = QDir::temp().filePath(QStringLiteral("flashsale-test-output"));
    QDir().mkpath(dir);
    return dir;
}
