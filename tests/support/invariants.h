#pragma once

#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>

class QSqlDatabase;

// Runs `read` on a connection of its own to the database and closes it afterwards
// (tests that poll must not pile up connections). Returns the error that stopped it
// (cannot open, a query failed), or an empty string.
QString readDatabase(const QString &databaseUrl, const std::function<void(const QSqlDatabase &db)> &read);

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
