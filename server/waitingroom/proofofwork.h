#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

// Join challenges. GET /sales/{id}/queue/challenge hands out a signed, expiring challenge
// bound to the shopper and the sale; the join sends it back with a nonce such that
// SHA-256(challenge || nonce) starts with `bits` zero bits. Finding the nonce takes about
// 2^bits hashes; checking it takes one. Each challenge is good for one join. The time
// it was issued also tells how fast the shopper acted.
class ProofOfWork
{
public:
    struct Challenge
    {
        qint64 saleId = 0;
        qint64 userId = 0;
        qint64 issuedAtMs = 0;
        qint64 expiresAtMs = 0;
        int bits = 0;
        QByteArray id; // random, names the challenge in the used set
    };

    explicit ProofOfWork(QByteArray key) : m_key(std::move(key)) {}

    QByteArray issue(qint64 saleId, qint64 userId, int bits, qint64 nowMs, qint64 ttlMs, Challenge *out = nullptr) const;
    // Checks signature, owner, sale, expiry, at least `minBits` and the work itself, then
    // spends the challenge. Returns an empty string on success, else why it was refused.
    QString redeem(const QByteArray &challenge, const QByteArray &nonce, qint64 saleId, qint64 userId, int minBits,
                   qint64 nowMs, Challenge *out);

    static int leadingZeroBits(const QByteArray &digest);
    static bool solves(const QByteArray &challenge, const QByteArray &nonce, int bits);

private:
    void forgetExpired(qint64 nowMs);

    const QByteArray m_key;
    QMutex m_usedMutex;
    QHash<QByteArray, qint64> m_used; // challenge id -> expiry
};
