#include "outbox.h"

#include "core/timeutil.h"
#include "inventory/reservationjournal.h"
#include "storage/batchinsert.h"
#include "storage/database.h"

#include <QJsonDocument>

namespace Outbox {

void append(const QSqlDatabase &db, const QString &type, const QString &aggregateId, const QJsonObject &payload, qint64 nowMs)
{
    execOrThrow(db, QStringLiteral("INSERT INTO outbox(event_type, aggregate_id, payload, created_at, attempts) VALUES (?, ?, ?, ?, 0)"),
                {type, aggregateId, QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact)), nowMs});
}

void appendReservations(const QSqlDatabase &db, const std::vector<ReservationRecord> &records,
                        const std::function<qint64(qint64 saleId)> &productOfSale, qint64 nowMs)
{
    BatchInsert insert(db, QStringLiteral("outbox"), {QStringLiteral("event_type"), QStringLiteral("aggregate_id"),
                                                      QStringLiteral("payload"), QStringLiteral("created_at"), QStringLiteral("attempts")});
    auto add = [&](const QString &type, const QString &orderId, const QJsonObject &payload) {
        insert.add({type, orderId, QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact)), nowMs, 0});
    };
    for (const ReservationRecord &r : records) {
        const qint64 productId = productOfSale(r.saleId);
        add(Type::PurchaseAttempted, r.orderId,
            {{QStringLiteral("orderId"), r.orderId}, {QStringLiteral("saleId"), r.saleId}, {QStringLiteral("userId"), r.userId},
             {QStringLiteral("productId"), productId}, {QStringLiteral("quantity"), r.quantity},
             {QStringLiteral("timestamp"), isoUtc(r.createdAtMs)}});
        add(Type::InventoryReserved, r.orderId,
            {{QStringLiteral("orderId"), r.orderId}, {QStringLiteral("saleId"), r.saleId}, {QStringLiteral("userId"), r.userId},
             {QStringLiteral("productId"), productId}, {QStringLiteral("quantity"), r.quantity},
             {QStringLiteral("status"), QStringLiteral("Pending")}, {QStringLiteral("expiresAt"), isoUtc(r.expiresAtMs)}});
    }
    insert.flush();
}

} // namespace Outbox
