#pragma once

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QString>

#include <deque>

// The in-memory brakes on POST /token, shared by the HTTP and database threads:
// - per remote address, at most N attempts in any sliding window (credential stuffing);
// - per e-mail that has no account, the same lockout rule as accounts have in the
//   database, so a locked-out answer does not tell whether an e-mail is registered.
// Memory stays bounded: idle addresses are swept, and past MaxEntries keys only those
// currently blocked are kept.
class LoginThrottle
{
public:
    static constexpr int MaxEntries = 100000;

    // addressAttempts <= 0 turns the per-address limit off.
    LoginThrottle(int maxFailures, qint64 lockoutMs, int addressAttempts, qint64 addressWindowMs);

    // Counts one attempt from `address`. Returns 0 when it may go ahead, else how many
    // milliseconds until the next attempt from there will be allowed (nothing is counted).
    qint64 admitAddress(const QHostAddress &address, qint64 nowMs);

    // For e-mails without an account. Returns the end of the lockout, or 0 if none.
    qint64 unknownEmailLockedUntil(const QString &normalizedEmail, qint64 nowMs);
    void recordUnknownEmailFailure(const QString &normalizedEmail, qint64 nowMs);

    // How many addresses and unknown e-mails are remembered now.
    qsizetype trackedAddresses() const;
    qsizetype trackedEmails() const;

    // IPv4-mapped IPv6 becomes IPv4; other IPv6 addresses count per /64 network, since
    // one host usually holds a whole /64.
    static QHostAddress addressKey(const QHostAddress &address);

private:
    struct Failures
    {
        int count = 0;
        qint64 lockedUntil = 0;
    };
    void sweep(qint64 nowMs);

    mutable QMutex m_mutex;
    int m_maxFailures;
    qint64 m_lockoutMs;
    int m_addressAttempts;
    qint64 m_addressWindowMs;
    QHash<QHostAddress, std::deque<qint64>> m_attempts; // oldest first, at most m_addressAttempts
    QHash<QString, Failures> m_unknownEmails;
    qint64 m_lastSweep = 0;
};
