#pragma once

#include "databaseurl.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>

#include <atomic>
#include <chrono>
#include <type_traits>

// Hands each thread its own open connection to the one database (QtSql connections
// must not cross threads). Connections close when their thread ends.
class Database
{
public:
    explicit Database(DatabaseUrl url);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // How long a SQLite connection waits for another's write before it reports busy.
    static constexpr int sqliteBusyTimeoutMs = 10000;

    const DatabaseUrl &url() const { return m_url; }
    bool isPostgres() const { return m_url.kind == DatabaseUrl::Kind::Postgresql; }

    // The calling thread's connection, opened on first use. Check isOpen().
    QSqlDatabase connection() const;
    // SQLite: copies the write-ahead log into the database file without blocking anyone
    // and, once the log is large, makes it start again, holding writers for a few ms (the server
    // runs it every second on a database thread; storage/sqlitemaintenance.h).
    // PostgreSQL: nothing.
    void checkpoint() const;
    // Opens a connection once to check that the database is reachable.
    bool probe(QString *error) const;
    // Readiness: whether the database takes a write now (one small committed UPDATE of
    // health_probe on the calling thread's connection). False with `error` while a disk
    // is failing or the database is gone.
    bool canWrite(QString *error) const;
    // Runs an INSERT and returns the generated key of `idColumn` (RETURNING on
    // PostgreSQL, lastInsertId on SQLite). Throws DatabaseError.
    qint64 insertReturningId(const QSqlDatabase &db, const QString &sql, const QVariantList &bind,
                             const QString &idColumn) const;

private:
    DatabaseUrl m_url;
    QString m_prefix;
};

// Thrown by the helpers below so storage code reads straight through; caught at the
// edge of every database job and turned into a logged 503 problem.
struct DatabaseError
{
    QString message;
};

// SQLite has one writer at a time and makes the others sleep and retry (its busy
// handler sleeps up to 100 ms a turn), which under a burst turns lock waits into long
// stalls. Within the process, writers to SQLite queue on this mutex instead, which
// hands the lock over the moment it is free. inTransaction and execOrThrow take it.
bool isSqlite(const QSqlDatabase &db);
// Time writers spent waiting for that mutex (exported as a metric), and how often.
struct SqliteWriterWaits
{
    std::atomic<qint64> nanoseconds{0};
    std::atomic<qint64> count{0};
};
SqliteWriterWaits &sqliteWriterWaits();

// Prepares and executes; throws DatabaseError on failure. A statement that writes, run
// outside a transaction on SQLite, takes the writer mutex for its duration.
QSqlQuery execOrThrow(const QSqlDatabase &db, const QString &sql, const QVariantList &bind = {});
// The first column of the first row as an integer (0 when there is no row), for
// `SELECT count(*) ...` and other single figures. Throws DatabaseError.
qint64 integerOrThrow(const QSqlDatabase &db, const QString &sql, const QVariantList &bind = {});

namespace DatabaseDetail {
// True while this thread runs inside inTransaction (it already holds the writer mutex).
bool &inWriteTransaction();
// Set on the group-commit writer threads: the hot path's commits. While one of them
// waits for the SQLite writer mutex, background writers (saga, outbox, reaper) hold off,
// so a burst of purchases is not queued behind bookkeeping.
bool &isPriorityWriter();
// After a statement or transaction failed: if the connection itself is broken (the
// PostgreSQL backend was terminated or restarted, the network dropped), close it, so the
// thread's next Database::connection() opens a new one and the server reconnects by itself.
void recoverConnection(QSqlDatabase db);
// The error of a statement that failed at `what` ("prepare", "query"), after
// recoverConnection: what execOrThrow and execCached throw.
DatabaseError statementFailed(const QSqlDatabase &db, const QSqlQuery &query, const char *what, const QString &sql);
// SELECT or WITH: a statement that takes no SQLite writer mutex.
bool isReadOnlyStatement(const QString &sql);
// PostgreSQL: the backend process serving `db` (0 on SQLite). Throws DatabaseError.
qint64 backendPid(const QSqlDatabase &db);
// PostgreSQL: ends the backend `pid` of a connection this process lost (it may still be
// running the lost connection's last statement) and tells whether it is gone, so what it
// did can be read back for sure. Throws DatabaseError.
bool endLostSession(const QSqlDatabase &db, qint64 pid);
void lockSqliteWriter();
void unlockSqliteWriter();
struct WriterGuard
{
    explicit WriterGuard(const QSqlDatabase &db)
    {
        if (!isSqlite(db) || inWriteTransaction())
            return;
        lockSqliteWriter();
        locked = true;
        inWriteTransaction() = true;
    }
    ~WriterGuard()
    {
        if (!locked)
            return;
        inWriteTransaction() = false;
        unlockSqliteWriter();
    }
    WriterGuard(const WriterGuard &) = delete;
    WriterGuard &operator=(const WriterGuard &) = delete;
    bool locked = false;
};
} // namespace DatabaseDetail

// Runs `work` inside one transaction; commits when it returns, rolls back if it throws.
template<typename Work>
auto inTransaction(QSqlDatabase db, Work &&work) -> decltype(work())
{
    DatabaseDetail::WriterGuard writer(db);
    if (!db.transaction()) {
        const QString error = db.lastError().text();
        DatabaseDetail::recoverConnection(db);
        throw DatabaseError{QStringLiteral("cannot begin transaction: ") + error};
    }
    try {
        if constexpr (std::is_void_v<decltype(work())>) {
            work();
            if (!db.commit())
                throw DatabaseError{QStringLiteral("commit failed: ") + db.lastError().text()};
        } else {
            auto result = work();
            if (!db.commit())
                throw DatabaseError{QStringLiteral("commit failed: ") + db.lastError().text()};
            return result;
        }
    } catch (...) {
        db.rollback();
        DatabaseDetail::recoverConnection(db);
        throw;
    }
}
