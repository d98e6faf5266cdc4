#include "sqlitemaintenance.h"

#include "database.h"
#include "sqlitehandle.h"

#include <QSqlQuery>

#include <sqlite3.h>

#include <chrono>
#include <thread>

namespace {

constexpr auto readerRetry = std::chrono::microseconds(200);
constexpr auto readerPatience = std::chrono::milliseconds(250);

// SQLite's busy handler for the checkpoint while it waits for the readers of the moment.
// The default one (busy_timeout) sleeps 1, 2, 5, 10, 15, 20, 25 ms... between tries,
// so readers that finish within a millisecond or two cost 10 to 50 ms of held writers;
// this one looks again every 200 us, and gives up after 250 ms.
int retrySoon(void *, int tries)
{
    if (tries * readerRetry >= readerPatience)
        return 0;
    std::this_thread::sleep_for(readerRetry);
    return 1;
}

} // namespace

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
    // saw the file reach 2.3 GB for a 40 MB database in 11 minutes. Once it is large,
    // RESTART waits for the readers of the moment and copies the rest, so that the next
    // commit writes from the log's beginning again. It holds the writer mutex (in-process
    // writers queue for those milliseconds instead of sleeping in SQLite's busy handler)
    // and waits at most 250 ms for readers, looking every 200 us (retrySoon); if that is
    // not enough it gives up and a later round tries again.
    //
    // It keeps the file. TRUNCATE emptied it too, and then every commit grew it again and
    // paid for the new blocks in its fsync: at 10,000 purchases a second that held the
    // writers 40 to 108 ms a time and made the purchases' p99 (docs/performance.md, "The
    // log restarted, not truncated"). journal_size_limit (walSizeLimitBytes, set on every
    // connection) cuts a file that a burst made larger back when the log starts again.
    DatabaseDetail::WriterGuard writer(db);
    sqlite3 *handle = sqliteHandle(db);
    if (!handle)
        return;
    sqlite3_busy_handler(handle, retrySoon, nullptr);
    QSqlQuery q(db);
    q.exec(QStringLiteral("PRAGMA wal_checkpoint(RESTART)"));
    q.finish();
    sqlite3_busy_timeout(handle, Database::sqliteBusyTimeoutMs);
}

qint64 heapBytes()
{
    return qint64(sqlite3_memory_used());
}

} // namespace SqliteMaintenance
