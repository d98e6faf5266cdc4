#pragma once

#include "invariants.h"

#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>

class Database;

// The checks made from the database after a run: auditSale (sold <= stock, no shopper
// above the limit, stock + reserved = allocation, every 202 in the journal), and for the
// waiting room that tickets have no gaps, admission followed ticket order in each lane,
// and every reservation belongs to an admitted shopper; for the order pipeline, that
// every reservation reached a final state.
class SaleAuditor
{
public:
    explicit SaleAuditor(const QString &databaseUrl);
    ~SaleAuditor();

    // True when the order pipeline's tables exist (migration 0004 applied).
    bool hasOrderPipeline() const;
    // Reservations of the sale still Pending; -1 when the database cannot be read.
    qint64 pendingOrders(qint64 saleId) const;
    qint64 reservationCount(qint64 saleId) const;
    // Reservations of every sale still Pending; -1 when the database cannot be read.
    qint64 pendingOrdersOfAllSales() const;

    struct Result
    {
        SaleAudit sale;
        QStringList violations;
        QStringList notes;
        QJsonObject figures;
    };
    Result audit(qint64 saleId, const QSet<QString> &acceptedOrderIds, bool waitingRoom, bool requireFinalOrders) const;

private:
    void auditWaitingRoom(qint64 saleId, Result &r) const;
    QString m_url;
    std::unique_ptr<Database> m_database;
};
