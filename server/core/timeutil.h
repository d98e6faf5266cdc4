#pragma once

#include <QDateTime>
#include <QString>

// Times travel as milliseconds since the epoch inside the server and as ISO 8601 UTC
// ("2026-12-01T10:00:00.000Z") on the wire.
inline qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
inline QString isoUtc(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs); }
inline double centsToAmount(qint64 cents) { return double(cents) / 100.0; }
