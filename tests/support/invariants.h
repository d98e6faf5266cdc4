#pragma once

#include <QSet>
#include <QString>
#include <QStringList>

// Reads the database the way an auditor would and lists every broken promise:
// oversell, a shopper above the limit, stock + reserved != allocation, an accepted
// order missing from the journal. Empty list: all invariants hold.
struct SaleAudit
{
    qint64 allocated = 0;      // total_sale_quantity
    qint64 available = 0;      // available_sale_quantity
    qint64 reserved = 0;       // units held by reservations not released
    qint64 reservations = 0;   // rows
    int perUserLimit = 0;
    int maxHeldByOneUser = 0;
    QStringList violations;
};

SaleAudit auditSale(const QString &databaseUrl, qint64 saleId, const QSet<QString> &acceptedOrderIds = {});
