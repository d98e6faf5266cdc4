#pragma once

// glibc gives a process up to eight malloc arenas per core, and memory freed in one
// arena is reused only by the threads that allocate from it. A long-running server with
// a thread per HTTP worker, database and saga thread slowly fills each arena's free
// lists (the soak in docs/performance.md: the heap outside SQLite rose 14.6 MiB/h with
// the default, 8.4 MiB/h with two arenas). FlashSale keeps one arena per core instead.
// MALLOC_ARENA_MAX in the environment, if set, wins. Call before any thread starts.
void limitMallocArenasToCores();
