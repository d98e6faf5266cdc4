#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <optional>

class SaleRegistry;

// Returning a reservation's units to its sale, exactly once. In two halves so that the
// caller can put the database half in its own transaction (with its order update and
// outbox event): `releaseInTransaction` flips units_released from 0 to 1 and gives the
// units back to available_sale_quantity, or returns nothing if they were already
// returned; after the commit, `applyToMemory` puts them back into the sale's live stock.
// A reservation sold by a cluster node returns its units to the sale's pool instead: its
// node's lease shrinks by them and the shopper's units across nodes drop.
struct ReleasedUnits
{
    QString orderId;
    qint64 saleId = 0;
    qint64 userId = 0;
    QByteArray idempotencyKey;
    int quantity = 0;
    // Sold by a cluster node: the units went back to the sale's pool in the database
    // (any node may lease them again), not into this node's memory.
    bool toSalePool = false;
};

namespace UnitRelease {

// `finalStatus` is the reservation's new status: "Failed" or "Expired" (or keep the
// current one with an empty string). Throws DatabaseError.
std::optional<ReleasedUnits> releaseInTransaction(const QSqlDatabase &db, const QString &orderId,
                                                  const QString &finalStatus, qint64 nowMs);
void applyToMemory(SaleRegistry &registry, const ReleasedUnits &released);

} // namespace UnitRelease
