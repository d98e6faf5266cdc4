#pragma once

#include <QByteArray>
#include <QString>

// The waiting room's admission token: proof that a shopper's turn came for one sale,
// until an expiry. Signed with the waiting room's own key (HMAC-SHA256), checked on the
// purchase path without any lookup.
struct AdmissionToken
{
    qint64 saleId = 0;
    qint64 userId = 0;
    qint64 ticket = 0;
    qint64 expiresAtMs = 0;

    QByteArray seal(const QByteArray &key) const;
    // False for a forged, altered or malformed token (its fields are then unset).
    static bool open(const QByteArray &key, const QByteArray &token, AdmissionToken *out);
    // Every reason a token does not let `userId` buy in `saleId` at `nowMs`; empty if it does.
    static QString refusal(const QByteArray &key, const QByteArray &token, qint64 saleId, qint64 userId, qint64 nowMs);
};
