#include "batchinsert.h"

#include "cachedquery.h"
#include "database.h"
#include "sqlitehandle.h"

#include <sqlite3.h>

BatchInsert::BatchInsert(const QSqlDatabase &db, const QString &table, const QStringList &columns, int rowsPerStatement)
    : m_db(db)
    , m_table(table)
    , m_columns(columns)
    , m_rowsPerStatement(qMax(1, rowsPerStatement))
{
    if (sqlite3 *handle = sqliteHandle(db)) {
        const QByteArray sql = statementFor(1).toUtf8();
        if (sqlite3_prepare_v2(handle, sql.constData(), int(sql.size()), &m_native, nullptr) != SQLITE_OK) {
            const QString error = QString::fromUtf8(sqlite3_errmsg(handle));
            sqlite3_finalize(m_native);
            m_native = nullptr;
            throw DatabaseError{QStringLiteral("batch insert prepare failed: ") + error};
        }
        return;
    }
    m_pending.reserve(m_columns.size() * m_rowsPerStatement);
}

BatchInsert::~BatchInsert()
{
    sqlite3_finalize(m_native); // a no-op on nullptr
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

void BatchInsert::execute(qsizetype firstRow, int rows)
{
    const qsizetype columns = m_columns.size();
    execCached(m_db, statementFor(rows), m_pending.mid(firstRow * columns, rows * columns));
}

void BatchInsert::throwNative(const char *what) const
{
    const QString error = QString::fromUtf8(sqlite3_errmsg(sqlite3_db_handle(m_native)));
    sqlite3_reset(m_native);
    throw DatabaseError{QStringLiteral("batch insert into %1 failed (%2): %3").arg(m_table, QLatin1String(what), error)};
}

void BatchInsert::insertNative(const QVariantList &row)
{
    for (int i = 0; i < row.size(); ++i) {
        const QVariant &v = row.at(i);
        const int column = i + 1;
        int rc = SQLITE_OK;
        if (v.isNull()) {
            rc = sqlite3_bind_null(m_native, column);
        } else {
            switch (v.typeId()) {
            case QMetaType::Int:
            case QMetaType::LongLong:
            case QMetaType::UInt:
            case QMetaType::Bool:
                rc = sqlite3_bind_int64(m_native, column, v.toLongLong());
                break;
            case QMetaType::Double:
                rc = sqlite3_bind_double(m_native, column, v.toDouble());
                break;
            case QMetaType::QByteArray: {
                const QByteArray bytes = v.toByteArray();
                rc = sqlite3_bind_blob64(m_native, column, bytes.constData(), sqlite3_uint64(bytes.size()), SQLITE_TRANSIENT);
                break;
            }
            default: {
                const QByteArray text = v.toString().toUtf8();
                rc = sqlite3_bind_text64(m_native, column, text.constData(), sqlite3_uint64(text.size()), SQLITE_TRANSIENT, SQLITE_UTF8);
                break;
            }
            }
        }
        if (rc != SQLITE_OK)
            throwNative("bind");
    }
    if (sqlite3_step(m_native) != SQLITE_DONE)
        throwNative("step");
    if (sqlite3_reset(m_native) != SQLITE_OK)
        throwNative("reset");
}

void BatchInsert::add(const QVariantList &row)
{
    Q_ASSERT(row.size() == m_columns.size());
    if (m_native) {
        insertNative(row);
        return;
    }
    m_pending += row;
    if (m_pending.size() < m_columns.size() * m_rowsPerStatement)
        return;
    execute(0, m_rowsPerStatement);
    m_pending.clear();
}

void BatchInsert::flush()
{
    const int rows = int(m_pending.size() / m_columns.size());
    // The rest in chunks of powers of two (a tail of 45 rows: 32, 8, 4 and 1), so a
    // connection keeps a few prepared statements per table, not one for every tail size.
    int chunk = 1;
    while (chunk * 2 <= rows)
        chunk *= 2;
    int done = 0;
    for (; chunk > 0; chunk /= 2) {
        if (rows & chunk) {
            execute(done, chunk);
            done += chunk;
        }
    }
    m_pending.clear();
}
