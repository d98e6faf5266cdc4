#include "clusterstatus.h"

#include "core/timeutil.h"
#include "leasestore.h"
#include "sales/saleregistry.h"
#include "storage/database.h"
#include "storage/databaseclock.h"

#include <QJsonArray>

namespace {

QJsonValue isoOrNull(const QVariant &ms)
{
    return ms.isNull() ? QJsonValue() : QJsonValue(isoUtc(ms.toLongLong()));
}

QJsonArray nodes(const QSqlDatabase &db, qint64 leaseTtlMs)
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT node_id, advertise_url, started_at, heartbeat_at, stopped_at, accepted_total, "
                                                 "purchase_rate, %1 FROM cluster_nodes ORDER BY node_id").arg(QString::fromLatin1(DatabaseClock::nowMsSql)));
    QJsonArray list;
    while (q.next()) {
        const bool alive = q.value(4).isNull() && q.value(7).toLongLong() - q.value(3).toLongLong() < leaseTtlMs;
        list.append(QJsonObject{{QStringLiteral("nodeId"), q.value(0).toString()},
                                {QStringLiteral("advertiseUrl"), q.value(1).toString()},
                                {QStringLiteral("startedAt"), isoUtc(q.value(2).toLongLong())},
                                {QStringLiteral("heartbeatAt"), isoUtc(q.value(3).toLongLong())},
                                {QStringLiteral("stoppedAt"), isoOrNull(q.value(4))},
                                {QStringLiteral("alive"), alive},
                                {QStringLiteral("acceptedTotal"), q.value(5).toLongLong()},
                                {QStringLiteral("purchaseRate"), alive ? q.value(6).toDouble() : 0.0}}); // a dead node sells nothing
    }
    return list;
}

} // namespace

namespace ClusterStatus {

QJsonObject read(const QSqlDatabase &db, const SaleRegistry &registry, const QString &nodeId, qint64 leaseTtlMs)
{
    const qint64 now = nowMs();
    const bool clustered = !nodeId.isEmpty();
    QJsonArray sales;
    for (const auto &sale : registry.all()) {
        qint64 unleased = sale->remaining();
        qint64 reserved = 0;
        qint64 held = 0;
        QJsonArray leases;
        if (clustered) {
            QSqlQuery pool = execOrThrow(db, QStringLiteral("SELECT COALESCE(p.unleased, i.available_sale_quantity) FROM flash_sale_items i "
                                                            "LEFT JOIN sale_stock_pool p ON p.sale_id = i.sale_id WHERE i.sale_id = ?"), {sale->id()});
            unleased = pool.next() ? pool.value(0).toLongLong() : 0;
            QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT node_id, granted, reserved, state, expires_at, leases_taken FROM stock_leases "
                                                         "WHERE sale_id = ? ORDER BY node_id"), {sale->id()});
            while (q.next()) {
                const qint64 granted = q.value(1).toLongLong();
                const qint64 leaseReserved = q.value(2).toLongLong();
                const bool active = q.value(3).toString() == QLatin1String("active");
                reserved += leaseReserved;
                if (active)
                    held += granted - leaseReserved;
                leases.append(QJsonObject{{QStringLiteral("nodeId"), q.value(0).toString()},
                                          {QStringLiteral("granted"), granted},
                                          {QStringLiteral("reserved"), leaseReserved},
                                          {QStringLiteral("held"), active ? granted - leaseReserved : 0},
                                          {QStringLiteral("state"), q.value(3).toString()},
                                          {QStringLiteral("expiresAt"), isoUtc(q.value(4).toLongLong())},
                                          {QStringLiteral("leasesTaken"), q.value(5).toLongLong()}});
            }
        } else {
            reserved = sale->terms().quantity - unleased;
        }
        sales.append(QJsonObject{{QStringLiteral("saleId"), sale->id()},
                                 {QStringLiteral("name"), sale->terms().name},
                                 {QStringLiteral("status"), toString(sale->statusAt(now))},
                                 {QStringLiteral("allocation"), sale->terms().quantity},
                                 {QStringLiteral("unleased"), unleased},
                                 {QStringLiteral("reserved"), reserved},
                                 {QStringLiteral("remaining"), unleased + held},
                                 {QStringLiteral("leases"), leases}});
    }
    return {{QStringLiteral("clustered"), clustered},
            {QStringLiteral("nodeId"), clustered ? QJsonValue(nodeId) : QJsonValue()},
            {QStringLiteral("serverTime"), isoUtc(now)},
            {QStringLiteral("nodes"), clustered ? nodes(db, leaseTtlMs) : QJsonArray()},
            {QStringLiteral("sales"), sales}};
}

} // namespace ClusterStatus
