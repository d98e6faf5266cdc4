#pragma once

#include <QSqlDatabase>

class Sale;

// FlashSaleStarted, once per sale whatever the restarts: written to the outbox only if
// the sale has none yet. Call inside the transaction that records the sale's Active
// status. Throws DatabaseError.
void appendSaleStartedOnce(const QSqlDatabase &db, const Sale &sale, qint64 nowMs);
