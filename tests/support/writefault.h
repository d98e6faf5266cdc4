#pragma once

#include <QString>

// Storage faults a test turns on and off from outside the server, in the database itself:
// a trigger that makes every INSERT into `table` whose new row matches `condition` (an SQL
// expression over NEW, e.g. "NEW.quantity = 2", or "1 = 1" for every row) fail with an
// error, as a full disk or a broken constraint would. The server's own code is untouched;
// its commit simply fails. SQLite and PostgreSQL. Each returns an error, or empty.
namespace WriteFault {

QString inject(const QString &databaseUrl, const QString &table, const QString &condition);
QString clear(const QString &databaseUrl, const QString &table);

} // namespace WriteFault
