#include "reservationjournal.h"

#include "storage/database.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSqlQuery>

ReservationJournal::ReservationJournal(const Database &database, Metrics &metrics, int maxBatch)
    : m_db(database)
    , m_maxBatch(qMax(1, maxBatch))
{
    m_commitCounter = metrics.counter(QStringLiteral("flashsale_journal_commits_total"),
                                      QStringLiteral("Group commits of the reservation journal."));
    m_failedCounter = metrics.counter(QStringLiteral("flashsale_journal_commit_failures_total"),
                                      QStringLiteral("Journal commits that failed; their purchases were undone and answered 503."));
    metrics.gauge(QStringLiteral("flashsale_journal_last_batch_size"), QStringLiteral("Reservations in the latest group commit."),
                  [this] { return double(m_lastBatch.load()); });
    m_commitLatency = &metrics.route(QStringLiteral("journal commit"))->latency;
}

ReservationJournal::~ReservationJournal()
{
    stop();
}

void ReservationJournal::start()
{
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable())
        return;
    m_stopping = false;
    m_thread = std::thread([this] { run(); });
}

void ReservationJournal::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable())
            return;
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void ReservationJournal::append(ReservationRecord record, Done done)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(Entry{false, std::move(record), std::move(done)});
    }
    m_appended.fetch_add(1, std::memory_order_relaxed);
    m_wake.notify_one();
}

void ReservationJournal::barrier(Done done)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(Entry{true, {}, std::move(done)});
    }
    m_wake.notify_one();
}

void ReservationJournal::run()
{
    for (;;) {
        std::vector<Entry> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty() && m_stopping)
                break;
            const size_t n = std::min(m_queue.size(), size_t(m_maxBatch));
            batch.reserve(n);
            for (size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        QString error;
        QElapsedTimer timer;
        timer.start();
        std::vector<ReservationRecord> records;
        const bool durable = commit(batch, &records, &error);
        m_commitLatency->observe(double(timer.nsecsElapsed()) / 1e9);
        if (durable) {
            m_commitCounter->fetch_add(1, std::memory_order_relaxed);
            m_commits.fetch_add(1, std::memory_order_relaxed);
        } else {
            m_failedCounter->fetch_add(1, std::memory_order_relaxed);
            Log::error(QStringLiteral("journal.commit.failed"), {{QStringLiteral("error"), error},
                                                                 {QStringLiteral("batch"), int(batch.size())}});
        }
        m_lastBatch.store(qint64(batch.size()), std::memory_order_relaxed);
        for (Entry &e : batch)
            e.done(durable);
        if (durable && !records.empty()) {
            for (const CommittedListener &listener : m_listeners)
                listener(records);
        }
    }
}

bool ReservationJournal::commit(const std::vector<Entry> &batch, std::vector<ReservationRecord> *records, QString *error)
{
    QHash<qint64, qint64> unitsBySale;
    for (const Entry &e : batch) {
        if (!e.isBarrier) {
            unitsBySale[e.record.saleId] += e.record.quantity;
            records->push_back(e.record);
        }
    }
    if (unitsBySale.isEmpty())
        return true; // only barriers: everything before them is already committed
    try {
        QSqlDatabase db = m_db.connection();
        inTransaction(db, [&] {
            QSqlQuery insert(db);
            insert.prepare(QStringLiteral("INSERT INTO reservations(reservation_id, sale_id, user_id, quantity, idempotency_key, "
                                          "status, units_released, created_at, expires_at, updated_at) "
                                          "VALUES (?, ?, ?, ?, ?, 'Pending', 0, ?, ?, ?)"));
            for (const Entry &e : batch) {
                if (e.isBarrier)
                    continue;
                const ReservationRecord &r = e.record;
                insert.addBindValue(r.orderId);
                insert.addBindValue(r.saleId);
                insert.addBindValue(r.userId);
                insert.addBindValue(r.quantity);
                insert.addBindValue(QString::fromLatin1(r.idempotencyKey));
                insert.addBindValue(r.createdAtMs);
                insert.addBindValue(r.expiresAtMs);
                insert.addBindValue(r.createdAtMs);
                if (!insert.exec())
                    throw DatabaseError{QStringLiteral("journal insert failed: ") + insert.lastError().text()};
            }
            // The seed's available_sale_quantity moves with the journal, in the same commit.
            for (auto it = unitsBySale.cbegin(); it != unitsBySale.cend(); ++it) {
                execOrThrow(db, QStringLiteral("UPDATE flash_sale_items SET available_sale_quantity = available_sale_quantity - ? "
                                               "WHERE sale_id = ?"), {it.value(), it.key()});
            }
            for (const CommitHook &hook : m_hooks)
                hook(db, *records);
        });
    } catch (const DatabaseError &e) {
        *error = e.message;
        return false;
    }
    return true;
}
