#include "order.h"

#include "jsonfields.h"
#include "money.h"

namespace Api {

std::optional<Order> Order::fromJson(const QJsonObject &o)
{
    Order order;
    order.id = o.value(QStringLiteral("orderId")).toString();
    if (order.id.isEmpty())
        return std::nullopt;
    order.saleId = JsonFields::integer(o, QStringLiteral("saleId"));
    order.userId = JsonFields::integer(o, QStringLiteral("userId"));
    order.productId = JsonFields::integer(o, QStringLiteral("productId"));
    order.quantity = int(JsonFields::integer(o, QStringLiteral("quantity")));
    order.status = o.value(QStringLiteral("status")).toString();
    order.totalCents = Money::toCents(o.value(QStringLiteral("total")).toDouble());
    order.createdAt = JsonFields::dateTime(o, QStringLiteral("createdAt"));
    order.updatedAt = JsonFields::dateTime(o, QStringLiteral("updatedAt"));
    order.refunded = o.value(QStringLiteral("refunded")).toBool();
    order.failureReason = o.value(QStringLiteral("failureReason")).toString();
    return order;
}

bool operator==(const Order &a, const Order &b)
{
    return a.id == b.id && a.saleId == b.saleId && a.userId == b.userId && a.productId == b.productId
        && a.quantity == b.quantity && a.status == b.status && a.totalCents == b.totalCents && a.createdAt == b.createdAt
        && a.updatedAt == b.updatedAt && a.refunded == b.refunded && a.failureReason == b.failureReason;
}

QString OrderFilter::query() const
{
    QString q = QStringLiteral("all=true&limit=%1").arg(limit);
    if (!status.isEmpty())
        q += QStringLiteral("&status=") + status;
    if (userId > 0)
        q += QStringLiteral("&userId=%1").arg(userId);
    return q;
}

} // namespace Api
