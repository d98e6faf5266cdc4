#pragma once

#include "core/periodicthread.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <atomic>
#include <functional>
#include <vector>

class Database;
class Metrics;

// Delivers outbox events to in-process handlers, at least once, in event order, on a
// thread of its own. It wakes every `pollMs` and whenever wake() is called (after a
// commit that wrote events). A handler that throws leaves its event undelivered (the
// error and attempt are recorded) and it is offered again on the next pass.
//
// Idempotency: for every (handler, event) handled, a row in handled_events; an event
// offered again skips the handlers that already took it. The handled rows and the
// delivered mark of a batch are written in one transaction after the handlers ran, so
// a crash in between offers the batch again: handlers must tolerate a repeat (they
// get the event id to deduplicate on).
class OutboxDispatcher
{
public:
    struct Event
    {
        qint64 id = 0;
        QString type;
        QString aggregateId;
        QJsonObject payload;
        qint64 createdAtMs = 0;
    };
    using Handler = std::function<void(const Event &event)>;
    // Events in id order whose id is above `afterId`, at most `limit`; `undeliveredOnly`
    // for those not yet delivered to every handler. Throws DatabaseError.
    static std::vector<Event> read(const QSqlDatabase &db, qint64 afterId, bool undeliveredOnly, int limit);
    // What each pass asks of handled_events, once per handler: the events from `first` to
    // `last` that this handler already took. It names the handler, so it reads the range of
    // the PRIMARY KEY (handler, event_id) instead of the whole table, which grows with every
    // event ever delivered (tests/unit/tst_storage reads its plan on both databases).
    static const QString handledSql;

    OutboxDispatcher(const Database &database, Metrics &metrics, int pollMs);
    ~OutboxDispatcher();

    // Before start(). `name` is the handler's key in handled_events.
    void addHandler(const QString &name, Handler handler);
    void start() { m_thread.start(); }
    void stop() { m_thread.stop(); } // delivers nothing more; returns when the thread ended
    void wake() { m_thread.wake(); }

private:
    void deliverPending();
    int deliverBatch();
    // Sets delivered_at (and counts the attempt) for these events, in ascending id order,
    // with one statement per run of consecutive ids.
    static void markDelivered(const QSqlDatabase &db, const std::vector<qint64> &eventIds, qint64 nowMs);

    const Database &m_db;
    std::vector<std::pair<QString, Handler>> m_handlers;
    std::atomic<qint64> *m_delivered = nullptr;
    std::atomic<qint64> *m_failures = nullptr;
    PeriodicThread m_thread; // last: it stops before the members it uses go
};
