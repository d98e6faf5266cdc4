#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <optional>

// Reading orders for the API: a reservation is an order from its 202 on (its order row
// appears when a saga worker claims it), so reads join the journal with the orders.
// Order JSON: {orderId, saleId, userId, productId, quantity, status, total, createdAt,
// updatedAt, paymentId?, failureReason?, refunded, refundedAt?, refundId?}.
namespace OrderQueries {

struct Filter
{
    std::optional<qint64> userId;
    QString status; // empty: any
    int limit = 100;
};

// Throws DatabaseError. `ownerId` is set to the order's shopper.
std::optional<QJsonObject> find(const QSqlDatabase &db, const QString &orderId, qint64 *ownerId);
QJsonArray list(const QSqlDatabase &db, const Filter &filter);
// The statement list() runs, and its values. A shopper's orders are found by naming every
// sale (`sale_id IN (...)`, a few) and looking up (sale_id, user_id) in the reservations'
// UNIQUE index: there is no index of reservations by user alone, and SQLite, without
// statistics, would otherwise read the whole table (tests/unit/tst_storage reads the plan
// on both databases).
QString listSql(const Filter &filter, QVariantList *bind);

} // namespace OrderQueries
