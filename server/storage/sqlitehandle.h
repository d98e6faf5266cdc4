#pragma once

#include <QSqlDatabase>

struct sqlite3;

// The connection's sqlite3 handle, for what QtSql does not offer (stepping a prepared
// statement per row, a busy handler), or null if the connection is not SQLite.
sqlite3 *sqliteHandle(const QSqlDatabase &db);
