#include "outboxdispatcher.h"

#include "core/timeutil.h"
#include "storage/batchinsert.h"
#include "storage/cachedquery.h"
#include "storage/database.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QJsonDocument>
#include <QSet>

namespace {
constexpr int batchSize = 100; // short write transactions: the purchase journal waits behind each one
// Every saga commit wakes the dispatcher. Woken at once, it ran a pass (a read, a write
// transaction and its fsync) for every one to four events while orders drained: 730 us
// of CPU per order. Passes now start at most every gatherMs, so events gather into fuller
// batches; a full batch still goes on at once.
constexpr int gatherMs = 20;
}

const QString OutboxDispatcher::handledSql = QStringLiteral("SELECT event_id FROM handled_events WHERE handler = ? AND event_id >= ? AND event_id <= ?");

OutboxDispatcher::OutboxDispatcher(const Database &database, Metrics &metrics, int pollMs)
    : m_db(database)
    , m_thread("fs-outbox", qMax(10, pollMs), [this] { deliverPending(); })
{
    m_delivered = metrics.counter(QStringLiteral("flashsale_outbox_delivered_total"), QStringLiteral("Outbox events delivered to every handler."));
    m_failures = metrics.counter(QStringLiteral("flashsale_outbox_handler_failures_total"), QStringLiteral("Handler calls that failed (the event is offered again)."));
    m_thread.setWakeGap(gatherMs);
}

OutboxDispatcher::~OutboxDispatcher()
{
    stop();
}

void OutboxDispatcher::addHandler(const QString &name, Handler handler)
{
    m_handlers.emplace_back(name, std::move(handler));
}

void OutboxDispatcher::deliverPending()
{
    try {
        // A full batch means more may be waiting: go on, unless the server is stopping.
        int delivered = 0;
        do {
            delivered = deliverBatch();
        } while (delivered == batchSize && !m_thread.stopRequested());
    } catch (const DatabaseError &e) {
        Log::error(QStringLiteral("outbox.dispatch.failed"), {{QStringLiteral("error"), e.message}});
    }
}

std::vector<OutboxDispatcher::Event> OutboxDispatcher::read(const QSqlDatabase &db, qint64 afterId, bool undeliveredOnly, int limit)
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT event_id, event_type, aggregate_id, payload, created_at FROM outbox "
                                                 "WHERE event_id > ? %1 ORDER BY event_id LIMIT %2")
                                      .arg(undeliveredOnly ? QStringLiteral("AND delivered_at IS NULL") : QString())
                                      .arg(limit),
                              {afterId});
    std::vector<Event> events;
    while (q.next()) {
        events.push_back({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
                          QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object(), q.value(4).toLongLong()});
    }
    return events;
}

void OutboxDispatcher::markDelivered(const QSqlDatabase &db, const std::vector<qint64> &eventIds, qint64 nowMs)
{
    // One statement per run of ids without a gap (a pass usually has one or two): every id
    // inside such a range is an event this pass delivered, so no other event, one that
    // committed since the read or one that failed, can be marked by it.
    size_t first = 0;
    while (first < eventIds.size()) {
        size_t last = first;
        while (last + 1 < eventIds.size() && eventIds[last + 1] == eventIds[last] + 1)
            ++last;
        execCached(db, QStringLiteral("UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE event_id >= ? AND event_id <= ?"),
                   {nowMs, eventIds[first], eventIds[last]});
        first = last + 1;
    }
}

int OutboxDispatcher::deliverBatch()
{
    QSqlDatabase db = m_db.connection();
    const std::vector<Event> events = read(db, 0, true, batchSize);
    if (events.empty())
        return 0;
    QSet<QString> handled; // "handler:eventId" taken on an earlier pass
    for (const auto &[name, handler] : m_handlers) {
        CachedQuery q = execCached(db, handledSql, {name, events.front().id, events.back().id});
        while (q->next())
            handled.insert(name + QLatin1Char(':') + q->value(0).toString());
    }
    struct Outcome { qint64 eventId; QStringList newlyHandled; QString error; };
    std::vector<Outcome> outcomes;
    outcomes.reserve(events.size());
    for (const Event &e : events) {
        Outcome o{e.id, {}, {}};
        for (const auto &[name, handler] : m_handlers) {
            if (handled.contains(name + QLatin1Char(':') + QString::number(e.id)))
                continue;
            try {
                handler(e);
                o.newlyHandled.append(name);
            } catch (const std::exception &ex) {
                o.error = name + QStringLiteral(": ") + QString::fromUtf8(ex.what());
            } catch (const DatabaseError &ex) {
                o.error = name + QStringLiteral(": ") + ex.message;
            }
        }
        outcomes.push_back(std::move(o));
    }
    const qint64 now = nowMs();
    inTransaction(db, [&] {
        // A statement per chunk of rows, not per event: on PostgreSQL each is a round trip.
        BatchInsert handledRows(db, QStringLiteral("handled_events"),
                                {QStringLiteral("handler"), QStringLiteral("event_id"), QStringLiteral("handled_at")});
        std::vector<qint64> delivered;
        delivered.reserve(outcomes.size());
        for (const Outcome &o : outcomes) {
            for (const QString &name : o.newlyHandled)
                handledRows.add({name, o.eventId, now});
            if (o.error.isEmpty())
                delivered.push_back(o.eventId);
            else
                execCached(db, QStringLiteral("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE event_id = ?"), {o.error, o.eventId});
        }
        handledRows.flush();
        markDelivered(db, delivered, now);
    });
    int failed = 0;
    for (const Outcome &o : outcomes) {
        if (!o.error.isEmpty()) {
            ++failed;
            Log::warning(QStringLiteral("outbox.handler.failed"), {{QStringLiteral("eventId"), o.eventId}, {QStringLiteral("error"), o.error}});
        }
    }
    m_failures->fetch_add(failed, std::memory_order_relaxed);
    m_delivered->fetch_add(qint64(outcomes.size()) - failed, std::memory_order_relaxed);
    // A batch with failures is not re-read at once (it would spin); the next poll retries.
    return failed ? 0 : int(events.size());
}
