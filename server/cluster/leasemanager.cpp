#include "leasemanager.h"

#include "core/timeutil.h"
#include "leasestore.h"
#include "sales/salerows.h"
#include "sales/saleregistry.h"
#include "storage/database.h"
#include "telemetry/logger.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>

namespace {

// A sale worth holding stock for: open now, or opening within this many milliseconds.
constexpr qint64 preStartMs = 10000;

} // namespace

LeaseManager::LeaseManager(const Database &database, SaleRegistry &registry, ServerConfig::Cluster config)
    : m_db(database)
    , m_registry(registry)
    , m_config(std::move(config))
    , m_thread("fs-lease", m_config.heartbeatMs, [this] { round(); }, [this] { finish(); })
{
}

LeaseManager::~LeaseManager()
{
    stop();
}

void LeaseManager::start()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
    }
    m_thread.start();
}

void LeaseManager::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_thread.stop();
}

void LeaseManager::refillNow(qint64 saleId, std::function<void(qint64 granted)> then)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_stopping) {
            m_refills[saleId].push_back(std::move(then));
            then = nullptr;
        }
    }
    if (then)
        then(0); // stopping: no refill, the shopper gets the answer of an empty node
    else
        m_thread.wake();
}

void LeaseManager::learnSalesNow(qint64 saleId, std::function<void()> then)
{
    if (saleId > m_lastSaleId.load(std::memory_order_relaxed)) {
        std::lock_guard lock(m_mutex);
        if (!m_stopping) {
            m_learners.push_back(std::move(then));
            then = nullptr;
        }
    }
    if (then)
        then(); // known to be absent, or stopping
    else
        m_thread.wake();
}

void LeaseManager::unitsCommitted(qint64 saleId, qint64 units)
{
    m_unitsSold.fetch_add(units, std::memory_order_relaxed);
    std::lock_guard lock(m_soldMutex);
    m_soldSinceTick[saleId] += units;
}

void LeaseManager::round()
{
    try {
        if (!m_registered) {
            const QSqlDatabase db = m_db.connection();
            LeaseStore::registerNode(db, m_config.nodeId, m_config.advertiseUrl);
            LeaseStore::returnAll(db, m_config.nodeId); // what a killed run of this node held
            m_registered = true;
            m_sinceStart.start();
            m_lastTickMs = -m_config.heartbeatMs;
            Log::info(QStringLiteral("cluster.node.started"), {{QStringLiteral("nodeId"), m_config.nodeId}});
        }
        bool refills = false;
        {
            std::lock_guard lock(m_mutex);
            refills = !m_refills.isEmpty();
        }
        if (refills)
            serveRefills();
        serveLearners();
        const qint64 now = m_sinceStart.elapsed();
        if (now >= m_lastTickMs + m_config.heartbeatMs * 9 / 10) {
            tick(now - m_lastTickMs);
            m_lastTickMs = now;
            answerAfterTick();
        }
    } catch (const DatabaseError &e) {
        // PostgreSQL unreachable: keep selling what is leased (its commits fail if
        // PostgreSQL is down too); the leases expire if this lasts.
        Log::warning(QStringLiteral("cluster.heartbeat.failed"), {{QStringLiteral("error"), e.message}});
        if (m_registered)
            m_lastTickMs = m_sinceStart.elapsed();
        answerAfterTick();
    }
}

std::vector<std::function<void()>> LeaseManager::takeLearners()
{
    std::vector<std::function<void()>> learners;
    std::lock_guard lock(m_mutex);
    learners.swap(m_learners);
    return learners;
}

void LeaseManager::serveLearners()
{
    // Everyone who asked before this read began is answered by it.
    const std::vector<std::function<void()>> learners = takeLearners();
    if (learners.empty())
        return;
    try {
        learnNewSales(m_db.connection());
    } catch (const DatabaseError &e) {
        Log::warning(QStringLiteral("cluster.sales.unreadable"), {{QStringLiteral("error"), e.message}});
    }
    for (const auto &then : learners)
        then();
}

void LeaseManager::answerAfterTick()
{
    std::vector<std::function<void(qint64)>> waiting;
    waiting.swap(m_afterTick);
    for (auto &then : waiting)
        then(0);
}

