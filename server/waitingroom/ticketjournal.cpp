#include "ticketjournal.h"

#include "audit/auditlog.h"
#include "clusterqueuesync.h"

#include "core/timeutil.h"
#include "storage/database.h"
#include "telemetry/logger.h"

#include <QHash>
#include <QSqlQuery>

TicketJournal::TicketJournal(const Database &database, int maxBatch, bool clustered)
    : m_writer("fs-tickets", database, maxBatch,
               [clustered](const QSqlDatabase &db, std::vector<QueueWrite> &writes) { write(db, writes, clustered); })
{
    m_writer.setCommitCheck(&TicketJournal::committed);
    m_writer.setOnBatch([](const GroupCommitWriter<QueueWrite>::BatchResult &batch, std::vector<QueueWrite> &writes) {
        if (batch.durable) {
            apply(writes);
        } else {
            for (const QueueWrite &w : writes) {
                if (w.kind == QueueWrite::Kind::Join)
                    w.queue->finishJoin(w.userId, 0); // the numbers are given again to later joins
            }
            Log::error(QStringLiteral("waitingRoom.commit.failed"), {{QStringLiteral("error"), batch.error},
                                                                     {QStringLiteral("batch"), int(batch.entries)}});
        }
    });
}

TicketJournal::~TicketJournal()
{
    stop();
}

void TicketJournal::ensureStateRow(const QSqlDatabase &db, const SaleQueue &queue, qint64 nowMs)
{
    const QueueSettings &s = queue.settings();
    execOrThrow(db, QStringLiteral("INSERT INTO waiting_room_state(sale_id, admission_rate, paused, required, pre_queue_order, updated_at) "
                                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sale_id) DO NOTHING"),
                {queue.saleId(), s.admissionRatePerSecond.load(), int(s.paused.load()),
                 s.required.load() < 0 ? QVariant() : QVariant(s.required.load()),
                 s.shuffledPreQueue.load() ? QStringLiteral("shuffled") : QStringLiteral("arrival"), nowMs});
}

