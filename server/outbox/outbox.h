#pragma once

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <vector>

struct ReservationRecord;

// The durable outbox (a folder of its own: the modules that write events, sales and
// orders, and those that read them, orders and notifications, all use it): an event row is written in the same transaction as the change
// that causes it, so the event exists if and only if the change committed. The
// dispatcher (OutboxDispatcher) delivers it afterwards, at least once.
//
// Event types and payloads are the seed's (Task 3.2), plus ids (eventId is added on
// delivery). Amounts are decimals as on the wire; times ISO 8601 UTC.
namespace Outbox {

namespace Type {
inline const QString FlashSaleStarted = QStringLiteral("FlashSaleStarted");
inline const QString PurchaseAttempted = QStringLiteral("PurchaseAttempted");
inline const QString InventoryReserved = QStringLiteral("InventoryReserved");
inline const QString PaymentProcessed = QStringLiteral("PaymentProcessed");
inline const QString OrderConfirmed = QStringLiteral("OrderConfirmed");
inline const QString OrderFailed = QStringLiteral("OrderFailed");
inline const QString ReservationExpired = QStringLiteral("ReservationExpired");
inline const QString StockReleased = QStringLiteral("StockReleased");
inline const QString OrderRefunded = QStringLiteral("OrderRefunded");
// Accounts (payload {userId}): a new account, to be welcomed; and a sign-up with the
// e-mail of an existing account, whose owner is told (POST /users answers both alike).
inline const QString AccountRegistered = QStringLiteral("AccountRegistered");
inline const QString RegistrationRepeated = QStringLiteral("RegistrationRepeated");
} // namespace Type

// Inserts one event; throws DatabaseError (which rolls back the caller's transaction).
void append(const QSqlDatabase &db, const QString &type, const QString &aggregateId, const QJsonObject &payload, qint64 nowMs);

// The events one change causes to one aggregate (an order's confirmation: its payment and
// the order confirmed), inserted in one statement and in this order, which is the order
// they are delivered in (up to four rows a statement). Throws DatabaseError.
struct Event
{
    QString type;
    QJsonObject payload;
};
void append(const QSqlDatabase &db, const QString &aggregateId, const std::vector<Event> &events, qint64 nowMs);

// The payloads of PurchaseAttempted and InventoryReserved for one reservation, written
// as bytes (the same bytes QJsonDocument would write; unit_tst_jsonwriter).
QByteArray purchaseAttemptedPayload(const ReservationRecord &r, qint64 productId);
QByteArray inventoryReservedPayload(const ReservationRecord &r, qint64 productId);

// PurchaseAttempted and InventoryReserved for every reservation of one group commit
// (a ReservationJournal commit hook).
void appendReservations(const QSqlDatabase &db, const std::vector<ReservationRecord> &records,
                        const std::function<qint64(qint64 saleId)> &productOfSale, qint64 nowMs);

} // namespace Outbox