void LeaseManager::finish()
{
    // Purchases waiting for a refill get their answer from what is left.
    decltype(m_refills) waiting;
    {
        std::lock_guard lock(m_mutex);
        waiting.swap(m_refills);
    }
    for (auto &callbacks : waiting) {
        for (auto &then : callbacks)
            then(0);
    }
    answerAfterTick();
    for (const auto &then : takeLearners())
        then();
    returnEverything();
}

qint64 LeaseManager::target(const SaleLease &lease) const
{
    const double wanted = std::ceil(lease.rate * m_config.leaseHorizonSeconds);
    return std::clamp<qint64>(qint64(wanted), 1, std::max(1, m_config.leaseMaxChunk));
}

qint64 LeaseManager::share(const SaleLease &lease) const
{
    return std::max<qint64>(1, (lease.unleased + lease.liveNodes - 1) / std::max(1, lease.liveNodes));
}

qint64 LeaseManager::lease(qint64 saleId, SaleLease &state, qint64 wanted)
{
    const QSqlDatabase db = m_db.connection();
    if (!state.poolReady) {
        LeaseStore::ensurePool(db, saleId);
        state.poolReady = true;
    }
    const qint64 granted = LeaseStore::take(db, saleId, m_config.nodeId, wanted, qint64(m_config.leaseTtlSeconds) * 1000);
    if (granted > 0) {
        if (const auto sale = m_registry.find(saleId))
            sale->stock().addUnits(granted);
        state.active = true;
        state.unleased = std::max<qint64>(0, state.unleased - granted);
    }
    return granted;
}

void LeaseManager::handBack(qint64 saleId, SaleLease &state, qint64 units)
{
    const auto sale = m_registry.find(saleId);
    if (!sale || units <= 0)
        return;
    // Out of memory first, so nobody sells them while they travel.
    const qint64 taken = sale->stock().takeUnits(units);
    if (taken <= 0)
        return;
    try {
        if (LeaseStore::handBack(m_db.connection(), saleId, m_config.nodeId, taken))
            state.unleased += taken;
        else
            state.active = false; // reaped meanwhile: those units are in the pool already
    } catch (const DatabaseError &) {
        sale->stock().addUnits(taken); // still ours
        throw;
    }
}

void LeaseManager::serveRefills()
{
    decltype(m_refills) requests;
    {
        std::lock_guard lock(m_mutex);
        requests.swap(m_refills);
    }
    for (auto it = requests.begin(); it != requests.end(); ++it) {
        SaleLease &state = m_leases[it.key()];
        const qint64 waiting = qint64(it.value().size());
        qint64 granted = 0;
        try {
            granted = lease(it.key(), state, std::min(std::max(target(state), waiting), std::max(share(state), waiting)));
        } catch (const DatabaseError &e) {
            Log::warning(QStringLiteral("cluster.refill.failed"), {{QStringLiteral("saleId"), it.key()}, {QStringLiteral("error"), e.message}});
        }
        if (granted == 0) {
            // The pool is empty: the next heartbeat tells the other nodes this one is
            // starved; ask again after it rather than at once.
            m_starved = true;
            for (auto &then : it.value())
                m_afterTick.push_back(std::move(then));
            continue;
        }
        for (auto &then : it.value())
            then(granted);
    }
}

void LeaseManager::learnNewSales(const QSqlDatabase &db)
{
    for (SaleRow &row : SaleRows::load(db, m_lastSaleId.load(std::memory_order_relaxed))) {
        if (row.terms.id > m_lastSaleId.load(std::memory_order_relaxed))
            m_lastSaleId.store(row.terms.id, std::memory_order_relaxed);
        if (!m_registry.find(row.terms.id)) {
            Log::info(QStringLiteral("cluster.sale.learned"), {{QStringLiteral("saleId"), row.terms.id}});
            m_registry.add(std::make_shared<Sale>(std::move(row.terms)));
        }
    }
}

