#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include <optional>

// Inserts many rows with multi-row INSERT statements (`VALUES (...), (...), ...`), up to
// `rowsPerStatement` rows per execution. In a group commit this replaces hundreds of
// single-row executions, whose per-call cost in QtSql dominated the commit. Throws
// DatabaseError; call flush() before the transaction commits.
class BatchInsert
{
public:
    BatchInsert(const QSqlDatabase &db, const QString &table, const QStringList &columns, int rowsPerStatement = 64);
    void add(const QVariantList &row);
    void flush();

private:
    QString statementFor(int rows) const;
    void execute(QSqlQuery &query, int rows);

    QSqlDatabase m_db;
    QString m_table;
    QStringList m_columns;
    int m_rowsPerStatement;
    QVariantList m_pending;
    std::optional<QSqlQuery> m_full; // prepared once for a full chunk
};
