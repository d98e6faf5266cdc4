#pragma once

#include "http/principal.h"

#include <QByteArray>
#include <QHash>

// The access tokens one thread has verified lately, so that a shopper who sends the same
// token a hundred times is not decoded and HMAC-checked a hundred times. Keyed by the
// token's exact bytes; an entry is used only before the token's own expiry and only by
// the codec that verified it (tests run several servers, each with its own key, in one
// process). Bounded: when full it starts again empty. One per thread (thread_local), so
// no lock; a token's entry never outlives what verify() would say of it, because the
// signing keys of a codec are fixed for its life and access tokens are not revoked
// before they expire (docs/security.md).
class VerifiedTokens
{
public:
    static constexpr int capacity = 4096;

    // The cache of the calling thread for the codec numbered `codec`.
    static VerifiedTokens &forThread(quint64 codec);

    // The principal of `token` if it was verified here and expires after `nowSeconds`.
    const Principal *find(const QByteArray &token, qint64 nowSeconds);
    void remember(const QByteArray &token, const Principal &principal, qint64 expiresAtSeconds);

private:
    struct Entry
    {
        Principal principal;
        qint64 expiresAt = 0;
    };
    quint64 m_codec = 0;
    QHash<QByteArray, Entry> m_entries;
};
