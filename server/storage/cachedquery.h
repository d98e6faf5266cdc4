#pragma once

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include <vector>

// A statement prepared once per connection and kept for the connection's next use of the
// same SQL: on PostgreSQL one EXECUTE instead of PREPARE, EXECUTE and DEALLOCATE (three
// round trips, and a parse and plan in the backend, each time); on SQLite no new parse.
// For the statements run for every order (the saga's, the outbox's). Read its rows, then
// let it go: it goes back to its connection's cache when destroyed. The same SQL run while
// one is held (nested) gets a second statement. Connections that close or reopen drop
// their cache, and with it the prepared statements they no longer have.
class CachedQuery
{
public:
    CachedQuery(CachedQuery &&other) noexcept;
    CachedQuery &operator=(CachedQuery &&) = delete;
    CachedQuery(const CachedQuery &) = delete;
    CachedQuery &operator=(const CachedQuery &) = delete;
    ~CachedQuery();

    QSqlQuery *operator->() { return &m_query; }

private:
    friend CachedQuery execCached(const QSqlDatabase &db, const QString &sql, const QVariantList &bind);
    CachedQuery(QSqlQuery query, QString sql, QString connection, quint64 generation)
        : m_query(std::move(query)), m_sql(std::move(sql)), m_connection(std::move(connection)), m_generation(generation)
    {
    }

    QSqlQuery m_query;
    QString m_sql;
    QString m_connection;
    quint64 m_generation = 0;
    bool m_keep = false; // set once it executed; a failed statement is not kept
};

// execOrThrow with a statement from the connection's cache (`bind` must not be empty:
// DDL is not cached). Throws DatabaseError; a statement that writes, run outside a
// transaction on SQLite, takes the writer mutex for its duration.
CachedQuery execCached(const QSqlDatabase &db, const QString &sql, const QVariantList &bind);

namespace DatabaseDetail {
// The calling thread's prepared statements of one connection, by SQL (database.cpp keeps
// them with the thread's connections, so they go before their connection does).
struct StatementCache
{
    QHash<QString, std::vector<QSqlQuery>> idle;
    quint64 generation = 0;
    void clear()
    {
        idle.clear();
        ++generation;
    }
};
// Null when the connection is not one of this thread's Database connections.
StatementCache *statementCache(const QString &connectionName);
} // namespace DatabaseDetail
