#include "database.h"

#include "cachedquery.h"
#include "sqlitemaintenance.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QSqlError>
#include <QThread>
#include <QThreadStorage>
#include <QUuid>

#include <condition_variable>
#include <mutex>
#include <optional>

namespace {

// Owns one thread's connection name; removing it when the thread's storage is destroyed.
struct ThreadConnections
{
    QHash<QString, QString> names; // database prefix -> connection name
    QHash<QString, DatabaseDetail::StatementCache> statements; // by connection name
    ~ThreadConnections()
    {
        statements.clear(); // prepared statements go before their connections
        for (const QString &name : std::as_const(names)) {
            { QSqlDatabase db = QSqlDatabase::database(name, false); db.close(); }
            QSqlDatabase::removeDatabase(name);
        }
    }
};

QThreadStorage<ThreadConnections *> &threadConnections()
{
    static QThreadStorage<ThreadConnections *> storage;
    return storage;
}

QAtomicInteger<quint64> connectionCounter;

} // namespace

namespace {

// What every new or reopened connection needs before it is used.
void configure(QSqlDatabase &db)
{
    if (!isSqlite(db))
        return;
    QSqlQuery q(db);
    // WAL lets readers run beside the one writer; FULL makes every commit durable.
    q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
    q.exec(QStringLiteral("PRAGMA synchronous=FULL"));
    q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
    // A purchase burst inserts into several indexes at once; with SQLite's default
    // 2 MiB page cache every commit re-read evicted pages with pread. Keep 64 MiB of
    // pages per connection and read the file through a memory map.
    q.exec(QStringLiteral("PRAGMA cache_size=-65536"));
    q.exec(QStringLiteral("PRAGMA mmap_size=268435456"));
    // No connection checkpoints the WAL when it commits (that put a copy of the WAL
    // into the database file, with its fsync, inside whichever purchase commit crossed
    // 1,000 pages); Database::checkpoint() does it in the background instead.
    q.exec(QStringLiteral("PRAGMA wal_autocheckpoint=0"));
    // The background checkpoint restarts the log without shrinking its file; a file that
    // a burst grew past this is cut back when the log next starts again.
    q.exec(QStringLiteral("PRAGMA journal_size_limit=%1").arg(SqliteMaintenance::walSizeLimitBytes));
}

} // namespace

