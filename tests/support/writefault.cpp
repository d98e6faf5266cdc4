#include "writefault.h"

#include "invariants.h"
#include "storage/database.h"

#include <QSqlError>
#include <QSqlQuery>

namespace {

QString triggerName(const QString &table)
{
    return QStringLiteral("test_write_fault_") + table;
}

// DDL is run unprepared: PostgreSQL's PREPARE takes only queries and DML.
void run(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        throw DatabaseError{QStringLiteral("%1: %2").arg(sql, q.lastError().text())};
}

} // namespace

namespace WriteFault {

QString inject(const QString &databaseUrl, const QString &table, const QString &condition)
{
    return readDatabase(databaseUrl, [&](const QSqlDatabase &db) {
        const QString name = triggerName(table);
        if (isSqlite(db)) {
            run(db, QStringLiteral("DROP TRIGGER IF EXISTS %1").arg(name));
            run(db, QStringLiteral("CREATE TRIGGER %1 BEFORE INSERT ON %2 WHEN %3 BEGIN "
                                   "SELECT RAISE(ABORT, 'injected write fault'); END").arg(name, table, condition));
            return;
        }
        run(db, QStringLiteral("CREATE OR REPLACE FUNCTION test_write_fault() RETURNS trigger LANGUAGE plpgsql AS "
                               "$$ BEGIN RAISE EXCEPTION 'injected write fault'; END $$"));
        run(db, QStringLiteral("DROP TRIGGER IF EXISTS %1 ON %2").arg(name, table));
        run(db, QStringLiteral("CREATE TRIGGER %1 BEFORE INSERT ON %2 FOR EACH ROW WHEN (%3) EXECUTE FUNCTION test_write_fault()")
                    .arg(name, table, condition));
    });
}

QString clear(const QString &databaseUrl, const QString &table)
{
    return readDatabase(databaseUrl, [&](const QSqlDatabase &db) {
        const QString name = triggerName(table);
        if (isSqlite(db))
            run(db, QStringLiteral("DROP TRIGGER IF EXISTS %1").arg(name));
        else
            run(db, QStringLiteral("DROP TRIGGER IF EXISTS %1 ON %2").arg(name, table));
    });
}

} // namespace WriteFault
