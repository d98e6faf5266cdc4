#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

// Reads a sale's orders from the database the way an auditor would (the order
// pipeline's promises; auditSale in invariants.h checks the stock): every accepted
// order has exactly one order row and one item, as the reservation's status; a
// Confirmed order has an approved payment and its sold units recorded once and holds
// its units; a Failed or Expired one gave its units back and keeps no commitment.
struct OrderAudit
{
    qint64 reservations = 0;       // rows for the sale
    qint64 orders = 0;             // order rows for the sale
    qint64 pending = 0;            // reservations not final yet
    qint64 pendingUnits = 0;       // their units: in flight
    qint64 confirmed = 0;
    qint64 confirmedUnits = 0;
    qint64 failed = 0;
    qint64 expired = 0;
    qint64 unsettledPayments = 0;  // a finished order whose charge is not settled yet (Charging, Uncertain, or Approved on a failed order)
    QHash<QString, QString> statusByOrder; // final or not, from the reservations
    QStringList violations;

    bool allFinal() const { return pending == 0 && unsettledPayments == 0; }
    // The counts, then the first violations, for a failure message or a log line.
    QString describe() const;
};

// `acceptedOrderIds`: every orderId a 202 carried; each must be in the database, and
// nothing else may be.
OrderAudit auditOrders(const QString &databaseUrl, qint64 saleId, const QSet<QString> &acceptedOrderIds);

// Audits again (after 100 ms, then less and less often, up to every second) until every
// order is final and its charge settled, or
// `timeoutMs` passed; `tookMs` (if given) gets the time it took.
OrderAudit waitUntilFinal(const QString &databaseUrl, qint64 saleId, const QSet<QString> &acceptedOrderIds, int timeoutMs,
                          qint64 *tookMs = nullptr);