void TicketJournal::write(const QSqlDatabase &db, std::vector<QueueWrite> &writes, bool clustered)
{
    if (clustered)
        ClusterQueueSync::prepare(db, writes);
    QHash<SaleQueue *, qint64> next; // the next ticket number of each sale in this batch
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO waiting_room_tickets(sale_id, ticket, user_id, lane, client_address, joined_at) "
                                  "VALUES (?, ?, ?, ?, ?, ?)"));
    for (QueueWrite &w : writes) {
        if (w.kind == QueueWrite::Kind::Sync || w.kind == QueueWrite::Kind::Close)
            continue; // a read, done by ClusterQueueSync; a close writes nothing
        if (w.queue->closed() && w.kind != QueueWrite::Kind::Settings) {
            w.ticket = 0; // a join that passed the end check long ago: refused, nothing written
            continue;
        }
        if (!next.contains(w.queue)) {
            next.insert(w.queue, w.queue->issued() + 1);
            ensureStateRow(db, *w.queue, w.atMs);
        }
        const qint64 saleId = w.queue->saleId();
        switch (w.kind) {
        case QueueWrite::Kind::Join:
            w.ticket = next[w.queue]++;
            w.atMs = nowMs();
            insert.addBindValue(saleId);
            insert.addBindValue(w.ticket);
            insert.addBindValue(w.userId);
            insert.addBindValue(int(w.lane));
            insert.addBindValue(w.clientAddress);
            insert.addBindValue(w.atMs);
            if (!insert.exec())
                throw DatabaseError{QStringLiteral("ticket insert failed: ") + insert.lastError().text()};
            break;
        case QueueWrite::Kind::Admission: {
            if (w.admittedUsers)
                w.admittedUsers->clear(); // a batch that failed may be written again in parts
            QSqlQuery mark(db);
            mark.prepare(QStringLiteral("UPDATE waiting_room_tickets SET admitted_at = ? WHERE sale_id = ? AND ticket = ?"));
            for (int l = 0; l < laneCount; ++l) {
                const Lane lane = Lane(l);
                for (qint64 i = w.queue->laneAdmitted(lane); i < w.admittedUpTo[l]; ++i) {
                    const qint64 number = w.queue->ticketAt(lane, i);
                    const TicketEntry *e = w.queue->ticket(number);
                    if (w.admittedUsers && e)
                        w.admittedUsers->push_back(e->userId);
                    mark.addBindValue(w.atMs);
                    mark.addBindValue(saleId);
                    mark.addBindValue(number);
                    if (!mark.exec())
                        throw DatabaseError{QStringLiteral("admission update failed: ") + mark.lastError().text()};
                }
            }
            execOrThrow(db, QStringLiteral("UPDATE waiting_room_state SET normal_admitted = ?, low_admitted = ?, updated_at = ? "
                                           "WHERE sale_id = ?"),
                        {w.admittedUpTo[0], w.admittedUpTo[1], w.atMs, saleId});
            break;
        }
        case QueueWrite::Kind::Settings:
            execOrThrow(db, QStringLiteral("UPDATE waiting_room_state SET admission_rate = ?, paused = ?, required = ?, "
                                           "pre_queue_order = ?, updated_at = ? WHERE sale_id = ?"),
                        {w.admissionRatePerSecond, int(w.paused), w.required < 0 ? QVariant() : QVariant(w.required),
                         w.shuffledPreQueue ? QStringLiteral("shuffled") : QStringLiteral("arrival"), w.atMs, saleId});
            AuditLog::record(db, w.actor, QStringLiteral("queue.settings"), saleId, QStringLiteral("sale/%1/queue").arg(saleId),
                             w.auditDetails, w.atMs);
            break;
        case QueueWrite::Kind::Shuffle:
            // Joins earlier in this batch were written after the sale started: not pre-queue.
            w.shuffledCount = w.queue->issuedBefore(w.startMs);
            execOrThrow(db, QStringLiteral("UPDATE waiting_room_state SET shuffle_seed = ?, shuffled_count = ?, updated_at = ? "
                                           "WHERE sale_id = ?"),
                        {qint64(w.seed), w.shuffledCount, w.atMs, saleId});
            break;
        case QueueWrite::Kind::Sync:
        case QueueWrite::Kind::Close:
            break;
        }
    }
}

bool TicketJournal::committed(const QSqlDatabase &db, const std::vector<QueueWrite> &writes)
{
    const auto found = [&db](const QString &sql, const QVariantList &bind) { return integerOrThrow(db, sql, bind) > 0; };
    for (const QueueWrite &w : writes) {
        if (w.kind == QueueWrite::Kind::Join && w.ticket > 0)
            return found(QStringLiteral("SELECT count(*) FROM waiting_room_tickets WHERE sale_id = ? AND ticket = ? AND user_id = ?"),
                         {w.queue->saleId(), w.ticket, w.userId});
    }
    for (const QueueWrite &w : writes) {
        if (w.kind == QueueWrite::Kind::Admission || w.kind == QueueWrite::Kind::Settings || w.kind == QueueWrite::Kind::Shuffle)
            return found(QStringLiteral("SELECT count(*) FROM waiting_room_state WHERE sale_id = ? AND updated_at = ?"),
                         {w.queue->saleId(), w.atMs});
    }
    return false; // nothing was written
}

void TicketJournal::apply(std::vector<QueueWrite> &writes)
{
    for (QueueWrite &w : writes) {
        SaleQueue &q = *w.queue;
        switch (w.kind) {
        case QueueWrite::Kind::Join:
            if (w.ticket > 0)
                q.publishTicket(w.ticket, w.userId, w.lane, w.atMs);
            q.finishJoin(w.userId, w.ticket); // answers the shopper (and any repeat of the join); 0: refused
            break;
        case QueueWrite::Kind::Admission:
            for (int l = 0; l < laneCount; ++l)
                q.publishAdmission(Lane(l), w.admittedUpTo[l], w.atMs);
            break;
        case QueueWrite::Kind::Settings:
            q.settings().admissionRatePerSecond.store(w.admissionRatePerSecond);
            q.settings().paused.store(w.paused);
            q.settings().required.store(w.required);
            q.settings().shuffledPreQueue.store(w.shuffledPreQueue);
            break;
        case QueueWrite::Kind::Shuffle:
            q.applyShuffle(w.seed, w.shuffledCount);
            break;
        case QueueWrite::Kind::Sync:
            break; // published by ClusterQueueSync already
        case QueueWrite::Kind::Close:
            q.close(); // not yet if a reader is inside: the admission controller asks again
            break;
        }
    }
}