void LeaseManager::syncSales()
{
    const QSqlDatabase db = m_db.connection();
    learnNewSales(db);
    // An operator may have started or ended a sale on another node.
    QSqlQuery windows = execOrThrow(db, QStringLiteral("SELECT sale_id, start_time, end_time FROM flash_sales"));
    while (windows.next()) {
        if (const auto sale = m_registry.find(windows.value(0).toLongLong())) {
            sale->setStartMs(windows.value(1).toLongLong());
            sale->setEndMs(windows.value(2).toLongLong());
        }
    }
}

void LeaseManager::tick(qint64 elapsedMs)
{
    const QSqlDatabase db = m_db.connection();
    const qint64 ttlMs = qint64(m_config.leaseTtlSeconds) * 1000;
    const QSet<qint64> active = LeaseStore::heartbeat(db, m_config.nodeId, ttlMs, m_unitsSold.load(), [this] {
        double total = 0;
        for (const SaleLease &l : std::as_const(m_leases))
            total += l.rate;
        return total;
    }(), m_starved);
    m_starved = false;
    for (auto it = m_leases.begin(); it != m_leases.end(); ++it) {
        if (it->active && !active.contains(it.key())) {
            // Reaped while this node was silent: what it holds is back in the pool.
            it->active = false;
            if (const auto sale = m_registry.find(it.key()))
                sale->stock().drain();
            Log::warning(QStringLiteral("cluster.lease.lost"), {{QStringLiteral("saleId"), it.key()}});
        }
    }
    if (const int reaped = LeaseStore::reapExpired(db))
        Log::warning(QStringLiteral("cluster.leases.reaped"), {{QStringLiteral("leases"), reaped}});
    syncSales();
    if (m_peerSync)
        m_peerSync(db);

    const QHash<qint64, LeaseStore::Elsewhere> elsewhere = LeaseStore::elsewhere(db, m_config.nodeId, ttlMs);
    QHash<qint64, qint64> soldSinceTick;
    {
        std::lock_guard lock(m_soldMutex);
        soldSinceTick.swap(m_soldSinceTick);
    }
    const qint64 now = nowMs();
    for (const auto &sale : m_registry.all()) {
        SaleLease &state = m_leases[sale->id()];
        const qint64 local = sale->stock().remaining();
        const qint64 sold = soldSinceTick.value(sale->id());
        const double instant = elapsedMs > 0 ? double(sold) * 1000.0 / double(elapsedMs) : 0.0;
        state.rate = sold > 0 ? std::max(instant, 0.5 * state.rate + 0.5 * instant) : 0.5 * state.rate;
        if (state.rate < 0.01)
            state.rate = 0;
        const LeaseStore::Elsewhere there = elsewhere.value(sale->id());
        state.unleased = there.unleased;
        state.liveNodes = there.liveNodes;

        const bool worthHolding = now < sale->endMs() && now + preStartMs >= sale->startMs();
        if (!worthHolding) {
            if (local > 0)
                handBack(sale->id(), state, local);
        } else if (local * 2 < target(state) || local == 0) {
            lease(sale->id(), state, std::min(target(state) - local, share(state)));
        } else if (local > 2 * target(state) + 1) {
            handBack(sale->id(), state, local - target(state));
        } else if (there.othersStarved && there.unleased == 0 && sold == 0) {
            handBack(sale->id(), state, local); // they have buyers, this node has none
        }
        const qint64 held = sale->stock().remaining();
        sale->setSaleWideRemaining(state.unleased + there.heldByOthers + held);
    }
}

void LeaseManager::returnEverything()
{
    qint64 returned = 0;
    for (const auto &sale : m_registry.all())
        returned += sale->stock().drain();
    try {
        const QSqlDatabase db = m_db.connection();
        LeaseStore::returnAll(db, m_config.nodeId);
        LeaseStore::markStopped(db, m_config.nodeId);
    } catch (const DatabaseError &e) {
        // The leases expire and come back on their own.
        Log::warning(QStringLiteral("cluster.return.failed"), {{QStringLiteral("error"), e.message}});
    }
    Log::info(QStringLiteral("cluster.node.stopped"), {{QStringLiteral("nodeId"), m_config.nodeId}, {QStringLiteral("unitsReturned"), returned}});
}
