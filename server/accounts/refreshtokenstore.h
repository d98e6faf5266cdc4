#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QString>

// Opaque refresh tokens in the refresh_tokens table. The token is 32 random bytes in
// base64url, given to the client once; only its SHA-256 is stored. A login starts a
// family; each refresh replaces the presented token by a new one of the same family. A
// token presented after it was replaced means it leaked (or was stolen and used): the
// whole family is revoked, so neither the thief nor the victim can go on with it.
// Except within the reuse interval: a token presented again within `reuseIntervalMs` of
// its rotation (two tabs refreshing at once, an answer lost on the way) is answered with
// the same new token, kept in memory for that long; after it, reuse revokes as before.
// Called from the database threads at once: the memory of recent rotations has a lock.
// Methods take the calling thread's connection and throw DatabaseError on failure.
class RefreshTokenStore
{
public:
    enum class Outcome { Rotated, RotatedJustBefore, Unknown, Expired, Revoked, Reused };
    struct Rotation
    {
        Outcome outcome = Outcome::Unknown;
        qint64 userId = 0;     // set unless Unknown
        QString family;        // set unless Unknown
        QByteArray token;      // the new token when Rotated or RotatedJustBefore
    };

    explicit RefreshTokenStore(qint64 ttlMs, qint64 reuseIntervalMs = 0) : m_ttlMs(ttlMs), m_reuseIntervalMs(reuseIntervalMs) {}

    qint64 ttlMs() const { return m_ttlMs; }
    // Starts a new family for `userId` (a login) and returns its first token.
    QByteArray issue(const QSqlDatabase &db, qint64 userId, qint64 nowMs) const;
    // Exchanges a token for the next of its family, in one transaction.
    Rotation rotate(const QSqlDatabase &db, const QByteArray &presented, qint64 nowMs) const;
    // Removes the rows of tokens that expired before `nowMs`; returns how many.
    int purgeExpired(const QSqlDatabase &db, qint64 nowMs) const;

    static QString hashOf(const QByteArray &token); // lower-case hex SHA-256

private:
    QByteArray insert(const QSqlDatabase &db, qint64 userId, const QString &family, qint64 nowMs) const;

    void rememberSuccessor(const QString &presentedHash, const QByteArray &successor, qint64 nowMs) const;
    QByteArray recentSuccessor(const QString &presentedHash, qint64 nowMs) const;

    struct Successor
    {
        QByteArray token;
        qint64 untilMs = 0;
    };

    qint64 m_ttlMs;
    qint64 m_reuseIntervalMs;
    mutable QMutex m_recentMutex;
    mutable QHash<QString, Successor> m_recent; // presented token's hash -> what it was exchanged for
};