void TicketJournal::load(const Database &database, const std::function<SaleQueue *(qint64)> &create,
                         const std::function<void(SaleQueue &, qint64, qint64)> &admittedLoaded)
{
    QSqlDatabase db = database.connection();
    struct State
    {
        quint64 seed = 0;
        qint64 shuffledCount = 0;
        qint64 admitted[laneCount] = {0, 0};
    };
    QHash<qint64, State> states;
    QSqlQuery s = execOrThrow(db, QStringLiteral("SELECT sale_id, admission_rate, paused, required, pre_queue_order, shuffle_seed, "
                                                 "shuffled_count, normal_admitted, low_admitted FROM waiting_room_state"));
    while (s.next()) {
        SaleQueue *q = create(s.value(0).toLongLong());
        if (!q)
            continue;
        q->settings().admissionRatePerSecond.store(s.value(1).toDouble());
        q->settings().paused.store(s.value(2).toInt() != 0);
        q->settings().required.store(s.value(3).isNull() ? -1 : s.value(3).toInt());
        q->settings().shuffledPreQueue.store(s.value(4).toString() == QLatin1String("shuffled"));
        State st;
        st.seed = quint64(s.value(5).toLongLong());
        st.shuffledCount = s.value(5).isNull() ? -1 : s.value(6).toLongLong();
        st.admitted[0] = s.value(7).toLongLong();
        st.admitted[1] = s.value(8).toLongLong();
        states.insert(q->saleId(), st);
    }
    QHash<qint64, SaleQueue *> queues;
    QSqlQuery t = execOrThrow(db, QStringLiteral("SELECT sale_id, ticket, user_id, lane, joined_at FROM waiting_room_tickets "
                                                 "ORDER BY sale_id, ticket"));
    while (t.next()) {
        const qint64 saleId = t.value(0).toLongLong();
        SaleQueue *q = queues.value(saleId);
        if (!q) {
            q = create(saleId);
            if (!q)
                continue;
            queues.insert(saleId, q);
        }
        const qint64 userId = t.value(2).toLongLong();
        q->publishTicket(t.value(1).toLongLong(), userId, t.value(3).toInt() == 1 ? Lane::Low : Lane::Normal, t.value(4).toLongLong());
        q->finishJoin(userId, t.value(1).toLongLong());
    }
    QSqlQuery a = execOrThrow(db, QStringLiteral("SELECT sale_id, ticket, admitted_at FROM waiting_room_tickets "
                                                 "WHERE admitted_at IS NOT NULL"));
    QHash<qint64, QHash<qint64, qint64>> admittedAt; // sale -> ticket -> time
    while (a.next())
        admittedAt[a.value(0).toLongLong()].insert(a.value(1).toLongLong(), a.value(2).toLongLong());
    for (auto it = states.cbegin(); it != states.cend(); ++it) {
        SaleQueue *q = create(it.key());
        if (!q)
            continue;
        if (it->shuffledCount >= 0)
            q->applyShuffle(it->seed, it->shuffledCount);
        const auto times = admittedAt.value(it.key());
        for (int l = 0; l < laneCount; ++l) {
            const Lane lane = Lane(l);
            // Admitted in steps; each ticket keeps the time of its own step.
            for (qint64 i = 0; i < it->admitted[l]; ++i) {
                const qint64 number = q->ticketAt(lane, i);
                const qint64 at = times.value(number);
                q->publishAdmission(lane, i + 1, at);
                if (const TicketEntry *e = q->ticket(number))
                    admittedLoaded(*q, e->userId, at);
            }
        }
    }
}
