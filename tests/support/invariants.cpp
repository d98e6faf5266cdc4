#include "invariants.h"

#include "storage/database.h"
#include "storage/databaseurl.h"

#include <QSqlError>
#include <QSqlQuery>

QString readDatabase(const QString &databaseUrl, const std::function<void(const QSqlDatabase &db)> &read)
{
    QString name;
    QString error;
    {
        Database database(DatabaseUrl::parse(databaseUrl));
        QSqlDatabase db = database.connection();
        name = db.connectionName();
        if (!db.isOpen()) {
            error = QStringLiteral("cannot open %1: %2").arg(databaseUrl, db.lastError().text());
        } else {
            try {
                read(db);
            } catch (const DatabaseError &e) {
                error = e.message;
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

namespace {

void readSale(const QSqlDatabase &db, qint64 saleId, const QSet<QString> &acceptedOrderIds, SaleAudit &a)
{
    QSqlQuery item = execOrThrow(db, QStringLiteral("SELECT total_sale_quantity, available_sale_quantity, per_user_limit "
                                                    "FROM flash_sale_items WHERE sale_id = ?"), {saleId});
    if (!item.next()) {
        a.violations << QStringLiteral("sale %1 not in the database").arg(saleId);
        return;
    }
    a.allocated = item.value(0).toLongLong();
    a.available = item.value(1).toLongLong();
    a.perUserLimit = item.value(2).toInt();
    QSqlQuery held = execOrThrow(db, QStringLiteral("SELECT COALESCE(SUM(quantity), 0), COUNT(*) FROM reservations "
                                                    "WHERE sale_id = ? AND units_released = 0"), {saleId});
    held.next();
    a.reserved = held.value(0).toLongLong();
    QSqlQuery rows = execOrThrow(db, QStringLiteral("SELECT COUNT(*) FROM reservations WHERE sale_id = ?"), {saleId});
    rows.next();
    a.reservations = rows.value(0).toLongLong();
    QSqlQuery perUser = execOrThrow(db, QStringLiteral("SELECT user_id, SUM(quantity) FROM reservations "
                                                       "WHERE sale_id = ? AND units_released = 0 GROUP BY user_id"), {saleId});
    while (perUser.next()) {
        const int units = perUser.value(1).toInt();
        a.maxHeldByOneUser = qMax(a.maxHeldByOneUser, units);
        if (units > a.perUserLimit)
            a.violations << QStringLiteral("user %1 holds %2 > limit %3").arg(perUser.value(0).toLongLong()).arg(units).arg(a.perUserLimit);
    }
    if (a.reserved > a.allocated)
        a.violations << QStringLiteral("oversold: %1 reserved of %2").arg(a.reserved).arg(a.allocated);
    if (a.available + a.reserved != a.allocated)
        a.violations << QStringLiteral("available %1 + reserved %2 != allocated %3").arg(a.available).arg(a.reserved).arg(a.allocated);
    if (a.available < 0)
        a.violations << QStringLiteral("negative stock %1").arg(a.available);
    if (!acceptedOrderIds.isEmpty()) {
        QSet<QString> journaled;
        QSqlQuery ids = execOrThrow(db, QStringLiteral("SELECT reservation_id FROM reservations WHERE sale_id = ?"), {saleId});
        while (ids.next())
            journaled.insert(ids.value(0).toString());
        for (const QString &id : acceptedOrderIds) {
            if (!journaled.contains(id))
                a.violations << QStringLiteral("accepted order %1 missing from the journal").arg(id);
        }
    }
}

} // namespace

SaleAudit auditSale(const QString &databaseUrl, qint64 saleId, const QSet<QString> &acceptedOrderIds)
{
    SaleAudit a;
    const QString error = readDatabase(databaseUrl, [&](const QSqlDatabase &db) { readSale(db, saleId, acceptedOrderIds, a); });
    if (!error.isEmpty())
        a.violations << error;
    return a;
}
