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

} // namespace OrderQueries
