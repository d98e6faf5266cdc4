#pragma once

// A SQLite VFS for tests that wraps the default one and fails on command, so a test can
// give an in-process server a failing disk: writes answer SQLITE_FULL (disk full) and
// syncs SQLITE_IOERR_FSYNC while the fault is on. install() makes it the default VFS of
// this process (every connection opened afterwards uses it); the flags are atomics, set
// from the test's thread and read on the server's database threads.
namespace FaultyVfs {

void install();
void failWrites(bool on); // xWrite and xTruncate: SQLITE_FULL
void failSyncs(bool on);  // xSync: SQLITE_IOERR_FSYNC
long long failures();     // calls refused since install()

} // namespace FaultyVfs
