#include "leasestore.h"

#include "storage/database.h"
#include "storage/databaseclock.h"

namespace LeaseStore {

namespace {

QString sql(const char *text)
{
    return QString::fromLatin1(text).replace(QStringLiteral("{{NOW}}"), QString::fromLatin1(DatabaseClock::nowMsSql));
}

} // namespace

void registerNode(const QSqlDatabase &db, const QString &nodeId, const QString &advertiseUrl)
{
    execOrThrow(db, sql("INSERT INTO cluster_nodes(node_id, advertise_url, started_at, heartbeat_at) VALUES (?, ?, {{NOW}}, {{NOW}}) "
                        "ON CONFLICT (node_id) DO UPDATE SET advertise_url = EXCLUDED.advertise_url, started_at = EXCLUDED.started_at, "
                        "heartbeat_at = EXCLUDED.heartbeat_at, stopped_at = NULL, accepted_total = 0, purchase_rate = 0, starved = 0"),
                {nodeId, advertiseUrl});
}

void markStopped(const QSqlDatabase &db, const QString &nodeId)
{
    execOrThrow(db, sql("UPDATE cluster_nodes SET stopped_at = {{NOW}}, purchase_rate = 0 WHERE node_id = ?"), {nodeId});
}

QSet<qint64> heartbeat(const QSqlDatabase &db, const QString &nodeId, qint64 ttlMs, qint64 acceptedTotal, double rate, bool starved)
{
    execOrThrow(db, sql("UPDATE cluster_nodes SET heartbeat_at = {{NOW}}, accepted_total = ?, purchase_rate = ?, starved = ? "
                        "WHERE node_id = ?"), {acceptedTotal, rate, starved ? 1 : 0, nodeId});
    QSqlQuery q = execOrThrow(db, sql("UPDATE stock_leases SET expires_at = {{NOW}} + ?, updated_at = {{NOW}} "
                                      "WHERE node_id = ? AND state = 'active' RETURNING sale_id"), {ttlMs, nodeId});
    QSet<qint64> active;
    while (q.next())
        active.insert(q.value(0).toLongLong());
    return active;
}

void ensurePool(const QSqlDatabase &db, qint64 saleId)
{
    execOrThrow(db, QStringLiteral("INSERT INTO sale_stock_pool(sale_id, unleased) SELECT sale_id, available_sale_quantity "
                                   "FROM flash_sale_items WHERE sale_id = ? ON CONFLICT (sale_id) DO NOTHING"), {saleId});
}

qint64 take(const QSqlDatabase &db, qint64 saleId, const QString &nodeId, qint64 wanted, qint64 ttlMs)
{
    return inTransaction(db, [&]() -> qint64 {
        QSqlQuery pool = execOrThrow(db, QStringLiteral("SELECT unleased FROM sale_stock_pool WHERE sale_id = ? FOR UPDATE"), {saleId});
        if (!pool.next())
            return 0;
        const qint64 granted = std::min(wanted, pool.value(0).toLongLong());
        if (granted <= 0)
            return 0;
        execOrThrow(db, QStringLiteral("UPDATE sale_stock_pool SET unleased = unleased - ? WHERE sale_id = ?"), {granted, saleId});
        // A reaped lease has granted = reserved: adding to it starts a fresh one.
        execOrThrow(db, sql("INSERT INTO stock_leases(sale_id, node_id, granted, reserved, state, expires_at, leases_taken, updated_at) "
                            "VALUES (?, ?, ?, 0, 'active', {{NOW}} + ?, 1, {{NOW}}) ON CONFLICT (sale_id, node_id) DO UPDATE SET "
                            "granted = stock_leases.granted + EXCLUDED.granted, state = 'active', expires_at = EXCLUDED.expires_at, "
                            "leases_taken = stock_leases.leases_taken + 1, updated_at = EXCLUDED.updated_at"),
                    {saleId, nodeId, granted, ttlMs});
        return granted;
    });
}

bool handBack(const QSqlDatabase &db, qint64 saleId, const QString &nodeId, qint64 units)
{
    return inTransaction(db, [&] {
        if (execOrThrow(db, sql("UPDATE stock_leases SET granted = granted - ?, updated_at = {{NOW}} WHERE sale_id = ? AND node_id = ? "
                                "AND state = 'active' AND granted - reserved >= ?"), {units, saleId, nodeId, units}).numRowsAffected() != 1)
            return false;
        execOrThrow(db, QStringLiteral("UPDATE sale_stock_pool SET unleased = unleased + ? WHERE sale_id = ?"), {units, saleId});
        return true;
    });
}

namespace {

// Closes the locked leases in `rows` (sale_id, node_id, granted - reserved) with `state`.
int close(const QSqlDatabase &db, QSqlQuery &rows, const QString &state)
{
    int closed = 0;
    while (rows.next()) {
        const qint64 saleId = rows.value(0).toLongLong();
        const QString nodeId = rows.value(1).toString();
        const qint64 unsold = rows.value(2).toLongLong();
        execOrThrow(db, sql("UPDATE stock_leases SET granted = reserved, state = ?, updated_at = {{NOW}} WHERE sale_id = ? AND node_id = ?"),
                    {state, saleId, nodeId});
        execOrThrow(db, QStringLiteral("UPDATE sale_stock_pool SET unleased = unleased + ? WHERE sale_id = ?"), {unsold, saleId});
        ++closed;
    }
    return closed;
}

} // namespace

void returnAll(const QSqlDatabase &db, const QString &nodeId)
{
    inTransaction(db, [&] {
        QSqlQuery rows = execOrThrow(db, QStringLiteral("SELECT sale_id, node_id, granted - reserved FROM stock_leases "
                                                        "WHERE node_id = ? AND state = 'active' ORDER BY sale_id FOR UPDATE"), {nodeId});
        close(db, rows, QStringLiteral("returned"));
    });
}

int reapExpired(const QSqlDatabase &db)
{
    return inTransaction(db, [&] {
        // SKIP LOCKED: two nodes reaping at once split the work instead of waiting.
        QSqlQuery rows = execOrThrow(db, sql("SELECT sale_id, node_id, granted - reserved FROM stock_leases "
                                             "WHERE state = 'active' AND expires_at < {{NOW}} ORDER BY sale_id, node_id "
                                             "FOR UPDATE SKIP LOCKED"));
        return close(db, rows, QStringLiteral("expired"));
    });
}

QHash<qint64, Elsewhere> elsewhere(const QSqlDatabase &db, const QString &nodeId, qint64 ttlMs)
{
    QHash<qint64, Elsewhere> result;
    // A sale no node leased from yet has no pool row: its unsold units are all unleased.
    QSqlQuery pools = execOrThrow(db, sql("SELECT i.sale_id, COALESCE(p.unleased, i.available_sale_quantity), "
                                          "COALESCE((SELECT SUM(l.granted - l.reserved) FROM stock_leases l WHERE l.sale_id = i.sale_id "
                                          "AND l.node_id <> ? AND l.state = 'active'), 0) "
                                          "FROM flash_sale_items i LEFT JOIN sale_stock_pool p ON p.sale_id = i.sale_id"), {nodeId});
    while (pools.next()) {
        Elsewhere &e = result[pools.value(0).toLongLong()];
        e.unleased = pools.value(1).toLongLong();
        e.heldByOthers = pools.value(2).toLongLong();
    }
    QSqlQuery nodes = execOrThrow(db, sql("SELECT COUNT(*), COALESCE(MAX(CASE WHEN node_id <> ? THEN starved ELSE 0 END), 0) "
                                          "FROM cluster_nodes WHERE stopped_at IS NULL AND heartbeat_at > {{NOW}} - ?"), {nodeId, ttlMs});
    if (nodes.next()) {
        const int live = std::max(1, nodes.value(0).toInt());
        const bool starved = nodes.value(1).toInt() != 0;
        for (Elsewhere &e : result) {
            e.liveNodes = live;
            e.othersStarved = starved;
        }
    }
    return result;
}

void reserve(const QSqlDatabase &db, qint64 saleId, const QString &nodeId, qint64 units)
{
    if (execOrThrow(db, sql("UPDATE stock_leases SET reserved = reserved + ?, updated_at = {{NOW}} WHERE sale_id = ? AND node_id = ? "
                            "AND state = 'active' AND reserved + ? <= granted"), {units, saleId, nodeId, units}).numRowsAffected() != 1)
        throw DatabaseError{QStringLiteral("the node's lease of sale %1 is no longer active or does not cover %2 more units").arg(saleId).arg(units)};
}

} // namespace LeaseStore
