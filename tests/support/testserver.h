#pragma once

#include "config/serverconfig.h"
#include "core/flashsaleserver.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>
#include <memory>

// A real FlashSale server in this process, on a free loopback port, with its own
// temporary data folder and SQLite file (or the database URL a test sets).
class TestServer
{
public:
    using Tweak = std::function<void(ServerConfig &)>;
    explicit TestServer(const Tweak &tweak = {});
    ~TestServer();

    bool start();
    void stop();
    QString error() const { return m_error; }
    QUrl baseUrl() const { return m_server ? m_server->baseUrl() : QUrl(); }
    FlashSaleServer &server() { return *m_server; }
    ServerConfig &config() { return m_config; }
    QString dataDir() const { return m_dir.path(); }

    // A configuration for tests: port 0, 2 HTTP threads, demo off, cheap Argon2id.
    static ServerConfig testConfig(const QString &dataDir);

private:
    QTemporaryDir m_dir;
    ServerConfig m_config;
    std::unique_ptr<FlashSaleServer> m_server;
    QString m_error;
};

// The flashsale binary as a child process (for tests that kill it with SIGKILL).
class ServerProcess
{
public:
    ServerProcess();
    ~ServerProcess();
    // Starts `flashsale --headless --port 0 ...` and waits for its URL.
    bool start(const QStringList &extraArguments, QString *error, int timeoutMs = 30000);
    void kill();      // SIGKILL, no clean-up
    void terminate(); // SIGTERM, clean stop; waits
    QUrl baseUrl() const { return m_url; }
    QString dataDir() const { return m_dir.path(); }
    QByteArray output() const { return m_output; }

private:
    // Once the server has ended: a sanitizer's report on its standard error ends the test
    // (SanitizerReport), since no answer the test checks would show it.
    void failOnSanitizerReport();

    QTemporaryDir m_dir;
    QProcess m_process;
    QUrl m_url;
    QByteArray m_output;
};

// Where tests write screenshots and reports (FLASHSALE_TEST_OUTPUT, else a temp folder).
QString testOutputDir();
