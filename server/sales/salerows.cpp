#include "salerows.h"

#include "storage/database.h"

namespace SaleRows {

std::vector<SaleRow> load(const QSqlDatabase &db, qint64 afterSaleId)
{
    QSqlQuery q = execOrThrow(db, QStringLiteral(
        "SELECT s.sale_id, s.name, i.product_id, p.name, i.sale_price_cents, p.regular_price_cents, "
        "i.total_sale_quantity, i.per_user_limit, s.start_time, s.end_time, s.created_at, s.status "
        "FROM flash_sales s JOIN flash_sale_items i ON i.sale_id = s.sale_id "
        "JOIN products p ON p.product_id = i.product_id WHERE s.sale_id > ? ORDER BY s.sale_id"), {afterSaleId});
    std::vector<SaleRow> rows;
    while (q.next()) {
        SaleRow row;
        Sale::Terms &t = row.terms;
        t.id = q.value(0).toLongLong();
        t.name = q.value(1).toString();
        t.productId = q.value(2).toLongLong();
        t.productName = q.value(3).toString();
        t.salePriceCents = q.value(4).toLongLong();
        t.regularPriceCents = q.value(5).toLongLong();
        t.quantity = q.value(6).toLongLong();
        t.perUserLimit = q.value(7).toInt();
        t.startMs = q.value(8).toLongLong();
        t.endMs = q.value(9).toLongLong();
        t.createdAtMs = q.value(10).toLongLong();
        row.status = q.value(11).toString();
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace SaleRows
