#pragma once

#include <QString>

// A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.
// Order ids are primary keys and are inserted by the thousand per group commit: ids that
// grow with time land at the right edge of the B-tree instead of on a random page each,
// and they still cannot be guessed.
QString timeOrderedId();
