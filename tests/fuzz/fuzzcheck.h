#pragma once

#include <cstdio>
#include <cstdlib>

// A property a fuzz target checks on what the server's code returned: when it does not
// hold, the target aborts, and libFuzzer keeps the input as a crash.
#define FUZZ_CHECK(condition)                                                                    \
    do {                                                                                         \
        if (!(condition)) {                                                                      \
            std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                        \
        }                                                                                        \
    } while (false)
