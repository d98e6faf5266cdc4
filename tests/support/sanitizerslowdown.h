#pragma once

#include <QtGlobal>

// Sanitizer builds (the server and the tests are compiled alike) are the place to find
// memory and thread errors, not to time the server: it runs several times slower, and
// ASan keeps freed memory in quarantine (256 MiB by default) while TSan keeps shadow
// memory beside the heap. Bounds on time and memory are widened by these; the plain
// build's are the issues' own.
namespace Sanitizer {

#if defined(__SANITIZE_ADDRESS__)
constexpr double slowdown = 3.0;
constexpr qint64 extraKiB = 256 * 1024;
#elif defined(__SANITIZE_THREAD__)
constexpr double slowdown = 5.0;
constexpr qint64 extraKiB = 512 * 1024;
#else
constexpr double slowdown = 1.0;
constexpr qint64 extraKiB = 0;
#endif

// A wait of `ms` in the plain build, times the sanitizer's slowdown.
constexpr int scaledMs(int ms) { return int(ms * slowdown); }
// A bound on the server's memory growth of `kib` in the plain build, with the sanitizer's allowance.
constexpr qint64 memoryBoundKiB(qint64 kib) { return kib + extraKiB; }

} // namespace Sanitizer
