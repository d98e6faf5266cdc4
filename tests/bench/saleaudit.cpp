#include "saleaudit.h"

#include "storage/database.h"

#include <QSqlRecord>

SaleAuditor::SaleAuditor(const QString &databaseUrl)
    : m_url(databaseUrl)
    , m_database(std::make_unique<Database>(DatabaseUrl::parse(databaseUrl)))
{
}

SaleAuditor::~SaleAuditor() = default;

bool SaleAuditor::hasOrderPipeline() const
{
    const QSqlDatabase db = m_database->connection();
    return db.isOpen() && db.tables().contains(QStringLiteral("outbox"));
}

qint64 SaleAuditor::pendingOrders(qint64 saleId) const
{
    try {
        QSqlQuery q = execOrThrow(m_database->connection(),
                                  QStringLiteral("SELECT COUNT(*) FROM reservations WHERE sale_id = ? AND status = 'Pending'"), {saleId});
        return q.next() ? q.value(0).toLongLong() : -1;
    } catch (const DatabaseError &) {
        return -1;
    }
}

qint64 SaleAuditor::pendingOrdersOfAllSales() const
{
    try {
        QSqlQuery q = execOrThrow(m_database->connection(), QStringLiteral("SELECT COUNT(*) FROM reservations WHERE status = 'Pending'"));
        return q.next() ? q.value(0).toLongLong() : -1;
    } catch (const DatabaseError &) {
        return -1;
    }
}

qint64 SaleAuditor::reservationCount(qint64 saleId) const
{
    try {
        QSqlQuery q = execOrThrow(m_database->connection(), QStringLiteral("SELECT COUNT(*) FROM reservations WHERE sale_id = ?"), {saleId});
        return q.next() ? q.value(0).toLongLong() : -1;
    } catch (const DatabaseError &) {
        return -1;
    }
}

SaleAuditor::Result SaleAuditor::audit(qint64 saleId, const QSet<QString> &acceptedOrderIds, bool waitingRoom, bool requireFinalOrders) const
{
    Result r;
    r.sale = auditSale(m_url, saleId, acceptedOrderIds);
    r.violations = r.sale.violations;
    r.figures = {{QStringLiteral("allocated"), r.sale.allocated},
                 {QStringLiteral("available"), r.sale.available},
                 {QStringLiteral("reserved"), r.sale.reserved},
                 {QStringLiteral("reservations"), r.sale.reservations},
                 {QStringLiteral("maxHeldByOneShopper"), r.sale.maxHeldByOneUser},
                 {QStringLiteral("perUserLimit"), r.sale.perUserLimit},
                 {QStringLiteral("accepted202"), qint64(acceptedOrderIds.size())}};
    if (qint64(acceptedOrderIds.size()) > r.sale.reservations)
        r.violations << QStringLiteral("%1 answers 202 but %2 reservations in the journal").arg(acceptedOrderIds.size()).arg(r.sale.reservations);
    try {
        const QSqlDatabase db = m_database->connection();
        QSqlQuery byStatus = execOrThrow(db, QStringLiteral("SELECT status, COUNT(*) FROM reservations WHERE sale_id = ? GROUP BY status"), {saleId});
        QJsonObject statuses;
        while (byStatus.next())
            statuses.insert(byStatus.value(0).toString(), byStatus.value(1).toLongLong());
        r.figures.insert(QStringLiteral("reservationsByStatus"), statuses);
        if (hasOrderPipeline()) {
            const qint64 pending = pendingOrders(saleId);
            if (pending != 0 && requireFinalOrders)
                r.violations << QStringLiteral("%1 accepted purchases are not in a final state (Confirmed, Failed, Expired)").arg(pending);
        } else {
            r.notes << QStringLiteral("order pipeline not in this build: final states not checked");
        }
        if (waitingRoom)
            auditWaitingRoom(saleId, r);
    } catch (const DatabaseError &e) {
        r.violations << QStringLiteral("audit query failed: %1").arg(e.message);
    }
    return r;
}

void SaleAuditor::auditWaitingRoom(qint64 saleId, Result &r) const
{
    const QSqlDatabase db = m_database->connection();
    QSqlQuery count = execOrThrow(db, QStringLiteral("SELECT COUNT(*), COALESCE(MAX(ticket), 0), COUNT(admitted_at) FROM waiting_room_tickets "
                                                     "WHERE sale_id = ?"), {saleId});
    count.next();
    const qint64 tickets = count.value(0).toLongLong();
    const qint64 maxTicket = count.value(1).toLongLong();
    r.figures.insert(QStringLiteral("tickets"), tickets);
    r.figures.insert(QStringLiteral("admitted"), count.value(2).toLongLong());
    if (tickets != maxTicket)
        r.violations << QStringLiteral("tickets have gaps: %1 tickets, highest %2").arg(tickets).arg(maxTicket);
    for (int lane = 0; lane < 2; ++lane) {
        // Admitted tickets are a prefix of the lane, and admitted in ticket order.
        QSqlQuery rows = execOrThrow(db, QStringLiteral("SELECT ticket, admitted_at FROM waiting_room_tickets WHERE sale_id = ? AND lane = ? "
                                                        "ORDER BY ticket"), {saleId, lane});
        bool sawWaiting = false;
        qint64 firstWaiting = 0;
        qint64 lastAdmittedAt = 0;
        int reported = 0;
        for (int guard = 0; guard < 100000000 && rows.next(); ++guard) {
            const qint64 ticket = rows.value(0).toLongLong();
            if (rows.value(1).isNull()) {
                if (!sawWaiting)
                    firstWaiting = ticket;
                sawWaiting = true;
                continue;
            }
            const qint64 at = rows.value(1).toLongLong();
            if (sawWaiting && reported++ < 5)
                r.violations << QStringLiteral("lane %1: ticket %2 admitted while ticket %3 still waits").arg(lane).arg(ticket).arg(firstWaiting);
            if (at < lastAdmittedAt && reported++ < 5)
                r.violations << QStringLiteral("lane %1: ticket %2 admitted before an earlier ticket").arg(lane).arg(ticket);
            lastAdmittedAt = at;
        }
    }
    QSqlQuery strangers = execOrThrow(db, QStringLiteral("SELECT COUNT(*) FROM reservations r WHERE r.sale_id = ? AND NOT EXISTS ("
                                                         "SELECT 1 FROM waiting_room_tickets t WHERE t.sale_id = r.sale_id "
                                                         "AND t.user_id = r.user_id AND t.admitted_at IS NOT NULL)"), {saleId});
    strangers.next();
    if (strangers.value(0).toLongLong() > 0)
        r.violations << QStringLiteral("%1 reservations by shoppers never admitted").arg(strangers.value(0).toLongLong());
}
