#pragma once

#include "config/serverconfig.h"
#include "core/periodicthread.h"
#include "sales/salediscovery.h"
#include "sales/stockrefill.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>

#include <QElapsedTimer>

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

class Database;
class SaleRegistry;

// A cluster node's stock, on a thread of its own (every step is a PostgreSQL round trip;
// HTTP threads never wait for one). Each heartbeat it renews its leases and its node row,
// returns the leases of nodes that stopped renewing theirs, learns the sales other nodes
// created or rescheduled, and sizes each sale's lease to what it sells: a lease covers
// `leaseHorizonSeconds` of the node's own recent sales (at least one unit), never more
// than its share of the pool (pool / live nodes), so the last units are spread over the
// nodes that have buyers; a node that holds more than it sells hands the rest back. A
// purchase that finds the node's share empty asks for a refill at once (refillNow), and
// one that names a sale this node has not learned yet has the sales table read at once
// (learnSalesNow).
class LeaseManager : public StockRefill, public SaleDiscovery
{
public:
    LeaseManager(const Database &database, SaleRegistry &registry, ServerConfig::Cluster config);
    ~LeaseManager() override;

    // Registers the node and closes leases a previous run of it left behind.
    void start();
    // Hands back everything this node holds, marks it stopped and joins the thread.
    void stop();

    void refillNow(qint64 saleId, std::function<void(qint64 granted)> then) override;
    // Only a sale newer than every one known may be missing: older ids answer at once.
    void learnSalesNow(qint64 saleId, std::function<void()> then) override;
    // Before start(): more of what other nodes change, read on every heartbeat (products,
    // master stock). May throw DatabaseError.
    void setPeerSync(std::function<void(const QSqlDatabase &db)> sync) { m_peerSync = std::move(sync); }

    // Units this node's journal made durable (called after each group commit, on the
    // journal's thread): the node's sales, from which its rate and lease size follow.
    void unitsCommitted(qint64 saleId, qint64 units);
    qint64 unitsSold() const { return m_unitsSold.load(std::memory_order_relaxed); }

private:
    struct SaleLease
    {
        bool active = false;    // this node holds an active lease row
        bool poolReady = false; // sale_stock_pool row exists
        double rate = 0;        // units sold per second (smoothed)
        qint64 unleased = 0;    // pool, at the last tick
        int liveNodes = 1;
    };

    void round();
    void finish();
    void tick(qint64 elapsedMs);
    void serveRefills();
    void answerAfterTick();
    std::vector<std::function<void()>> takeLearners();
    void serveLearners();
    void learnNewSales(const QSqlDatabase &db);
    void syncSales();
    qint64 target(const SaleLease &lease) const;
    qint64 share(const SaleLease &lease) const;
    qint64 lease(qint64 saleId, SaleLease &state, qint64 wanted);
    void handBack(qint64 saleId, SaleLease &state, qint64 units);
    void returnEverything();

    const Database &m_db;
    SaleRegistry &m_registry;
    const ServerConfig::Cluster m_config;
    QHash<qint64, SaleLease> m_leases; // lease thread only
    std::atomic<qint64> m_lastSaleId{0}; // written on the lease thread only
    std::function<void(const QSqlDatabase &db)> m_peerSync;
    bool m_starved = false;
    bool m_registered = false;
    QElapsedTimer m_sinceStart;
    qint64 m_lastTickMs = 0;

    std::mutex m_soldMutex;
    QHash<qint64, qint64> m_soldSinceTick; // by sale, guarded by m_soldMutex
    std::mutex m_mutex; // guards m_refills, m_learners and m_stopping
    bool m_stopping = false;
    QHash<qint64, std::vector<std::function<void(qint64)>>> m_refills;
    std::vector<std::function<void()>> m_learners; // guarded by m_mutex
    // Refills the pool could not serve, answered after the next heartbeat (lease thread only).
    std::vector<std::function<void(qint64)>> m_afterTick;
    std::atomic<qint64> m_unitsSold{0};
    PeriodicThread m_thread; // last: it stops before the members it uses go
};
