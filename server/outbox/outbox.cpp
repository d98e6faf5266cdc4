#include "outbox.h"

#include "core/jsonwriter.h"
#include "core/timeutil.h"
#include "inventory/reservationjournal.h"
#include "storage/batchinsert.h"
#include "storage/cachedquery.h"
#include "storage/database.h"

#include <QJsonDocument>

#include <array>

namespace Outbox {

namespace {

// "INSERT ... VALUES (...)" with one row per event, built once per count: each is a
// statement of its own in the connection's cache.
constexpr int maxEventsPerStatement = 4;

const QString &insertSql(int events)
{
    static const std::array<QString, maxEventsPerStatement + 1> sql = [] {
        std::array<QString, maxEventsPerStatement + 1> all;
        QString values;
        for (int n = 1; n <= maxEventsPerStatement; ++n) {
            values += n == 1 ? QStringLiteral("(?, ?, ?, ?, 0)") : QStringLiteral(", (?, ?, ?, ?, 0)");
            all[n] = QStringLiteral("INSERT INTO outbox(event_type, aggregate_id, payload, created_at, attempts) VALUES ") + values;
        }
        return all;
    }();
    return sql[events];
}

} // namespace

void append(const QSqlDatabase &db, const QString &type, const QString &aggregateId, const QJsonObject &payload, qint64 nowMs)
{
    append(db, aggregateId, {{type, payload}}, nowMs);
}

void append(const QSqlDatabase &db, const QString &aggregateId, const std::vector<Event> &events, qint64 nowMs)
{
    for (size_t first = 0; first < events.size(); first += maxEventsPerStatement) {
        const int count = int(qMin(events.size() - first, size_t(maxEventsPerStatement)));
        QVariantList bind;
        bind.reserve(count * 4);
        for (size_t i = first; i < first + size_t(count); ++i) {
            const Event &e = events[i];
            bind << e.type << aggregateId << QString::fromUtf8(QJsonDocument(e.payload).toJson(QJsonDocument::Compact)) << nowMs;
        }
        execCached(db, insertSql(count), bind);
    }
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
