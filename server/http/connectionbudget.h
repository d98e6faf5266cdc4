#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QMutex>

#include <atomic>

// How many connections the server holds, in all and per client address, shared by every
// HTTP thread (each accepts on its own socket). take() before a connection is served,
// give() when its socket is gone. Thread-safe.
class ConnectionBudget
{
public:
    enum class Verdict { Granted, ServerFull, AddressFull };

    // 0 means no limit. Peers in `exempt` (trusted proxies) are not counted per address.
    ConnectionBudget(int maxConnections, int maxPerAddress, QList<QHostAddress> exempt);

    Verdict take(const QHostAddress &peer);
    void give(const QHostAddress &peer);
    int open() const { return m_open.load(std::memory_order_relaxed); }
    int maxConnections() const { return m_max; }
    qint64 refusedServerFull() const { return m_refusedServerFull.load(std::memory_order_relaxed); }
    qint64 refusedAddressFull() const { return m_refusedAddressFull.load(std::memory_order_relaxed); }

    // The most connections this process can hold without running out of file descriptors:
    // raises the soft RLIMIT_NOFILE to the hard one, then keeps `reserve` descriptors
    // (beyond those open now) for the database, logs and threads. Running out mid-flight
    // is what a connection cap is for: some libraries abort when they cannot get one.
    static int descriptorCap(int reserve = 128);

private:
    const int m_max;
    const int m_maxPerAddress;
    const QList<QHostAddress> m_exempt;
    std::atomic<int> m_open{0};
    std::atomic<qint64> m_refusedServerFull{0};
    std::atomic<qint64> m_refusedAddressFull{0};
    std::atomic_bool m_full{false}; // said so in the log; cleared below 90 % of the cap
    QMutex m_mutex;
    QHash<QHostAddress, int> m_perAddress; // guarded by m_mutex
};
