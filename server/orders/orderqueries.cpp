#include "orderqueries.h"

#include "core/timeutil.h"
#include "storage/database.h"

namespace OrderQueries {

namespace {

const QString select = QStringLiteral(
    "SELECT r.reservation_id, r.sale_id, r.user_id, i.product_id, r.quantity, COALESCE(o.status, r.status), "
    "COALESCE(o.order_total_cents, r.quantity * i.sale_price_cents), r.created_at, "
    "CASE WHEN o.updated_at IS NOT NULL AND o.updated_at > r.updated_at THEN o.updated_at ELSE r.updated_at END, "
    "o.payment_id, o.failure_reason, o.refunded_at, o.refund_id "
    "FROM reservations r JOIN flash_sale_items i ON i.sale_id = r.sale_id "
    "LEFT JOIN orders o ON o.order_id = r.reservation_id ");

QJsonObject toJson(const QSqlQuery &q)
{
    QJsonObject o{{QStringLiteral("orderId"), q.value(0).toString()},
                  {QStringLiteral("saleId"), q.value(1).toLongLong()},
                  {QStringLiteral("userId"), q.value(2).toLongLong()},
                  {QStringLiteral("productId"), q.value(3).toLongLong()},
                  {QStringLiteral("quantity"), q.value(4).toInt()},
                  {QStringLiteral("status"), q.value(5).toString()},
                  {QStringLiteral("total"), centsToAmount(q.value(6).toLongLong())},
                  {QStringLiteral("createdAt"), isoUtc(q.value(7).toLongLong())},
                  {QStringLiteral("updatedAt"), isoUtc(q.value(8).toLongLong())},
                  {QStringLiteral("refunded"), !q.value(11).isNull()}};
    if (!q.value(9).isNull())
        o.insert(QStringLiteral("paymentId"), q.value(9).toString());
    if (!q.value(10).isNull())
        o.insert(QStringLiteral("failureReason"), q.value(10).toString());
    if (!q.value(11).isNull()) {
        o.insert(QStringLiteral("refundedAt"), isoUtc(q.value(11).toLongLong()));
        o.insert(QStringLiteral("refundId"), q.value(12).toString());
    }
    return o;
}

} // namespace

std::optional<QJsonObject> find(const QSqlDatabase &db, const QString &orderId, qint64 *ownerId)
{
    QSqlQuery q = execOrThrow(db, select + QStringLiteral("WHERE r.reservation_id = ?"), {orderId});
    if (!q.next())
        return std::nullopt;
    *ownerId = q.value(2).toLongLong();
    return toJson(q);
}

QString listSql(const Filter &filter, QVariantList *bind)
{
    QString where = QStringLiteral("WHERE 1 = 1");
    if (filter.userId) { // by (sale_id, user_id): every sale, then this shopper in it
        where += QStringLiteral(" AND r.sale_id IN (SELECT sale_id FROM flash_sale_items) AND r.user_id = ?");
        *bind << *filter.userId;
    }
    if (!filter.status.isEmpty()) {
        where += QStringLiteral(" AND COALESCE(o.status, r.status) = ?");
        *bind << filter.status;
    }
    *bind << filter.limit;
    return select + where + QStringLiteral(" ORDER BY r.created_at DESC, r.reservation_id LIMIT ?");
}

QJsonArray list(const QSqlDatabase &db, const Filter &filter)
{
    QVariantList bind;
    const QString sql = listSql(filter, &bind);
    QSqlQuery q = execOrThrow(db, sql, bind);
    QJsonArray list;
    while (q.next())
        list.append(toJson(q));
    return list;
}

} // namespace OrderQueries
