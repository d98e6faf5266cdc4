#include "addresslimit.h"

#include <QMutexLocker>

namespace {

constexpr qint64 SweepEveryMs = 10000;
constexpr qint64 FullSweepEveryMs = 1000; // a full sweep is O(entries): not on every call

} // namespace

AddressLimit::AddressLimit(int attempts, qint64 windowMs)
    : m_attempts(attempts)
    , m_windowMs(qMax<qint64>(1, windowMs))
{
}

QHostAddress AddressLimit::addressKey(const QHostAddress &address)
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

qint64 AddressLimit::admit(const QHostAddress &address, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    if (m_attempts <= 0)
        return 0;
    sweep(nowMs);
    std::deque<qint64> &times = m_times[addressKey(address)];
    while (!times.empty() && times.front() <= nowMs - m_windowMs)
        times.pop_front();
    if (int(times.size()) >= m_attempts)
        return times.front() + m_windowMs - nowMs;
    times.push_back(nowMs);
    return 0;
}

qsizetype AddressLimit::trackedAddresses() const
{
    QMutexLocker lock(&m_mutex);
    return m_times.size();
}

void AddressLimit::sweep(qint64 nowMs)
{
    const bool full = m_times.size() > MaxEntries;
    if (nowMs - m_lastSweep < (full ? FullSweepEveryMs : SweepEveryMs))
        return;
    m_lastSweep = nowMs;
    for (auto it = m_times.begin(); it != m_times.end();) {
        if (it->empty() || it->back() <= nowMs - m_windowMs)
            it = m_times.erase(it);
        else
            ++it;
    }
    // Under a flood of distinct addresses, drop those not currently blocked rather than
    // grow without bound.
    if (m_times.size() > MaxEntries) {
        for (auto it = m_times.begin(); it != m_times.end();) {
            if (int(it->size()) < m_attempts)
                it = m_times.erase(it);
            else
                ++it;
        }
    }
}
