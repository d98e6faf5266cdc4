#pragma once

#include <QSqlDatabase>
#include <QtGlobal>

// Keeping a long-running SQLite database in shape: its write-ahead log and its heap.
namespace SqliteMaintenance {

// The log starts again from its beginning once it holds this many pages (64 MiB of
// 4 KiB pages).
constexpr qint64 walRestartFrames = 16384;

// The file of a log that starts again is cut back to this size if a burst made it
// larger (PRAGMA journal_size_limit, set on every connection): four times the restart
// point, which one second of 10,000 purchases does not reach.
constexpr qint64 walSizeLimitBytes = 4 * walRestartFrames * 4096;

// Copies the write-ahead log into the database file without waiting for anyone
// (PASSIVE) and, once the log holds `restartFrames` pages, makes the next commit write
// from its beginning (RESTART), which waits at most 250 ms for the readers of the
// moment and keeps the file for reuse (see the .cpp for why).
void checkpoint(const QSqlDatabase &db, qint64 restartFrames = walRestartFrames);

// Heap memory SQLite holds in this process (page caches of every connection, schemas,
// statements): sqlite3_memory_used(). Each connection's cache may reach cache_size
// (64 MiB), so it grows with the data up to that; exported so that a memory graph can
// tell it from the rest of the heap.
qint64 heapBytes();

} // namespace SqliteMaintenance
