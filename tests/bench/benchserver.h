#pragma once

#include <QMap>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include "salefixture.h"

// The FlashSale binary as a headless child process on a free loopback port, with a
// configuration file written for load (limits that would stop a crowd from one address
// turned off, cheap password hashing) and its own temporary data folder. Stopped by
// stop() or the destructor.
class BenchServer
{
public:
    BenchServer();
    ~BenchServer();
    BenchServer(const BenchServer &) = delete;
    BenchServer &operator=(const BenchServer &) = delete;

    // `settings`: "section/key" -> value, written over the load defaults.
    bool start(const QString &binary, const QString &databaseUrl, const QMap<QString, QString> &settings, QString *error);
    void stop();
    // The cores the server runs on from its next start (empty: wherever the kernel likes).
    void setCores(QList<int> cores) { m_cores = std::move(cores); }
    quint16 port() const { return quint16(m_url.port()); }
    QUrl baseUrl() const { return m_url; }
    qint64 pid() const { return m_pid; }
    QString databaseUrl() const { return m_databaseUrl; }
    QString configText() const { return m_configText; }
    QString dataDir() const { return m_dir.path(); }
    QByteArray errorOutput();

    static QMap<QString, QString> loadDefaults();

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QList<int> m_cores;
    QUrl m_url;
    qint64 m_pid = 0;
    QString m_databaseUrl;
    QString m_configText;
};
