#include "reservationjournal.h"

#include "storage/batchinsert.h"
#include "storage/database.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QHash>
#include <QSqlQuery>

ReservationJournal::ReservationJournal(const Database &database, Metrics &metrics, int maxBatch)
    : m_writer(std::make_unique<GroupCommitWriter<ReservationRecord>>(
          "fs-journal", database, maxBatch, [this](const QSqlDatabase &db, std::vector<ReservationRecord> &records) { write(db, records); }))
{
    m_commitCounter = metrics.counter(QStringLiteral("flashsale_journal_commits_total"),
                                      QStringLiteral("Group commits of the reservation journal."));
    m_failedCounter = metrics.counter(QStringLiteral("flashsale_journal_commit_failures_total"),
                                      QStringLiteral("Journal commits that failed after splitting; their purchases were undone and answered 503."));
    metrics.gauge(QStringLiteral("flashsale_journal_last_batch_size"), QStringLiteral("Reservations in the latest group commit."),
                  [this] { return double(m_lastBatch.load()); });
    metrics.gauge(QStringLiteral("flashsale_journal_commit_splits"),
                  QStringLiteral("Journal commits that failed and were written again in two halves, so a bad record fails alone."),
                  [this] { return double(m_writer->splits()); });
    metrics.gauge(QStringLiteral("flashsale_journal_commits_in_doubt"),
                  QStringLiteral("Journal commits whose connection broke during COMMIT, read back to answer by what the database holds."),
                  [this] { return double(m_writer->inDoubt()); });
    metrics.gauge(QStringLiteral("flashsale_journal_commits_unresolved"),
                  QStringLiteral("In-doubt journal commits the database did not answer in time; answered 503 and undone."),
                  [this] { return double(m_writer->unresolved()); });
    m_commitLatency = &metrics.route(QStringLiteral("journal commit"))->latency;

    // A batch is one transaction: it committed exactly when its first reservation is there.
    m_writer->setCommitCheck([](const QSqlDatabase &db, const std::vector<ReservationRecord> &records) {
        return integerOrThrow(db, QStringLiteral("SELECT count(*) FROM reservations WHERE reservation_id = ?"), {records.front().orderId}) > 0;
    });

    using Batch = GroupCommitWriter<ReservationRecord>::BatchResult;
    m_writer->setOnBatch([this](const Batch &batch, std::vector<ReservationRecord> &) {
        m_commitLatency->observe(double(batch.nanoseconds) / 1e9);
        if (batch.durable) {
            m_commitCounter->fetch_add(1, std::memory_order_relaxed);
            m_commits.fetch_add(1, std::memory_order_relaxed);
        } else {
            m_failedCounter->fetch_add(1, std::memory_order_relaxed);
            Log::error(QStringLiteral("journal.commit.failed"), {{QStringLiteral("error"), batch.error},
                                                                 {QStringLiteral("batch"), int(batch.entries)}});
        }
        m_lastBatch.store(qint64(batch.entries), std::memory_order_relaxed);
    });
    m_writer->setAfterAnswers([this](const Batch &batch, std::vector<ReservationRecord> &records) {
        if (!batch.durable || records.empty())
            return;
        for (const CommittedListener &listener : m_listeners)
            listener(records);
    });
}

ReservationJournal::~ReservationJournal()
{
    stop();
}

void ReservationJournal::start()
{
    m_writer->start();
}

void ReservationJournal::stop()
{
    m_writer->stop();
}

void ReservationJournal::append(ReservationRecord record, Done done)
{
    m_writer->append(std::move(record), std::move(done));
    m_appended.fetch_add(1, std::memory_order_relaxed);
}

void ReservationJournal::barrier(Done done)
{
    m_writer->barrier(std::move(done));
}

void ReservationJournal::write(const QSqlDatabase &db, std::vector<ReservationRecord> &records) const
{
    if (m_screen) {
        for (ReservationRecord &r : records) {
            if (r.verdict)
                *r.verdict = CrossNodeVerdict{}; // a failed batch is screened again in parts
        }
        m_screen(db, records);
        if (records.empty())
            return;
    }
    QHash<qint64, qint64> unitsBySale;
    BatchInsert insert(db, QStringLiteral("reservations"),
                       {QStringLiteral("reservation_id"), QStringLiteral("sale_id"), QStringLiteral("user_id"), QStringLiteral("quantity"),
                        QStringLiteral("idempotency_key"), QStringLiteral("status"), QStringLiteral("units_released"),
                        QStringLiteral("created_at"), QStringLiteral("expires_at"), QStringLiteral("updated_at"), QStringLiteral("node_id")});
    const QString pending = QStringLiteral("Pending");
    for (const ReservationRecord &r : records) {
        unitsBySale[r.saleId] += r.quantity;
        insert.add({r.orderId, r.saleId, r.userId, r.quantity, QString::fromLatin1(r.idempotencyKey), pending, 0,
                    r.createdAtMs, r.expiresAtMs, r.createdAtMs,
                    r.nodeId.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(r.nodeId)});
    }
    insert.flush();
    // The seed's available_sale_quantity moves with the journal, in the same commit.
    for (auto it = unitsBySale.cbegin(); it != unitsBySale.cend(); ++it) {
        execOrThrow(db, QStringLiteral("UPDATE flash_sale_items SET available_sale_quantity = available_sale_quantity - ? "
                                       "WHERE sale_id = ?"), {it.value(), it.key()});
    }
    for (const CommitHook &hook : m_hooks)
        hook(db, records);
}
