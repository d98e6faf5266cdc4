#include "connectionbudget.h"

#include "telemetry/logger.h"

#include <QDir>

#include <sys/resource.h>

ConnectionBudget::ConnectionBudget(int maxConnections, int maxPerAddress, QList<QHostAddress> exempt)
    : m_max(maxConnections)
    , m_maxPerAddress(maxPerAddress)
    , m_exempt(std::move(exempt))
{
}

ConnectionBudget::Verdict ConnectionBudget::take(const QHostAddress &peer)
{
    const int before = m_open.fetch_add(1, std::memory_order_relaxed);
    if (m_max > 0 && before >= m_max) {
        m_open.fetch_sub(1, std::memory_order_relaxed);
        m_refusedServerFull.fetch_add(1, std::memory_order_relaxed);
        if (!m_full.exchange(true))
            Log::warning(QStringLiteral("http.connections.full"), {{QStringLiteral("maxConnections"), m_max}});
        return Verdict::ServerFull;
    }
    if (m_max > 0 && before < m_max * 9 / 10 && m_full.load(std::memory_order_relaxed) && m_full.exchange(false))
        Log::info(QStringLiteral("http.connections.room"), {{QStringLiteral("open"), before + 1}});
    if (m_maxPerAddress <= 0 || m_exempt.contains(peer))
        return Verdict::Granted;
    QMutexLocker lock(&m_mutex);
    int &count = m_perAddress[peer];
    if (count >= m_maxPerAddress) {
        if (count == 0)
            m_perAddress.remove(peer);
        lock.unlock();
        m_open.fetch_sub(1, std::memory_order_relaxed);
        m_refusedAddressFull.fetch_add(1, std::memory_order_relaxed);
        return Verdict::AddressFull;
    }
    ++count;
    return Verdict::Granted;
}

void ConnectionBudget::give(const QHostAddress &peer)
{
    m_open.fetch_sub(1, std::memory_order_relaxed);
    if (m_maxPerAddress <= 0 || m_exempt.contains(peer))
        return;
    QMutexLocker lock(&m_mutex);
    auto it = m_perAddress.find(peer);
    if (it == m_perAddress.end())
        return;
    if (--it.value() <= 0)
        m_perAddress.erase(it);
}

int ConnectionBudget::descriptorCap(int reserve)
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur == RLIM_INFINITY)
        return 0;
    const qint64 openNow = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System).size();
    return int(qMax<qint64>(1, qint64(limit.rlim_cur) - openNow - reserve));
}
