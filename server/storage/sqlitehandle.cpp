#include "sqlitehandle.h"

#include "database.h"

#include <QSqlDriver>

// As Qt's documentation of QSqlDriver::handle() shows.
sqlite3 *sqliteHandle(const QSqlDatabase &db)
{
    if (!isSqlite(db))
        return nullptr;
    const QVariant v = db.driver()->handle();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.constData());
}
