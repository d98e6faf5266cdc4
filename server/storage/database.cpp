#include "database.h"

#include <QAtomicInteger>
#include <QSqlError>
#include <QThread>
#include <QThreadStorage>
#include <QUuid>

namespace {

// Owns one thread's connection name; removing it when the thread's storage is destroyed.
struct ThreadConnections
{
    QHash<QString, QString> names; // database prefix -> connection name
    ~ThreadConnections()
    {
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
        db.open();
        return db;
    }
    const QString name = m_prefix + QLatin1Char('-') + QString::number(++connectionCounter);
    QSqlDatabase db = QSqlDatabase::addDatabase(m_url.driverName(), name);
    if (m_url.kind == DatabaseUrl::Kind::Sqlite) {
        db.setDatabaseName(m_url.path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    } else {
        db.setHostName(m_url.host);
        db.setPort(m_url.port);
        db.setUserName(m_url.user);
        db.setPassword(m_url.password);
        db.setDatabaseName(m_url.name);
        db.setConnectOptions(QStringLiteral("connect_timeout=5"));
    }
    mine->names.insert(m_prefix, name);
    if (db.open() && m_url.kind == DatabaseUrl::Kind::Sqlite) {
        QSqlQuery q(db);
        // WAL lets readers run beside the one writer; FULL makes every commit durable.
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        q.exec(QStringLiteral("PRAGMA synchronous=FULL"));
        q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
    }
    return db;
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

QSqlQuery execOrThrow(const QSqlDatabase &db, const QString &sql, const QVariantList &bind)
{
    QSqlQuery q(db);
    if (bind.isEmpty()) { // DDL cannot be prepared on PostgreSQL
        if (!q.exec(sql))
            throw DatabaseError{QStringLiteral("query failed: %1 (%2)").arg(q.lastError().text(), sql)};
        return q;
    }
    if (!q.prepare(sql))
        throw DatabaseError{QStringLiteral("prepare failed: %1 (%2)").arg(q.lastError().text(), sql)};
    for (const QVariant &v : bind)
        q.addBindValue(v);
    if (!q.exec())
        throw DatabaseError{QStringLiteral("query failed: %1 (%2)").arg(q.lastError().text(), sql)};
    return q;
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
