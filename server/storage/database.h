#pragma once

#include "databaseurl.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>

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

    const DatabaseUrl &url() const { return m_url; }
    bool isPostgres() const { return m_url.kind == DatabaseUrl::Kind::Postgresql; }

    // The calling thread's connection, opened on first use. Check isOpen().
    QSqlDatabase connection() const;
    // Opens a connection once to check that the database is reachable.
    bool probe(QString *error) const;
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

// Prepares and executes; throws DatabaseError on failure.
QSqlQuery execOrThrow(const QSqlDatabase &db, const QString &sql, const QVariantList &bind = {});

// Runs `work` inside one transaction; commits when it returns, rolls back if it throws.
template<typename Work>
auto inTransaction(QSqlDatabase db, Work &&work) -> decltype(work())
{
    if (!db.transaction())
        throw DatabaseError{QStringLiteral("cannot begin transaction: ") + db.lastError().text()};
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
        throw;
    }
}
