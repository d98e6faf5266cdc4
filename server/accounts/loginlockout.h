#pragma once

#include <QSqlDatabase>
#include <QString>

// Wrong passwords are counted per e-mail and client address (table login_failures), not
// per account: an attacker's failures lock the attacker's address out of the account,
// never its owner signing in from elsewhere. Each lockout of the same pair lasts twice
// the one before, up to a cap, so brute force from one address keeps slowing down; a
// right password from that address ends its count and its backoff. E-mails with and
// without an account are counted alike, by the same statements, so a lockout tells
// nothing about whether an account exists. Kept in the database: it holds across
// restarts and for every node of a cluster. Every function throws DatabaseError.
class LoginLockout
{
public:
    // A pair idle this long (and not locked) is forgotten.
    static constexpr qint64 ForgetAfterMs = 24LL * 3600 * 1000;

    LoginLockout(int maxFailures, qint64 lockoutMs, qint64 maxLockoutMs);

    // The end of the pair's lockout (ms since the epoch), or 0 when it is not locked.
    // `counted` tells whether the pair has failures or a backoff to forget on success.
    qint64 lockedUntil(const QSqlDatabase &db, const QString &email, const QString &address, qint64 nowMs,
                       bool *counted = nullptr) const;
    // Counts a wrong password; the one that reaches maxFailures locks the pair (for
    // lockoutMs the first time, twice as long as the last time after that). Returns
    // locked_until afterwards (in the past or 0 when not locked). One statement, so
    // concurrent failures lose no count.
    qint64 recordFailure(const QSqlDatabase &db, const QString &email, const QString &address, qint64 nowMs) const;
    // A right password from this address.
    void clear(const QSqlDatabase &db, const QString &email, const QString &address) const;
    // Forgets pairs idle for ForgetAfterMs and not locked; returns how many.
    int purge(const QSqlDatabase &db, qint64 nowMs) const;

private:
    int m_maxFailures;
    qint64 m_lockoutMs;
    qint64 m_maxLockoutMs;
};
