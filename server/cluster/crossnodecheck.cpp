#include "crossnodecheck.h"

#include "leasestore.h"
#include "sales/saleregistry.h"
#include "storage/database.h"

#include <QHash>
#include <QMap>
#include <QSet>

#include <algorithm>

namespace {

QString placeholders(qsizetype count, const QString &one)
{
    QStringList list;
    list.reserve(count);
    for (qsizetype i = 0; i < count; ++i)
        list.append(one);
    return list.join(QLatin1Char(','));
}

void refuse(ReservationRecord &record, CrossNodeVerdict::Kind kind, const QString &orderId = {}, int quantity = 0)
{
    if (!record.verdict)
        return;
    record.verdict->kind = kind;
    record.verdict->orderId = orderId;
    record.verdict->quantity = quantity;
}

bool refused(const ReservationRecord &record)
{
    return record.verdict && record.verdict->kind != CrossNodeVerdict::Kind::Accepted;
}

} // namespace

CrossNodeCheck::CrossNodeCheck(const SaleRegistry &registry, QString nodeId)
    : m_registry(registry)
    , m_nodeId(std::move(nodeId))
{
}

void CrossNodeCheck::operator()(const QSqlDatabase &db, std::vector<ReservationRecord> &records) const
{
    QMap<qint64, std::vector<ReservationRecord *>> bySale; // ordered: every node locks sales in the same order
    for (ReservationRecord &r : records)
        bySale[r.saleId].push_back(&r);
    for (auto it = bySale.begin(); it != bySale.end(); ++it)
        screenSale(db, it.key(), it.value());
    records.erase(std::remove_if(records.begin(), records.end(), refused), records.end());
}

void CrossNodeCheck::screenSale(const QSqlDatabase &db, qint64 saleId, std::vector<ReservationRecord *> &records) const
{
    const auto sale = m_registry.find(saleId);
    const int limit = sale ? sale->terms().perUserLimit : 1;

    // 1. The shopper's units across nodes, in user order so that two nodes' batches lock
    //    the same rows in the same order and cannot deadlock.
    QMap<qint64, int> unitsByUser;
    for (const ReservationRecord *r : records)
        unitsByUser[r->userId] += r->quantity;
    QVariantList bind;
    for (auto it = unitsByUser.cbegin(); it != unitsByUser.cend(); ++it)
        bind << saleId << it.key() << it.value();
    QSqlQuery granted = execOrThrow(db, QStringLiteral("INSERT INTO sale_user_units(sale_id, user_id, units) VALUES ")
                                            + placeholders(unitsByUser.size(), QStringLiteral("(?, ?, ?)"))
                                            + QStringLiteral(" ON CONFLICT (sale_id, user_id) DO UPDATE SET units = sale_user_units.units + EXCLUDED.units "
                                                             "WHERE sale_user_units.units + EXCLUDED.units <= ") + QString::number(limit)
                                            + QStringLiteral(" RETURNING user_id"), bind);
    QSet<qint64> withinLimit;
    while (granted.next())
        withinLimit.insert(granted.value(0).toLongLong());

    // 2. Keys another node already used (its commit finished before our row lock).
    QVariantList users;
    for (auto it = unitsByUser.cbegin(); it != unitsByUser.cend(); ++it)
        users << it.key();
    QSqlQuery known = execOrThrow(db, QStringLiteral("SELECT user_id, idempotency_key, reservation_id, quantity FROM reservations "
                                                     "WHERE sale_id = ? AND user_id IN (") + placeholders(users.size(), QStringLiteral("?"))
                                          + QLatin1Char(')'), QVariantList{saleId} + users);
    QHash<QByteArray, std::pair<QString, int>> firstOrder; // "user:key" -> (order, quantity)
    while (known.next())
        firstOrder.insert(known.value(0).toByteArray() + ':' + known.value(1).toByteArray(), {known.value(2).toString(), known.value(3).toInt()});

    qint64 accepted = 0;
    QMap<qint64, int> undo; // units counted in step 1 for records that turned out to be replays
    for (ReservationRecord *r : records) {
        const auto first = firstOrder.constFind(QByteArray::number(r->userId) + ':' + r->idempotencyKey);
        if (first != firstOrder.constEnd()) {
            refuse(*r, CrossNodeVerdict::Kind::Replayed, first->first, first->second);
            if (withinLimit.contains(r->userId))
                undo[r->userId] += r->quantity;
        } else if (!withinLimit.contains(r->userId)) {
            refuse(*r, CrossNodeVerdict::Kind::LimitReached);
        } else {
            accepted += r->quantity;
        }
    }
    for (auto it = undo.cbegin(); it != undo.cend(); ++it)
        execOrThrow(db, QStringLiteral("UPDATE sale_user_units SET units = units - ? WHERE sale_id = ? AND user_id = ?"),
                    {it.value(), saleId, it.key()});
    // 3. The node's lease covers what it sold, or nothing of this batch is kept.
    if (accepted > 0)
        LeaseStore::reserve(db, saleId, m_nodeId, accepted);
}
