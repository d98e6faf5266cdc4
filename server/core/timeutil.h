#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

// Times travel as milliseconds since the epoch inside the server and as ISO 8601 UTC
// ("2026-12-01T10:00:00.000Z") on the wire.
inline qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
// Formatting a QDateTime costs about as much as the rest of a small answer, and a thread
// writes the same few times over and over (this millisecond, a sale's start): each thread
// keeps its last few renderings and hands out copies of its own.
QString isoUtc(qint64 ms);
// The same text appended to `out` as bytes (JSON written directly).
void appendIsoUtc(QByteArray &out, qint64 ms);
inline double centsToAmount(qint64 cents) { return double(cents) / 100.0; }
