#include "salestartedevent.h"

#include "core/timeutil.h"
#include "outbox/outbox.h"
#include "sale.h"
#include "storage/database.h"

void appendSaleStartedOnce(const QSqlDatabase &db, const Sale &sale, qint64 nowMs)
{
    const QString id = QString::number(sale.id());
    // The event type is written out, not bound: only then does the query match the
    // partial index outbox_sale_started (0018_journal_indexes.sql) on both databases.
    QSqlQuery seen = execOrThrow(db, QStringLiteral("SELECT 1 FROM outbox WHERE aggregate_id = ? AND event_type = 'FlashSaleStarted'"), {id});
    if (seen.next())
        return;
    const Sale::Terms &t = sale.terms();
    Outbox::append(db, Outbox::Type::FlashSaleStarted, id,
                   {{QStringLiteral("saleId"), t.id}, {QStringLiteral("productId"), t.productId}, {QStringLiteral("name"), t.name},
                    {QStringLiteral("startTime"), isoUtc(sale.startMs())}, {QStringLiteral("duration"), (sale.endMs() - sale.startMs()) / 1000},
                    {QStringLiteral("totalStock"), t.quantity}, {QStringLiteral("salePrice"), centsToAmount(t.salePriceCents)}},
                   nowMs);
}
