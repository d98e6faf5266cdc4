#pragma once

#include <QByteArray>

// Text that carries its own HMAC-SHA256: "base64url(payload).base64url(mac)". Used for
// admission tokens and join challenges, which the server hands out and later checks
// without keeping them: no lookup, no I/O, a few microseconds.
namespace SignedText {

QByteArray seal(const QByteArray &key, const QByteArray &payload);
// Returns false for anything not sealed with `key` (forged, altered, malformed).
bool open(const QByteArray &key, const QByteArray &sealed, QByteArray *payload);

} // namespace SignedText
