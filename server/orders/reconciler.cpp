#include "reconciler.h"

#include "core/timeutil.h"
#include "inventory/masterstock.h"
#include "sales/saleregistry.h"
#include "storage/database.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QJsonArray>

Reconciler::Reconciler(const Database &database, SaleRegistry &registry, MasterStock &masterStock, Metrics &metrics, QString nodeId)
    : m_db(database)
    , m_registry(registry)
    , m_masterStock(masterStock)
    , m_nodeId(std::move(nodeId))
{
    metrics.gauge(QStringLiteral("flashsale_reconciliation_discrepancy"),
                  QStringLiteral("Units on which sale stock, reservations, orders and master stock disagree (must be 0)."),
                  [this] { return double(m_discrepancy.load()); });
    metrics.gauge(QStringLiteral("flashsale_reconciliation_runs_total"), QStringLiteral("Reconciliation runs."),
                  [this] { return double(m_runs.load()); });
}

namespace {

qint64 scalar(const QSqlDatabase &db, const QString &sql, const QVariantList &bind = {})
{
    QSqlQuery q = execOrThrow(db, sql, bind);
    return q.next() ? q.value(0).toLongLong() : 0;
}

} // namespace

QJsonObject Reconciler::run()
{
    QMutexLocker lock(&m_mutex);
    QSqlDatabase db = m_db.connection();
    QJsonArray sales;
    QJsonArray products;
    QJsonArray issues;
    qint64 total = 0;
    QHash<QString, QString> memoryDiffs;
    auto issue = [&](qint64 units, const QString &what) {
        total += units;
        issues.append(QJsonObject{{QStringLiteral("units"), units}, {QStringLiteral("issue"), what}});
    };
    // Memory first, then the database: a difference that is only a purchase between its
    // atomic step and its commit disappears by the next run.
    QHash<qint64, qint64> memoryRemaining;
    for (const auto &sale : m_registry.all())
        memoryRemaining.insert(sale->id(), sale->stock().remaining());

    if (!db.transaction())
        throw DatabaseError{QStringLiteral("cannot begin reconciliation: ") + db.lastError().text()};
    try {
        if (m_db.isPostgres()) // one snapshot for every read below
            execOrThrow(db, QStringLiteral("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
        QSqlQuery items = execOrThrow(db, QStringLiteral(
            "SELECT i.sale_id, i.product_id, i.total_sale_quantity, i.available_sale_quantity, "
            "COALESCE((SELECT SUM(r.quantity) FROM reservations r WHERE r.sale_id = i.sale_id AND r.units_released = 0), 0) "
            "FROM flash_sale_items i ORDER BY i.sale_id"));
        while (items.next()) {
            const qint64 saleId = items.value(0).toLongLong();
            const qint64 allocated = items.value(2).toLongLong();
            const qint64 available = items.value(3).toLongLong();
            const qint64 held = items.value(4).toLongLong();
            QJsonObject s{{QStringLiteral("saleId"), saleId}, {QStringLiteral("productId"), items.value(1).toLongLong()},
                          {QStringLiteral("allocated"), allocated}, {QStringLiteral("available"), available},
                          {QStringLiteral("held"), held}};
            QSqlQuery byStatus = execOrThrow(db, QStringLiteral("SELECT status, COUNT(*), SUM(quantity) FROM reservations WHERE sale_id = ? GROUP BY status"), {saleId});
            while (byStatus.next())
                s.insert(byStatus.value(0).toString().toLower() + QStringLiteral("Units"), byStatus.value(2).toLongLong());
            if (allocated != available + held)
                issue(qAbs(allocated - available - held), QStringLiteral("sale %1: allocated %2 != available %3 + held %4").arg(saleId).arg(allocated).arg(available).arg(held));
            // What this node's memory must hold: the whole sale's stock on a single node,
            // its lease's unsold units on a cluster node.
            qint64 expectedInMemory = available;
            if (!m_nodeId.isEmpty()) {
                // One pass over the sale's leases: this node's unsold units, and every node's
                // granted and reserved units.
                QSqlQuery leases = execOrThrow(db, QStringLiteral(
                    "SELECT COALESCE(SUM(CASE WHEN node_id = ? AND state = 'active' THEN granted - reserved ELSE 0 END), 0), "
                    "COALESCE(SUM(granted), 0), COALESCE(SUM(reserved), 0) FROM stock_leases WHERE sale_id = ?"), {m_nodeId, saleId});
                leases.next();
                expectedInMemory = leases.value(0).toLongLong();
                const qint64 granted = leases.value(1).toLongLong();
                const qint64 leaseReserved = leases.value(2).toLongLong();
                QSqlQuery pool = execOrThrow(db, QStringLiteral("SELECT unleased FROM sale_stock_pool WHERE sale_id = ?"), {saleId});
                if (pool.next()) {
                    const qint64 unleased = pool.value(0).toLongLong();
                    const qint64 nodesHold = scalar(db, QStringLiteral("SELECT COALESCE(SUM(quantity), 0) FROM reservations "
                                                                       "WHERE sale_id = ? AND units_released = 0 AND node_id IS NOT NULL"), {saleId});
                    s.insert(QStringLiteral("unleased"), unleased);
                    s.insert(QStringLiteral("leased"), granted);
                    if (unleased + granted != allocated)
                        issue(qAbs(allocated - unleased - granted), QStringLiteral("sale %1: pool %2 + leased %3 != allocated %4").arg(saleId).arg(unleased).arg(granted).arg(allocated));
                    if (leaseReserved != nodesHold)
                        issue(qAbs(leaseReserved - nodesHold), QStringLiteral("sale %1: leases count %2 reserved units, the nodes' reservations hold %3").arg(saleId).arg(leaseReserved).arg(nodesHold));
                }
            }
            const auto mem = memoryRemaining.constFind(saleId);
            if (mem != memoryRemaining.constEnd()) {
                s.insert(QStringLiteral("availableInMemory"), *mem);
                if (*mem != expectedInMemory) {
                    const QString key = QStringLiteral("sale:%1").arg(saleId);
                    const QString diff = QStringLiteral("%1/%2").arg(*mem).arg(expectedInMemory);
                    memoryDiffs.insert(key, diff);
                    if (m_lastMemoryDiffs.value(key) == diff)
                        issue(qAbs(*mem - expectedInMemory), QStringLiteral("sale %1: %2 units in memory, %3 in the database").arg(saleId).arg(*mem).arg(expectedInMemory));
                }
            }
            sales.append(s);
        }
        const qint64 statusMismatch = scalar(db, QStringLiteral("SELECT COALESCE(SUM(r.quantity), 0) FROM reservations r JOIN orders o ON o.order_id = r.reservation_id WHERE o.status <> r.status"));
        if (statusMismatch)
            issue(statusMismatch, QStringLiteral("orders whose status differs from their reservation"));
        const qint64 finishedHolding = scalar(db, QStringLiteral("SELECT COALESCE(SUM(quantity), 0) FROM reservations WHERE status IN ('Failed', 'Expired') AND units_released = 0"));
        if (finishedHolding)
            issue(finishedHolding, QStringLiteral("failed or expired reservations still holding units"));
        const qint64 confirmedUnrecorded = scalar(db, QStringLiteral(
            "SELECT COALESCE(SUM(r.quantity), 0) FROM reservations r LEFT JOIN stock_commitments c ON c.order_id = r.reservation_id "
            "WHERE r.status = 'Confirmed' AND (c.order_id IS NULL OR c.quantity <> r.quantity)"));
        if (confirmedUnrecorded)
            issue(confirmedUnrecorded, QStringLiteral("confirmed orders without their sold units recorded"));
        const qint64 recordedNotConfirmed = scalar(db, QStringLiteral(
            "SELECT COALESCE(SUM(c.quantity), 0) FROM stock_commitments c JOIN reservations r ON r.reservation_id = c.order_id WHERE r.status <> 'Confirmed'"));
        if (recordedNotConfirmed)
            issue(recordedNotConfirmed, QStringLiteral("sold units recorded for orders that are not confirmed"));
        const qint64 releasedNotRefunded = scalar(db, QStringLiteral(
            "SELECT COALESCE(SUM(r.quantity), 0) FROM reservations r JOIN stock_commitments c ON c.order_id = r.reservation_id "
            "WHERE r.status = 'Confirmed' AND ((r.units_released = 1 AND (c.returned_to IS NULL OR c.returned_to <> 'sale')) "
            "OR (r.units_released = 0 AND c.returned_to = 'sale'))"));
        if (releasedNotRefunded)
            issue(releasedNotRefunded, QStringLiteral("confirmed orders whose units left without a refund (or a refund whose units did not)"));
        const qint64 overdue = scalar(db, QStringLiteral("SELECT COUNT(*) FROM reservations WHERE status = 'Pending' AND expires_at < ?"),
                                      {nowMs() - 60000});
        QSqlQuery master = execOrThrow(db, QStringLiteral("SELECT product_id, stock_quantity FROM inventory ORDER BY product_id"));
        while (master.next()) {
            const qint64 productId = master.value(0).toLongLong();
            const qint64 level = master.value(1).toLongLong();
            const qint64 inMemory = m_masterStock.level(productId).value_or(0);
            products.append(QJsonObject{{QStringLiteral("productId"), productId}, {QStringLiteral("masterStock"), level},
                                        {QStringLiteral("masterStockInMemory"), inMemory}});
            if (inMemory != level) {
                const QString key = QStringLiteral("product:%1").arg(productId);
                const QString diff = QStringLiteral("%1/%2").arg(inMemory).arg(level);
                memoryDiffs.insert(key, diff);
                if (m_lastMemoryDiffs.value(key) == diff)
                    issue(qAbs(inMemory - level), QStringLiteral("product %1: master stock %2 in memory, %3 in the database").arg(productId).arg(inMemory).arg(level));
            }
        }
        db.commit();
        m_lastMemoryDiffs = memoryDiffs;
        m_discrepancy.store(total);
        m_runs.fetch_add(1);
        if (total)
            Log::warning(QStringLiteral("reconciliation.discrepancy"), {{QStringLiteral("units"), total}, {QStringLiteral("issues"), issues}});
        return {{QStringLiteral("checkedAt"), isoUtc(nowMs())}, {QStringLiteral("discrepancy"), total},
                {QStringLiteral("overduePendingReservations"), overdue},
                {QStringLiteral("issues"), issues}, {QStringLiteral("sales"), sales}, {QStringLiteral("products"), products}};
    } catch (...) {
        db.rollback();
        throw;
    }
}
