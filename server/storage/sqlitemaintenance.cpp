#include "sqlitemaintenance.h"

#include "database.h"

#include <QSqlQuery>

#include <sqlite3.h>

namespace SqliteMaintenance {

void checkpoint(const QSqlDatabase &db, qint64 restartFrames)
{
    QSqlQuery passive(db);
    if (!passive.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) || !passive.next())
        return;
    const qint64 frames = passive.value(1).toLongLong();
    passive.finish();
    if (frames < restartFrames)
        return;
    // Copying alone never lets the log start again from its beginning while some reader
    // is between its BEGIN and its end, which under steady load is nearly always: a soak
    // saw the file reach 2.3 GB for a 40 MB database in 11 minutes, and the file never
    // shrinks. Once it is large, TRUNCATE waits for the readers of the moment, copies the
    // rest and empties the file. It holds the writer mutex (in-process writers queue for
    // those milliseconds instead of sleeping in SQLite's busy handler) and waits at most
    // 250 ms for readers; if that is not enough it gives up and a later round tries again.
    DatabaseDetail::WriterGuard writer(db);
    QSqlQuery q(db);
    q.exec(QStringLiteral("PRAGMA busy_timeout=250"));
    q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    q.finish();
    q.exec(QStringLiteral("PRAGMA busy_timeout=10000"));
}

qint64 heapBytes()
{
    return qint64(sqlite3_memory_used());
}

} // namespace SqliteMaintenance