Database::Database(DatabaseUrl url)
    : m_url(std::move(url))
    , m_prefix(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

Database::~Database() = default;

QSqlDatabase Database::connection() const
{
    auto &storage = threadConnections();
    if (!storage.hasLocalData())
        storage.setLocalData(new ThreadConnections);
    ThreadConnections *mine = storage.localData();
    const auto it = mine->names.constFind(m_prefix);
    if (it != mine->names.constEnd()) {
        QSqlDatabase db = QSqlDatabase::database(*it, false);
        if (db.isOpen())
            return db;
        mine->statements[*it].clear(); // prepared on the connection that closed
        // Closed after a failure (recoverConnection) or never opened: open it again, set up
        // as a new one, so the server reconnects by itself once the database is back.
        if (db.open())
            configure(db);
        return db;
    }
    const QString name = m_prefix + QLatin1Char('-') + QString::number(++connectionCounter);
    QSqlDatabase db = QSqlDatabase::addDatabase(m_url.driverName(), name);
    if (m_url.kind == DatabaseUrl::Kind::Sqlite) {
        db.setDatabaseName(m_url.path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(sqliteBusyTimeoutMs));
    } else {
        db.setHostName(m_url.host);
        db.setPort(m_url.port);
        db.setUserName(m_url.user);
        db.setPassword(m_url.password);
        db.setDatabaseName(m_url.name);
        db.setConnectOptions(QStringLiteral("connect_timeout=5"));
    }
    mine->names.insert(m_prefix, name);
    if (db.open())
        configure(db);
    return db;
}

void Database::checkpoint() const
{
    if (isPostgres())
        return;
    SqliteMaintenance::checkpoint(connection());
}

bool Database::canWrite(QString *error) const
{
    // A connection that PostgreSQL dropped (it restarted, or ended the backend) fails its
    // first statement and is closed by that failure. One more try, on a new connection,
    // tells whether the database takes a write now: else readiness answered 503 once
    // for every database thread's stale connection after the database was back, and a
    // load balancer saw the node flap between ready and not.
    for (int attempt = 0; attempt < 2; ++attempt) {
        QSqlDatabase db = connection();
        if (!db.isOpen()) {
            if (error)
                *error = db.lastError().text();
            return false;
        }
        try {
            inTransaction(db, [&] {
                execOrThrow(db, QStringLiteral("UPDATE health_probe SET checked_at = ? WHERE probe_id = 1"),
                            {QDateTime::currentMSecsSinceEpoch()});
            });
            return true;
        } catch (const DatabaseError &e) {
            if (error)
                *error = e.message;
            if (db.isOpen())
                return false; // the database refused the write, on a live connection
        }
    }
    return false;
}

bool Database::probe(QString *error) const
{
    QSqlDatabase db = connection();
    if (db.isOpen())
        return true;
    if (error)
        *error = db.lastError().text();
    return false;
}

namespace {

// SQLite has one writer at a time. Writers queue here instead of in SQLite's busy loop,
// and the group commit (a priority writer) goes before the others. A release wakes one
// waiter, a priority one if any waits: waking every waiter (16 saga workers, the outbox,
// the scans) on every commit made each of them run only to find the lock taken again.
struct SqliteWriterLock
{
    std::mutex mutex;
    std::condition_variable priorityTurn;
    std::condition_variable ordinaryTurn;
    bool held = false;
    int priorityWaiting = 0;
    int ordinaryWaiting = 0;
};

SqliteWriterLock &writerLock()
{
    static SqliteWriterLock lock;
    return lock;
}

} // namespace

bool &DatabaseDetail::isPriorityWriter()
{
    thread_local bool priority = false;
    return priority;
}

void DatabaseDetail::lockSqliteWriter()
{
    SqliteWriterLock &w = writerLock();
    std::unique_lock lock(w.mutex);
    const bool priority = isPriorityWriter();
    const auto free = [&] { return !w.held && (priority || w.priorityWaiting == 0); };
    if (!free()) {
        const auto start = std::chrono::steady_clock::now();
        if (priority) {
            ++w.priorityWaiting;
            w.priorityTurn.wait(lock, free);
            --w.priorityWaiting;
        } else {
            ++w.ordinaryWaiting;
            w.ordinaryTurn.wait(lock, free);
            --w.ordinaryWaiting;
        }
        sqliteWriterWaits().nanoseconds.fetch_add(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count(),
            std::memory_order_relaxed);
        sqliteWriterWaits().count.fetch_add(1, std::memory_order_relaxed);
    }
    w.held = true;
}

void DatabaseDetail::unlockSqliteWriter()
{
    SqliteWriterLock &w = writerLock();
    std::lock_guard lock(w.mutex);
    w.held = false;
    // The one woken takes the lock unless another writer came first; then that writer's
    // release wakes the next, so no waiter is left asleep while the lock is free.
    if (w.priorityWaiting > 0)
        w.priorityTurn.notify_one();
    else if (w.ordinaryWaiting > 0)
        w.ordinaryTurn.notify_one();
}

SqliteWriterWaits &sqliteWriterWaits()
{
    static SqliteWriterWaits waits;
    return waits;
}

bool isSqlite(const QSqlDatabase &db)
{
    return db.driverName() == QLatin1String("QSQLITE");
}

bool &DatabaseDetail::inWriteTransaction()
{
    thread_local bool inside = false;
    return inside;
}

DatabaseDetail::StatementCache *DatabaseDetail::statementCache(const QString &connectionName)
{
    auto &storage = threadConnections();
    if (!storage.hasLocalData())
        return nullptr;
    ThreadConnections *mine = storage.localData();
    for (const QString &name : std::as_const(mine->names)) {
        if (name == connectionName)
            return &mine->statements[name];
    }
    return nullptr;
}

DatabaseError DatabaseDetail::statementFailed(const QSqlDatabase &db, const QSqlQuery &query, const char *what, const QString &sql)
{
    const QString error = QStringLiteral("%1 failed: %2 (%3)").arg(QLatin1String(what), query.lastError().text(), sql);
    recoverConnection(db);
    return DatabaseError{error};
}

bool DatabaseDetail::isReadOnlyStatement(const QString &sql)
{
    const QStringView head = QStringView(sql).trimmed().left(6);
    return head.compare(QLatin1String("SELECT"), Qt::CaseInsensitive) == 0
        || head.left(4).compare(QLatin1String("WITH"), Qt::CaseInsensitive) == 0;
}

QSqlQuery execOrThrow(const QSqlDatabase &db, const QString &sql, const QVariantList &bind)
{
    std::optional<DatabaseDetail::WriterGuard> writer;
    if (!DatabaseDetail::isReadOnlyStatement(sql))
        writer.emplace(db);
    QSqlQuery q(db);
    const auto fail = [&](const char *what) { return DatabaseDetail::statementFailed(db, q, what, sql); };
    if (bind.isEmpty()) { // DDL cannot be prepared on PostgreSQL
        if (!q.exec(sql))
            throw fail("query");
        return q;
    }
    if (!q.prepare(sql))
        throw fail("prepare");
    for (const QVariant &v : bind)
        q.addBindValue(v);
    if (!q.exec())
        throw fail("query");
    return q;
}

void DatabaseDetail::recoverConnection(QSqlDatabase db)
{
    // A SQLite connection does not break: its next statement simply tries the disk again.
    if (!db.isOpen() || isSqlite(db))
        return;
    QSqlQuery ping(db);
    if (ping.exec(QStringLiteral("SELECT 1")))
        return;
    // Every error PostgreSQL itself reports has an SQLSTATE; inside a failed transaction
    // the ping gets 25P02 and the connection is fine. No SQLSTATE (libpq lost the
    // socket), class 08 (connection exception) or 57P (the server shut the backend
    // down, e.g. pg_terminate_backend): the connection is gone.
    const QString state = ping.lastError().nativeErrorCode();
    if (state.isEmpty() || state.startsWith(QLatin1String("08")) || state.startsWith(QLatin1String("57P"))) {
        ping.finish();
        db.close();
    }
}

qint64 integerOrThrow(const QSqlDatabase &db, const QString &sql, const QVariantList &bind)
{
    QSqlQuery q = execOrThrow(db, sql, bind);
    return q.next() ? q.value(0).toLongLong() : 0;
}

qint64 DatabaseDetail::backendPid(const QSqlDatabase &db)
{
    return isSqlite(db) ? 0 : integerOrThrow(db, QStringLiteral("SELECT pg_backend_pid()"));
}

bool DatabaseDetail::endLostSession(const QSqlDatabase &db, qint64 pid)
{
    if (pid <= 0)
        return true;
    const auto gone = [&db, pid] {
        return integerOrThrow(db, QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE pid = ?"), {pid}) == 0;
    };
    if (gone()) // it usually is: a backend ends once it reads the end of its connection
        return true;
    execOrThrow(db, QStringLiteral("SELECT pg_terminate_backend(?)"), {pid}); // a backend may end its own role's
    return gone();
}

qint64 Database::insertReturningId(const QSqlDatabase &db, const QString &sql, const QVariantList &bind,
                                   const QString &idColumn) const
{
    if (isPostgres()) {
        QSqlQuery q = execOrThrow(db, sql + QStringLiteral(" RETURNING ") + idColumn, bind);
        if (!q.next())
            throw DatabaseError{QStringLiteral("insert returned no id: ") + sql};
        return q.value(0).toLongLong();
    }
    return execOrThrow(db, sql, bind).lastInsertId().toLongLong();
}
