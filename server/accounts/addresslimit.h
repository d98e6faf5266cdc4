#pragma once

#include <QHash>
#include <QHostAddress>
#include <QMutex>

#include <deque>

// At most N requests per client address in any sliding window: POST /token (credential
// stuffing) and POST /users (sign-up floods) each have one. Safe from every thread.
// Memory stays bounded: idle addresses are swept, and past MaxEntries addresses only
// those currently blocked are kept.
class AddressLimit
{
public:
    static constexpr int MaxEntries = 100000;

    // attempts <= 0 turns the limit off.
    AddressLimit(int attempts, qint64 windowMs);

    // Counts one attempt from `address`. Returns 0 when it may go ahead, else how many
    // milliseconds until the next attempt from there will be allowed (nothing is counted).
    qint64 admit(const QHostAddress &address, qint64 nowMs);

    // How many addresses are remembered now.
    qsizetype trackedAddresses() const;

    // IPv4-mapped IPv6 becomes IPv4; other IPv6 addresses count per /64 network, since
    // one host usually holds a whole /64.
    static QHostAddress addressKey(const QHostAddress &address);

private:
    void sweep(qint64 nowMs);

    mutable QMutex m_mutex;
    int m_attempts;
    qint64 m_windowMs;
    QHash<QHostAddress, std::deque<qint64>> m_times; // oldest first, at most m_attempts
    qint64 m_lastSweep = 0;
};
