#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Api {

// One order as the server describes it (GET /orders, GET /orders/{id}).
struct Order
{
    QString id; // the order id
    qint64 saleId = 0;
    qint64 userId = 0;
    qint64 productId = 0;
    int quantity = 0;
    QString status; // Pending, Confirmed, Failed, Expired
    qint64 totalCents = 0;
    QDateTime createdAt;
    QDateTime updatedAt;
    bool refunded = false;
    QString failureReason;

    // "Refunded" for a refunded order, else the status.
    QString state() const { return refunded ? QStringLiteral("Refunded") : status; }

    static std::optional<Order> fromJson(const QJsonObject &object);
};
bool operator==(const Order &a, const Order &b);

// What GET /orders?all=true can narrow the list to.
struct OrderFilter
{
    QString status; // empty: any
    qint64 userId = 0; // 0: anyone
    int limit = 500;

    QString query() const;
};

} // namespace Api
