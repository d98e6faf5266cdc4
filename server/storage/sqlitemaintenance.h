#pragma once

#include <QSqlDatabase>
#include <QtGlobal>

// Keeping a long-running SQLite database in shape: its write-ahead log and its heap.
namespace SqliteMaintenance {

// The log is emptied once it holds this many pages (64 MiB of 4 KiB pages).
constexpr qint64 walRestartFrames = 16384;

// Copies the write-ahead log into the database file without waiting for anyone
// (PASSIVE) and, once the log holds `restartFrames` pages, empties it (TRUNCATE), which
// waits at most 250 ms for the readers of the moment (see the .cpp for why).
void checkpoint(const QSqlDatabase &db, qint64 restartFrames = walRestartFrames);

// Heap memory SQLite holds in this process (page caches of every connection, schemas,
// statements): sqlite3_memory_used(). Each connection's cache may reach cache_size
// (64 MiB), so it grows with the data up to that; exported so that a memory graph can
// tell it from the rest of the heap.
qint64 heapBytes();

} // namespace SqliteMaintenance
