#pragma once

#include "core/periodicthread.h"

#include <QString>

#include <atomic>

class Database;

// Cluster mode: which node admits tickets. Exactly one node at a time holds a PostgreSQL
// session advisory lock on a connection of its own; it is the admitting node until that
// connection goes. When the node dies (even by SIGKILL) the database ends its session
// and drops the lock, and another node's next try takes it: no coordination service of
// our own, no lease to tune. Every other node follows the admitted counts through
// ClusterQueueSync.
//
// Threads: its own thread tries the lock (or checks the connection while it holds it)
// every `checkMs`; isLeader() is an atomic read from any thread.
class AdmissionLeadership
{
public:
    AdmissionLeadership(const Database &database, QString nodeId, int checkMs = 250);
    ~AdmissionLeadership();
    AdmissionLeadership(const AdmissionLeadership &) = delete;
    AdmissionLeadership &operator=(const AdmissionLeadership &) = delete;

    void start() { m_thread.start(); }
    void stop() { m_thread.stop(); } // lets go of the lock, so another node takes over at its next try
    bool isLeader() const { return m_leader.load(std::memory_order_acquire); }

    // The advisory lock's key, the same on every node (the migrator uses 727274).
    static constexpr qint64 lockKey = 727275;

private:
    void check();
    void release();
    void setLeader(bool leader);

    const Database &m_db;
    const QString m_nodeId;
    std::atomic_bool m_leader{false};
    PeriodicThread m_thread; // last: it calls the members above
};
