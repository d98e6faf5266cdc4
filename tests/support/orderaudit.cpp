#include "orderaudit.h"

#include "invariants.h"

#include "storage/database.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QSqlQuery>
#include <QTest>

namespace {

// One row per reservation of the sale, with its order, item count, payment and open
// stock commitment.
const char *const perReservation =
    "SELECT r.reservation_id, r.status, r.quantity, r.units_released, o.status, o.refunded_at, p.status, p.payment_id, "
    "(SELECT COUNT(*) FROM order_items i WHERE i.order_id = r.reservation_id), "
    "(SELECT COUNT(*) FROM stock_commitments c WHERE c.order_id = r.reservation_id AND c.returned_at IS NULL) "
    "FROM reservations r LEFT JOIN orders o ON o.order_id = r.reservation_id "
    "LEFT JOIN payments p ON p.order_id = r.reservation_id WHERE r.sale_id = ?";

void checkFinal(OrderAudit &a, const QSqlQuery &row)
{
    const QString id = row.value(0).toString();
    const QString status = row.value(1).toString();
    const bool released = row.value(3).toInt() != 0;
    const QString orderStatus = row.value(4).toString();
    const bool refunded = !row.value(5).isNull();
    const QString payment = row.value(6).toString();
    const qint64 items = row.value(8).toLongLong();
    const qint64 commitments = row.value(9).toLongLong();
    auto violation = [&](const QString &what) { a.violations << QStringLiteral("order %1 (%2): %3").arg(id, status, what); };
    if (orderStatus.isEmpty())
        return violation(QStringLiteral("no order row"));
    if (orderStatus != status)
        violation(QStringLiteral("order status %1").arg(orderStatus));
    if (items != 1)
        violation(QStringLiteral("%1 order items").arg(items));
    if (status == QLatin1String("Confirmed")) {
        if (payment != QLatin1String("Approved") && !(refunded && payment == QLatin1String("Refunded")))
            violation(QStringLiteral("payment %1").arg(payment.isEmpty() ? QStringLiteral("missing") : payment));
        if (row.value(7).toString().isEmpty())
            violation(QStringLiteral("no payment id"));
        if (!refunded && (released || commitments != 1))
            violation(QStringLiteral("units released %1, %2 open commitments").arg(released).arg(commitments));
        if (refunded && commitments != 0)
            violation(QStringLiteral("refunded, but its units were not returned (%1 open commitments)").arg(commitments));
        return;
    }
    if (!released)
        violation(QStringLiteral("units not given back"));
    if (commitments != 0)
        violation(QStringLiteral("%1 sold-unit commitments").arg(commitments));
    static const QStringList unsettled = {QStringLiteral("Charging"), QStringLiteral("Uncertain"), QStringLiteral("Approved")};
    if (unsettled.contains(payment))
        ++a.unsettledPayments;
}

void readOrders(const QSqlDatabase &db, qint64 saleId, OrderAudit &a)
{
    QSqlQuery rows = execOrThrow(db, QString::fromLatin1(perReservation), {saleId});
    while (rows.next()) {
        ++a.reservations;
        const QString status = rows.value(1).toString();
        a.statusByOrder.insert(rows.value(0).toString(), status);
        if (status == QLatin1String("Pending")) {
            ++a.pending;
            a.pendingUnits += rows.value(2).toLongLong();
            continue;
        }
        if (status == QLatin1String("Confirmed")) {
            ++a.confirmed;
            a.confirmedUnits += rows.value(2).toLongLong();
        } else if (status == QLatin1String("Failed")) {
            ++a.failed;
        } else if (status == QLatin1String("Expired")) {
            ++a.expired;
        }
        checkFinal(a, rows);
    }
    QSqlQuery orders = execOrThrow(db, QStringLiteral("SELECT COUNT(*), COUNT(r.reservation_id) FROM orders o "
                                                      "LEFT JOIN reservations r ON r.reservation_id = o.order_id WHERE o.sale_id = ?"), {saleId});
    orders.next();
    a.orders = orders.value(0).toLongLong();
    if (orders.value(1).toLongLong() != a.orders)
        a.violations << QStringLiteral("%1 orders without a reservation").arg(a.orders - orders.value(1).toLongLong());
    QSqlQuery sharedPayments = execOrThrow(db, QStringLiteral("SELECT p.payment_id, COUNT(*) FROM payments p JOIN orders o ON o.order_id = p.order_id "
                                                              "WHERE o.sale_id = ? AND p.payment_id IS NOT NULL AND p.payment_id <> '' "
                                                              "GROUP BY p.payment_id HAVING COUNT(*) > 1"), {saleId});
    while (sharedPayments.next())
        a.violations << QStringLiteral("payment %1 recorded for %2 orders").arg(sharedPayments.value(0).toString()).arg(sharedPayments.value(1).toLongLong());
}

} // namespace

OrderAudit auditOrders(const QString &databaseUrl, qint64 saleId, const QSet<QString> &acceptedOrderIds)
{
    OrderAudit a;
    const QString error = readDatabase(databaseUrl, [&](const QSqlDatabase &db) { readOrders(db, saleId, a); });
    if (!error.isEmpty()) {
        a.violations << error;
        return a;
    }
    if (!acceptedOrderIds.isEmpty()) {
        for (const QString &id : acceptedOrderIds) {
            if (!a.statusByOrder.contains(id))
                a.violations << QStringLiteral("accepted order %1 is not in the database").arg(id);
        }
        if (a.reservations != acceptedOrderIds.size())
            a.violations << QStringLiteral("%1 reservations for %2 accepted orders").arg(a.reservations).arg(acceptedOrderIds.size());
    }
    return a;
}

QString OrderAudit::describe() const
{
    const QString counts = QStringLiteral("%1 reservations, %2 orders: %3 confirmed, %4 failed, %5 expired, %6 pending, %7 unsettled charges")
        .arg(reservations).arg(orders).arg(confirmed).arg(failed).arg(expired).arg(pending).arg(unsettledPayments);
    return violations.isEmpty() ? counts : counts + QLatin1Char('\n') + violations.mid(0, 20).join(QLatin1Char('\n'));
}

OrderAudit waitUntilFinal(const QString &databaseUrl, qint64 saleId, const QSet<QString> &acceptedOrderIds, int timeoutMs, qint64 *tookMs)
{
    QElapsedTimer clock;
    clock.start();
    QDeadlineTimer deadline(timeoutMs);
    OrderAudit audit = auditOrders(databaseUrl, saleId, acceptedOrderIds);
    // An audit reads every order of the sale: on a big sale, auditing often would slow
    // down the server it watches. The pause grows from 100 ms to a second.
    int pauseMs = 100;
    while (!audit.allFinal() && !deadline.hasExpired()) {
        QTest::qWait(pauseMs);
        pauseMs = qMin(1000, pauseMs * 3 / 2);
        audit = auditOrders(databaseUrl, saleId, acceptedOrderIds);
    }
    if (tookMs)
        *tookMs = clock.elapsed();
    return audit;
}
