#include "batchinsert.h"

#include "database.h"

#include <QSqlError>

BatchInsert::BatchInsert(const QSqlDatabase &db, const QString &table, const QStringList &columns, int rowsPerStatement)
    : m_db(db)
    , m_table(table)
    , m_columns(columns)
    , m_rowsPerStatement(qMax(1, rowsPerStatement))
{
    m_pending.reserve(m_columns.size() * m_rowsPerStatement);
}

QString BatchInsert::statementFor(int rows) const
{
    QString one = QStringLiteral("(");
    for (int c = 0; c < m_columns.size(); ++c)
        one += c ? QStringLiteral(", ?") : QStringLiteral("?");
    one += QLatin1Char(')');
    QStringList tuples;
    tuples.reserve(rows);
    for (int r = 0; r < rows; ++r)
        tuples.append(one);
    return QStringLiteral("INSERT INTO %1(%2) VALUES %3").arg(m_table, m_columns.join(QStringLiteral(", ")), tuples.join(QStringLiteral(", ")));
}

void BatchInsert::execute(QSqlQuery &query, int rows)
{
    for (int i = 0; i < rows * m_columns.size(); ++i)
        query.addBindValue(m_pending.at(i));
    if (!query.exec())
        throw DatabaseError{QStringLiteral("batch insert into %1 failed: %2").arg(m_table, query.lastError().text())};
}

void BatchInsert::add(const QVariantList &row)
{
    Q_ASSERT(row.size() == m_columns.size());
    m_pending += row;
    if (m_pending.size() < m_columns.size() * m_rowsPerStatement)
        return;
    if (!m_full) {
        m_full.emplace(m_db);
        if (!m_full->prepare(statementFor(m_rowsPerStatement)))
            throw DatabaseError{QStringLiteral("batch insert prepare failed: ") + m_full->lastError().text()};
    }
    execute(*m_full, m_rowsPerStatement);
    m_pending.clear();
}

void BatchInsert::flush()
{
    const int rows = int(m_pending.size() / m_columns.size());
    if (rows == 0)
        return;
    QSqlQuery rest(m_db);
    if (!rest.prepare(statementFor(rows)))
        throw DatabaseError{QStringLiteral("batch insert prepare failed: ") + rest.lastError().text()};
    execute(rest, rows);
    m_pending.clear();
}
