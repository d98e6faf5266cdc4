#include "clusterqueuesync.h"

#include "core/timeutil.h"
#include "storage/database.h"
#include "telemetry/logger.h"
#include "ticketjournal.h"

#include <QMap>
#include <QSqlQuery>

namespace {

// A sale's waiting_room_state row as another node may have left it.
struct StateRow
{
    bool found = false;
    double rate = 0;
    bool paused = false;
    int required = -1;
    bool shuffled = false;
    bool hasSeed = false;
    quint64 seed = 0;
    qint64 shuffledCount = 0;
    qint64 admitted[laneCount] = {0, 0};
    qint64 updatedAtMs = 0;
};

StateRow readState(const QSqlDatabase &db, qint64 saleId, bool lock)
{
    QString sql = QStringLiteral("SELECT admission_rate, paused, required, pre_queue_order, shuffle_seed, shuffled_count, "
                                 "normal_admitted, low_admitted, updated_at FROM waiting_room_state WHERE sale_id = ?");
    if (lock)
        sql += QStringLiteral(" FOR UPDATE");
    QSqlQuery q = execOrThrow(db, sql, {saleId});
    StateRow s;
    if (!q.next())
        return s;
    s.found = true;
    s.rate = q.value(0).toDouble();
    s.paused = q.value(1).toInt() != 0;
    s.required = q.value(2).isNull() ? -1 : q.value(2).toInt();
    s.shuffled = q.value(3).toString() == QLatin1String("shuffled");
    s.hasSeed = !q.value(4).isNull();
    s.seed = quint64(q.value(4).toLongLong());
    s.shuffledCount = q.value(5).toLongLong();
    s.admitted[0] = q.value(6).toLongLong();
    s.admitted[1] = q.value(7).toLongLong();
    s.updatedAtMs = q.value(8).toLongLong();
    return s;
}

// Tickets are committed in number order (the state row lock), so what is committed is
// always 1..N: publish the ones after those in memory, and tell any shopper waiting on
// this node for a join that another node answered.
void publishNewTickets(const QSqlDatabase &db, SaleQueue &queue)
{
    QSqlQuery t = execOrThrow(db, QStringLiteral("SELECT ticket, user_id, lane, joined_at FROM waiting_room_tickets "
                                                 "WHERE sale_id = ? AND ticket > ? ORDER BY ticket"),
                              {queue.saleId(), queue.issued()});
    while (t.next()) {
        const qint64 number = t.value(0).toLongLong();
        if (number != queue.issued() + 1) {
            Log::error(QStringLiteral("waitingRoom.cluster.ticketGap"),
                       {{QStringLiteral("saleId"), queue.saleId()}, {QStringLiteral("expected"), queue.issued() + 1},
                        {QStringLiteral("found"), number}});
            return;
        }
        const qint64 userId = t.value(1).toLongLong();
        if (!queue.publishTicket(number, userId, t.value(2).toInt() == 1 ? Lane::Low : Lane::Normal, t.value(3).toLongLong()))
            return; // full
        queue.finishJoin(userId, number);
    }
}

void publishState(SaleQueue &queue, const StateRow &s)
{
    QueueSettings &settings = queue.settings();
    settings.admissionRatePerSecond.store(s.rate);
    settings.paused.store(s.paused);
    settings.required.store(s.required);
    settings.shuffledPreQueue.store(s.shuffled);
    if (s.hasSeed && !queue.shuffleApplied()) {
        if (queue.issued() < s.shuffledCount)
            return; // cannot happen (the tickets were read after the state); admit nothing out of order
        queue.applyShuffle(s.seed, s.shuffledCount);
    }
    for (int l = 0; l < laneCount; ++l) {
        const Lane lane = Lane(l);
        const qint64 count = std::min(s.admitted[l], queue.laneLength(lane));
        if (count > queue.laneAdmitted(lane))
            queue.publishAdmission(lane, count, s.updatedAtMs);
    }
}

// The batch's writes, as they stand against the database just read.
void adjust(QueueWrite &w)
{
    SaleQueue &q = *w.queue;
    switch (w.kind) {
    case QueueWrite::Kind::Join:
        if (q.ticketOf(w.userId) != 0)
            w.kind = QueueWrite::Kind::Sync; // joined on another node meanwhile: answered with that ticket
        break;
    case QueueWrite::Kind::Shuffle:
        if (q.shuffleApplied())
            w.kind = QueueWrite::Kind::Sync; // another node shuffled: never a second seed
        break;
    case QueueWrite::Kind::Admission: {
        qint64 left = w.admitWanted;
        for (int l = 0; l < laneCount; ++l) { // the normal lane first, as AdmissionController
            const Lane lane = Lane(l);
            const qint64 from = q.laneAdmitted(lane);
            const qint64 take = std::min(left, q.laneLength(lane) - from);
            w.admittedUpTo[l] = from + take;
            left -= take;
        }
        break;
    }
    case QueueWrite::Kind::Settings:
    case QueueWrite::Kind::Sync:
    case QueueWrite::Kind::Close:
        break;
    }
}

} // namespace

void ClusterQueueSync::prepare(const QSqlDatabase &db, std::vector<QueueWrite> &writes)
{
    struct Touched
    {
        SaleQueue *queue = nullptr;
        bool writes = false;
    };
    QMap<qint64, Touched> sales; // by sale id: every node takes the row locks in one order
    for (const QueueWrite &w : writes) {
        if (w.queue->closed() || w.kind == QueueWrite::Kind::Close)
            continue; // over for good: nothing to read or lock
        Touched &t = sales[w.queue->saleId()];
        t.queue = w.queue;
        t.writes = t.writes || w.kind != QueueWrite::Kind::Sync;
    }
    const qint64 now = nowMs();
    for (auto it = sales.cbegin(); it != sales.cend(); ++it) {
        SaleQueue &queue = *it->queue;
        if (it->writes)
            TicketJournal::ensureStateRow(db, queue, now);
        // The state before the tickets: every admitted ticket it counts is then read too.
        const StateRow state = readState(db, it.key(), it->writes);
        publishNewTickets(db, queue);
        if (state.found)
            publishState(queue, state);
    }
    for (QueueWrite &w : writes)
        adjust(w);
}
