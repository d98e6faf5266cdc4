#include "loginthrottle.h"

#include <QMutexLocker>

namespace {

constexpr qint64 SweepEveryMs = 10000;
constexpr qint64 FullSweepEveryMs = 1000; // a full sweep is O(entries): not on every call

} // namespace

LoginThrottle::LoginThrottle(int maxFailures, qint64 lockoutMs, int addressAttempts, qint64 addressWindowMs)
    : m_maxFailures(qMax(1, maxFailures))
    , m_lockoutMs(qMax<qint64>(0, lockoutMs))
    , m_addressAttempts(addressAttempts)
    , m_addressWindowMs(qMax<qint64>(1, addressWindowMs))
{
}

QHostAddress LoginThrottle::addressKey(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4); // also unwraps ::ffff:a.b.c.d
    if (isV4)
        return QHostAddress(v4);
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address;
    Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes);
}

qint64 LoginThrottle::admitAddress(const QHostAddress &address, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    if (m_addressAttempts <= 0)
        return 0;
    sweep(nowMs);
    std::deque<qint64> &times = m_attempts[addressKey(address)];
    while (!times.empty() && times.front() <= nowMs - m_addressWindowMs)
        times.pop_front();
    if (int(times.size()) >= m_addressAttempts)
        return times.front() + m_addressWindowMs - nowMs;
    times.push_back(nowMs);
    return 0;
}

qint64 LoginThrottle::unknownEmailLockedUntil(const QString &normalizedEmail, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_unknownEmails.constFind(normalizedEmail);
    return it != m_unknownEmails.constEnd() && it->lockedUntil > nowMs ? it->lockedUntil : 0;
}

void LoginThrottle::recordUnknownEmailFailure(const QString &normalizedEmail, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    sweep(nowMs);
    Failures &f = m_unknownEmails[normalizedEmail];
    if (++f.count >= m_maxFailures) {
        f.count = 0;
        f.lockedUntil = nowMs + m_lockoutMs;
    }
}

qsizetype LoginThrottle::trackedAddresses() const
{
    QMutexLocker lock(&m_mutex);
    return m_attempts.size();
}

qsizetype LoginThrottle::trackedEmails() const
{
    QMutexLocker lock(&m_mutex);
    return m_unknownEmails.size();
}

void LoginThrottle::sweep(qint64 nowMs)
{
    const bool full = m_attempts.size() > MaxEntries || m_unknownEmails.size() > MaxEntries;
    if (nowMs - m_lastSweep < (full ? FullSweepEveryMs : SweepEveryMs))
        return;
    m_lastSweep = nowMs;
    for (auto it = m_attempts.begin(); it != m_attempts.end();) {
        if (it->empty() || it->back() <= nowMs - m_addressWindowMs)
            it = m_attempts.erase(it);
        else
            ++it;
    }
    // Under a flood of distinct keys, drop what is not currently blocking anyone rather
    // than grow without bound. Failures of unknown e-mails are otherwise kept, like an
    // account's count, which lasts until its next success or lockout: forgetting them
    // sooner would let a caller tell the two apart.
    if (m_attempts.size() > MaxEntries) {
        for (auto it = m_attempts.begin(); it != m_attempts.end();) {
            if (int(it->size()) < m_addressAttempts)
                it = m_attempts.erase(it);
            else
                ++it;
        }
    }
    if (m_unknownEmails.size() > MaxEntries) {
        for (auto it = m_unknownEmails.begin(); it != m_unknownEmails.end();) {
            if (it->lockedUntil <= nowMs)
                it = m_unknownEmails.erase(it);
            else
                ++it;
        }
    }
}
