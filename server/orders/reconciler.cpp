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

// What one run finds: the rows of its report and the units that disagree.
struct Reconciler::Findings
{
    QJsonArray sales;
    QJsonArray products;
    QJsonArray issues;
    qint64 total = 0;
    QHash<QString, QString> memoryDiffs; // what differs between memory and database this run

    void issue(qint64 units, const QString &what)
    {
        total += units;
        issues.append(QJsonObject{{QStringLiteral("units"), units}, {QStringLiteral("issue"), what}});
    }
};

QJsonObject Reconciler::run()
{
    QMutexLocker lock(&m_mutex);
    QSqlDatabase db = m_db.connection();
    // Memory first, then the database: a difference that is only a purchase between its
    // atomic step and its commit disappears by the next run.
    QHash<qint64, qint64> memoryRemaining;
    for (const auto &sale : m_registry.all())
        memoryRemaining.insert(sale->id(), sale->stock().remaining());

    Findings found;
    qint64 overdue = 0;
    if (!db.transaction())
        throw DatabaseError{QStringLiteral("cannot begin reconciliation: ") + db.lastError().text()};
    try {
        if (m_db.isPostgres()) // one snapshot for every read below
            execOrThrow(db, QStringLiteral("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
        checkSales(db, memoryRemaining, found);
        checkOrders(db, found);
        overdue = scalar(db, QStringLiteral("SELECT COUNT(*) FROM reservations WHERE status = 'Pending' AND expires_at < ?"),
                         {nowMs() - 60000});
        checkMasterStock(db, found);
        db.commit();
    } catch (...) {
        db.rollback();
        throw;
    }
    m_lastMemoryDiffs = found.memoryDiffs;
    m_discrepancy.store(found.total);
    m_runs.fetch_add(1);
    if (found.total)
        Log::warning(QStringLiteral("reconciliation.discrepancy"), {{QStringLiteral("units"), found.total}, {QStringLiteral("issues"), found.issues}});
    return {{QStringLiteral("checkedAt"), isoUtc(nowMs())}, {QStringLiteral("discrepancy"), found.total},
            {QStringLiteral("overduePendingReservations"), overdue}, {QStringLiteral("issues"), found.issues},
            {QStringLiteral("sales"), found.sales}, {QStringLiteral("products"), found.products}};
}

void Reconciler::checkSales(const QSqlDatabase &db, const QHash<qint64, qint64> &memoryRemaining, Findings &found) const
{
    QSqlQuery items = execOrThrow(db, QStringLiteral(
        "SELECT i.sale_id, i.product_id, i.total_sale_quantity, i.available_sale_quantity FROM flash_sale_items i ORDER BY i.sale_id"));
    while (items.next()) {
        const qint64 saleId = items.value(0).toLongLong();
        const qint64 allocated = items.value(2).toLongLong();
        const qint64 available = items.value(3).toLongLong();
        // One pass over the sale's reservations: the units by status, and those still held
        // (not yet given back), which the sale's stock must account for.
        QJsonObject s{{QStringLiteral("saleId"), saleId}, {QStringLiteral("productId"), items.value(1).toLongLong()},
                      {QStringLiteral("allocated"), allocated}, {QStringLiteral("available"), available}};
        qint64 held = 0;
        QSqlQuery byStatus = execOrThrow(db, QStringLiteral("SELECT status, SUM(quantity), SUM(CASE WHEN units_released = 0 THEN quantity ELSE 0 END) "
                                                            "FROM reservations WHERE sale_id = ? GROUP BY status"), {saleId});
        while (byStatus.next()) {
            s.insert(byStatus.value(0).toString().toLower() + QStringLiteral("Units"), byStatus.value(1).toLongLong());
            held += byStatus.value(2).toLongLong();
        }
        s.insert(QStringLiteral("held"), held);
        if (allocated != available + held)
            found.issue(qAbs(allocated - available - held), QStringLiteral("sale %1: allocated %2 != available %3 + held %4").arg(saleId).arg(allocated).arg(available).arg(held));
        // What this node's memory must hold: the whole sale's stock on a single node,
        // its lease's unsold units on a cluster node.
        const qint64 expectedInMemory = m_nodeId.isEmpty() ? available : checkLeases(db, saleId, allocated, s, found);
        const auto mem = memoryRemaining.constFind(saleId);
        if (mem != memoryRemaining.constEnd()) {
            s.insert(QStringLiteral("availableInMemory"), *mem);
            compareMemory(QStringLiteral("sale:%1").arg(saleId), *mem, expectedInMemory,
                          QStringLiteral("sale %1: %2 units in memory, %3 in the database").arg(saleId).arg(*mem).arg(expectedInMemory), found);
        }
        found.sales.append(s);
    }
}

qint64 Reconciler::checkLeases(const QSqlDatabase &db, qint64 saleId, qint64 allocated, QJsonObject &sale, Findings &found) const
{
    // One pass over the sale's leases: this node's unsold units, and every node's granted
    // and reserved units.
    QSqlQuery leases = execOrThrow(db, QStringLiteral(
        "SELECT COALESCE(SUM(CASE WHEN node_id = ? AND state = 'active' THEN granted - reserved ELSE 0 END), 0), "
        "COALESCE(SUM(granted), 0), COALESCE(SUM(reserved), 0) FROM stock_leases WHERE sale_id = ?"), {m_nodeId, saleId});
    leases.next();
    const qint64 unsoldHere = leases.value(0).toLongLong();
    const qint64 granted = leases.value(1).toLongLong();
    const qint64 leaseReserved = leases.value(2).toLongLong();
    QSqlQuery pool = execOrThrow(db, QStringLiteral("SELECT unleased FROM sale_stock_pool WHERE sale_id = ?"), {saleId});
    if (pool.next()) {
        const qint64 unleased = pool.value(0).toLongLong();
        const qint64 nodesHold = scalar(db, QStringLiteral("SELECT COALESCE(SUM(quantity), 0) FROM reservations "
                                                           "WHERE sale_id = ? AND units_released = 0 AND node_id IS NOT NULL"), {saleId});
        sale.insert(QStringLiteral("unleased"), unleased);
        sale.insert(QStringLiteral("leased"), granted);
        if (unleased + granted != allocated)
            found.issue(qAbs(allocated - unleased - granted), QStringLiteral("sale %1: pool %2 + leased %3 != allocated %4").arg(saleId).arg(unleased).arg(granted).arg(allocated));
        if (leaseReserved != nodesHold)
            found.issue(qAbs(leaseReserved - nodesHold), QStringLiteral("sale %1: leases count %2 reserved units, the nodes' reservations hold %3").arg(saleId).arg(leaseReserved).arg(nodesHold));
    }
    return unsoldHere;
}

void Reconciler::checkOrders(const QSqlDatabase &db, Findings &found)
{
    // Each check sums the units of the orders it catches; any unit is an issue.
    static const struct
    {
        const char *sql;
        const char *issue;
    } checks[] = {
        {"SELECT COALESCE(SUM(r.quantity), 0) FROM reservations r JOIN orders o ON o.order_id = r.reservation_id WHERE o.status <> r.status",
         "orders whose status differs from their reservation"},
        {"SELECT COALESCE(SUM(quantity), 0) FROM reservations WHERE status IN ('Failed', 'Expired') AND units_released = 0",
         "failed or expired reservations still holding units"},
        {"SELECT COALESCE(SUM(r.quantity), 0) FROM reservations r LEFT JOIN stock_commitments c ON c.order_id = r.reservation_id "
         "WHERE r.status = 'Confirmed' AND (c.order_id IS NULL OR c.quantity <> r.quantity)",
         "confirmed orders without their sold units recorded"},
        {"SELECT COALESCE(SUM(c.quantity), 0) FROM stock_commitments c JOIN reservations r ON r.reservation_id = c.order_id WHERE r.status <> 'Confirmed'",
         "sold units recorded for orders that are not confirmed"},
        {"SELECT COALESCE(SUM(r.quantity), 0) FROM reservations r JOIN stock_commitments c ON c.order_id = r.reservation_id "
         "WHERE r.status = 'Confirmed' AND ((r.units_released = 1 AND (c.returned_to IS NULL OR c.returned_to <> 'sale')) "
         "OR (r.units_released = 0 AND c.returned_to = 'sale'))",
         "confirmed orders whose units left without a refund (or a refund whose units did not)"},
    };
    for (const auto &check : checks) {
        if (const qint64 units = scalar(db, QString::fromLatin1(check.sql)))
            found.issue(units, QString::fromLatin1(check.issue));
    }
}

void Reconciler::checkMasterStock(const QSqlDatabase &db, Findings &found) const
{
    QSqlQuery master = execOrThrow(db, QStringLiteral("SELECT product_id, stock_quantity FROM inventory ORDER BY product_id"));
    while (master.next()) {
        const qint64 productId = master.value(0).toLongLong();
        const qint64 level = master.value(1).toLongLong();
        const qint64 inMemory = m_masterStock.level(productId).value_or(0);
        found.products.append(QJsonObject{{QStringLiteral("productId"), productId}, {QStringLiteral("masterStock"), level},
                                          {QStringLiteral("masterStockInMemory"), inMemory}});
        compareMemory(QStringLiteral("product:%1").arg(productId), inMemory, level,
                      QStringLiteral("product %1: master stock %2 in memory, %3 in the database").arg(productId).arg(inMemory).arg(level), found);
    }
}

void Reconciler::compareMemory(const QString &key, qint64 inMemory, qint64 inDatabase, const QString &issue, Findings &found) const
{
    if (inMemory == inDatabase)
        return;
    // Counted only when the previous run saw the very same difference.
    const QString diff = QStringLiteral("%1/%2").arg(inMemory).arg(inDatabase);
    found.memoryDiffs.insert(key, diff);
    if (m_lastMemoryDiffs.value(key) == diff)
        found.issue(qAbs(inMemory - inDatabase), issue);
}
