#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <functional>

// A real PostgreSQL for one test: initdb in a temporary folder, postgres on a free
// loopback port, one database `flashsale` owned by user `flashsale`. Stopped and
// removed by the destructor. As root, the server runs as the `postgres` system user.
class PostgresFixture
{
public:
    // Tests run with fsync off (they check logic, not the disk); a benchmark asks for
    // Durable: fsync on, as the server's SQLite journal is.
    enum class Durability { FsyncOff, Durable };
    explicit PostgresFixture(Durability durability = Durability::FsyncOff);
    ~PostgresFixture();

    bool start(QString *error);
    void stop();
    // Starts the stopped server again on the same data and port (for outage tests).
    bool restart(QString *error);
    bool isRunning() const { return m_server.state() != QProcess::NotRunning; }
    QString url() const; // postgresql://flashsale:flashsale@127.0.0.1:PORT/flashsale
    quint16 port() const { return m_port; }
    // The process started for the server (postgres, or the runuser in front of it as root):
    // PostgreSQL's processes are it and its descendants. 0 when not running.
    qint64 processId() const { return m_server.processId(); }
    // Runs SQL through psql and returns its unaligned output.
    QString psql(const QString &sql, QString *error = nullptr) const;

    static quint16 freePort();
    // Starts a PostgreSQL of its own, runs `test` against its URL, and stops it. The
    // calling test fails (QVERIFY) when the server cannot start.
    static void runOnFresh(const std::function<void(const QString &databaseUrl)> &test);

private:
    bool launch(QString *error);
    QStringList asServerUser(const QString &program, const QStringList &args) const;
    QString m_bin;
    QTemporaryDir m_dir;
    QProcess m_server;
    quint16 m_port = 0;
    bool m_root = false;
    Durability m_durability;
};
