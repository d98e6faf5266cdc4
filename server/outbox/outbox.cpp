#include "outbox.h"

#include "core/jsonwriter.h"
#include "core/timeutil.h"
#include "inventory/reservationjournal.h"
#include "storage/batchinsert.h"
#include "storage/cachedquery.h"
#include "storage/database.h"

#include <QJsonDocument>

namespace Outbox {

void append(const QSqlDatabase &db, const QString &type, const QString &aggregateId, const QJsonObject &payload, qint64 nowMs)
{
    execCached(db, QStringLiteral("INSERT INTO outbox(event_type, aggregate_id, payload, created_at, attempts) VALUES (?, ?, ?, ?, 0)"),
               {type, aggregateId, QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact)), nowMs});
}

QByteArray purchaseAttemptedPayload(const ReservationRecord &r, qint64 productId)
{
    return JsonObjectWriter(160)
        .string("orderId", r.orderId)
        .number("productId", productId)
        .number("quantity", r.quantity)
        .number("saleId", r.saleId)
        .isoTime("timestamp", r.createdAtMs)
        .number("userId", r.userId)
        .finish();
}

QByteArray inventoryReservedPayload(const ReservationRecord &r, qint64 productId)
{
    return JsonObjectWriter(176)
        .isoTime("expiresAt", r.expiresAtMs)
        .string("orderId", r.orderId)
        .number("productId", productId)
        .number("quantity", r.quantity)
        .number("saleId", r.saleId)
        .latin1("status", "Pending")
        .number("userId", r.userId)
        .finish();
}

void appendReservations(const QSqlDatabase &db, const std::vector<ReservationRecord> &records,
                        const std::function<qint64(qint64 saleId)> &productOfSale, qint64 nowMs)
{
    BatchInsert insert(db, QStringLiteral("outbox"), {QStringLiteral("event_type"), QStringLiteral("aggregate_id"),
                                                      QStringLiteral("payload"), QStringLiteral("created_at"), QStringLiteral("attempts")});
    for (const ReservationRecord &r : records) {
        const qint64 productId = productOfSale(r.saleId);
        insert.add({Type::PurchaseAttempted, r.orderId, QString::fromUtf8(purchaseAttemptedPayload(r, productId)), nowMs, 0});
        insert.add({Type::InventoryReserved, r.orderId, QString::fromUtf8(inventoryReservedPayload(r, productId)), nowMs, 0});
    }
    insert.flush();
}

} // namespace Outbox
