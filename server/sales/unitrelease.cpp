#include "unitrelease.h"

#include "saleregistry.h"
#include "storage/database.h"

namespace UnitRelease {

std::optional<ReleasedUnits> releaseInTransaction(const QSqlDatabase &db, const QString &orderId,
                                                  const QString &finalStatus, qint64 nowMs)
{
    QSqlQuery row = execOrThrow(db, QStringLiteral("SELECT sale_id, user_id, idempotency_key, quantity, node_id FROM reservations "
                                                   "WHERE reservation_id = ? AND units_released = 0"), {orderId});
    if (!row.next())
        return std::nullopt;
    const QString nodeId = row.value(4).toString();
    ReleasedUnits r{orderId, row.value(0).toLongLong(), row.value(1).toLongLong(), row.value(2).toString().toLatin1(),
                    row.value(3).toInt(), !nodeId.isEmpty()};
    // The guard on units_released makes the release happen once even if two workers race.
    QSqlQuery flip = finalStatus.isEmpty()
        ? execOrThrow(db, QStringLiteral("UPDATE reservations SET units_released = 1, updated_at = ? "
                                         "WHERE reservation_id = ? AND units_released = 0"), {nowMs, orderId})
        : execOrThrow(db, QStringLiteral("UPDATE reservations SET units_released = 1, status = ?, updated_at = ? "
                                         "WHERE reservation_id = ? AND units_released = 0"), {finalStatus, nowMs, orderId});
    if (flip.numRowsAffected() != 1)
        return std::nullopt;
    execOrThrow(db, QStringLiteral("UPDATE flash_sale_items SET available_sale_quantity = available_sale_quantity + ? WHERE sale_id = ?"),
                {r.quantity, r.saleId});
    if (r.toSalePool) {
        execOrThrow(db, QStringLiteral("UPDATE stock_leases SET reserved = reserved - ?, granted = granted - ?, updated_at = ? "
                                       "WHERE sale_id = ? AND node_id = ?"), {r.quantity, r.quantity, nowMs, r.saleId, nodeId});
        execOrThrow(db, QStringLiteral("UPDATE sale_stock_pool SET unleased = unleased + ? WHERE sale_id = ?"), {r.quantity, r.saleId});
        execOrThrow(db, QStringLiteral("UPDATE sale_user_units SET units = units - ? WHERE sale_id = ? AND user_id = ?"),
                    {r.quantity, r.saleId, r.userId});
    }
    return r;
}

void applyToMemory(SaleRegistry &registry, const ReleasedUnits &released)
{
    const auto sale = registry.find(released.saleId);
    if (!sale)
        return;
    // A retired stock no longer knows the key; the guarded flip above makes this the
    // reservation's only release, so its units are counted back here.
    if (!sale->stock().release(released.userId, released.idempotencyKey, false, !released.toSalePool)
        && sale->stock().isRetired() && !released.toSalePool)
        sale->stock().addUnits(released.quantity);
}

} // namespace UnitRelease
