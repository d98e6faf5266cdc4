#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariantList>


struct sqlite3_stmt;

// Inserts many rows of one table inside the caller's transaction. Throws DatabaseError;
// call flush() before the transaction commits.
// - SQLite: one prepared single-row INSERT on the connection's own sqlite3 handle
//   (QSqlDriver::handle()), bound and stepped per row. QtSql's per-value binding (a
//   placeholder name built and looked up for every value) cost more than SQLite's own
//   work in the purchase journal's group commit.
// - PostgreSQL: multi-row `VALUES (...), (...)` statements of `rowsPerStatement` rows, and
//   the rest in chunks of powers of two, one round trip each. They come from the
//   connection's statement cache (execCached): prepared once per connection, not for every
//   batch.
class BatchInsert
{
public:
    BatchInsert(const QSqlDatabase &db, const QString &table, const QStringList &columns, int rowsPerStatement = 64);
    ~BatchInsert();
    BatchInsert(const BatchInsert &) = delete;
    BatchInsert &operator=(const BatchInsert &) = delete;

    void add(const QVariantList &row);
    void flush();

private:
    QString statementFor(int rows) const;
    void execute(qsizetype firstRow, int rows); // PostgreSQL: rows of m_pending from firstRow
    void insertNative(const QVariantList &row);
    [[noreturn]] void throwNative(const char *what) const;

    QSqlDatabase m_db;
    QString m_table;
    QStringList m_columns;
    int m_rowsPerStatement;
    QVariantList m_pending;
    sqlite3_stmt *m_native = nullptr; // SQLite: the single-row INSERT
};
