#pragma once

#include "sale.h"

#include <QSqlDatabase>
#include <QString>

#include <vector>

// Sales as stored: their terms and the status last written. Read at start, and by a
// cluster node to learn the sales other nodes created or rescheduled.
struct SaleRow
{
    Sale::Terms terms;
    QString status;
};

namespace SaleRows {

// Every sale whose id is above `afterSaleId`, in id order. Throws DatabaseError.
std::vector<SaleRow> load(const QSqlDatabase &db, qint64 afterSaleId = 0);

} // namespace SaleRows
