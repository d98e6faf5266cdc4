#include "loginlockout.h"

#include "storage/database.h"

LoginLockout::LoginLockout(int maxFailures, qint64 lockoutMs, qint64 maxLockoutMs)
    : m_maxFailures(qMax(1, maxFailures))
    , m_lockoutMs(qMax<qint64>(0, lockoutMs))
    , m_maxLockoutMs(qMax(m_lockoutMs, maxLockoutMs))
{
}

qint64 LoginLockout::lockedUntil(const QSqlDatabase &db, const QString &email, const QString &address, qint64 nowMs,
                                 bool *counted) const
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT locked_until FROM login_failures WHERE email = ? AND address = ?"),
                              {email, address});
    const bool found = q.next();
    if (counted)
        *counted = found;
    const qint64 until = found ? q.value(0).toLongLong() : 0;
    return until > nowMs ? until : 0;
}

qint64 LoginLockout::recordFailure(const QSqlDatabase &db, const QString &email, const QString &address, qint64 nowMs) const
{
    // The first failure of a pair inserts it (and locks it at once when one failure is
    // the limit); each later one updates it. Every right-hand side reads the row as it was.
    const bool locksAtOnce = m_maxFailures <= 1;
    const QString reaches = QStringLiteral("login_failures.failures + 1 >= ?");
    const QString nextLock = QStringLiteral("CASE WHEN login_failures.lock_ms = 0 THEN ? "
                                            "WHEN login_failures.lock_ms * 2 > ? THEN ? ELSE login_failures.lock_ms * 2 END");
    QSqlQuery q = execOrThrow(db,
        QStringLiteral("INSERT INTO login_failures(email, address, failures, lock_ms, locked_until, last_failure_at) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email, address) DO UPDATE SET "
                       "lock_ms = CASE WHEN %1 THEN %2 ELSE login_failures.lock_ms END, "
                       "locked_until = CASE WHEN %1 THEN ? + %2 ELSE login_failures.locked_until END, "
                       "failures = CASE WHEN %1 THEN 0 ELSE login_failures.failures + 1 END, "
                       "last_failure_at = ? RETURNING locked_until")
            .arg(reaches, nextLock),
        {email, address, locksAtOnce ? 0 : 1, locksAtOnce ? m_lockoutMs : 0, locksAtOnce ? nowMs + m_lockoutMs : 0, nowMs,
         // lock_ms
         m_maxFailures, m_lockoutMs, m_maxLockoutMs, m_maxLockoutMs,
         // locked_until
         m_maxFailures, nowMs, m_lockoutMs, m_maxLockoutMs, m_maxLockoutMs,
         // failures
         m_maxFailures,
         // last_failure_at
         nowMs});
    return q.next() ? q.value(0).toLongLong() : 0;
}

void LoginLockout::clear(const QSqlDatabase &db, const QString &email, const QString &address) const
{
    execOrThrow(db, QStringLiteral("DELETE FROM login_failures WHERE email = ? AND address = ?"), {email, address});
}

int LoginLockout::purge(const QSqlDatabase &db, qint64 nowMs) const
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("DELETE FROM login_failures WHERE last_failure_at < ? AND locked_until < ?"),
                              {nowMs - ForgetAfterMs, nowMs});
    return q.numRowsAffected();
}
