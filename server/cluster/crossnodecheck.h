#pragma once

#include "inventory/reservationjournal.h"

#include <QString>

class SaleRegistry;

// The journal's screen in cluster mode, run first in every group commit: what one node's
// memory cannot know about the others.
// - The shopper's units on every node (sale_user_units, row-locked, so two nodes cannot
//   both take a shopper's last allowed unit): over the limit, the record is refused.
// - The idempotency key on every node (the reservations' UNIQUE key): already used,
//   the record becomes a replay of the first order.
// - The node's lease: the accepted units are added to its reserved units, only if the
//   lease is active and covers them; otherwise the whole batch fails (503, undone).
class CrossNodeCheck
{
public:
    CrossNodeCheck(const SaleRegistry &registry, QString nodeId);
    void operator()(const QSqlDatabase &db, std::vector<ReservationRecord> &records) const;

private:
    void screenSale(const QSqlDatabase &db, qint64 saleId, std::vector<ReservationRecord *> &records) const;

    const SaleRegistry &m_registry;
    const QString m_nodeId;
};
