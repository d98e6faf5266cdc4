#pragma once

#include "storage/groupcommitwriter.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class Database;
class LatencyHistogram;
class Metrics;

// What a cluster's cross-node check (ReservationJournal::setScreen) decided for one
// reservation inside the commit: another node already holds this idempotency key
// (Replayed, with its order), or the shopper's units on every node reached the limit.
struct CrossNodeVerdict
{
    enum class Kind { Accepted, Replayed, LimitReached };
    Kind kind = Kind::Accepted;
    QString orderId; // Replayed
    int quantity = 0; // Replayed
};

struct ReservationRecord
{
    QString orderId;
    qint64 saleId = 0;
    qint64 userId = 0;
    int quantity = 0;
    QByteArray idempotencyKey;
    qint64 createdAtMs = 0;
    qint64 expiresAtMs = 0;
    QString nodeId; // the cluster node whose lease it sells from; empty on a single node
    std::shared_ptr<CrossNodeVerdict> verdict; // set by the screen, read by the answer
};

// Durable before acknowledged. Reservations are appended here from any HTTP thread;
// one writer thread commits everything that arrived while the previous commit was
// running in a single transaction (group commit), then calls each entry's callback
// with whether it is now durable. A record that cannot be written fails alone: the
// batch is split until the others commit. Nobody waits on a lock for the disk: the HTTP thread
// returns at once and answers from the callback.
class ReservationJournal
{
public:
    using Done = std::function<void(bool durable)>;
    // Runs inside each group-commit transaction, after the reservations are inserted
    // (e.g. to write outbox events in the same transaction). May throw DatabaseError,
    // which fails the batch; it is then written again in halves (GroupCommitWriter).
    using CommitHook = std::function<void(const QSqlDatabase &db, const std::vector<ReservationRecord> &records)>;
    // Runs first in each group-commit transaction. It may refuse records: it sets their
    // verdict and removes them from `records`, so they are neither inserted nor seen by
    // the hooks and listeners. Throw DatabaseError to fail the batch. Verdicts are reset
    // before each screening (a failed batch is screened again in parts).
    using Screen = std::function<void(const QSqlDatabase &db, std::vector<ReservationRecord> &records)>;
    // Runs on the writer thread after a successful commit (e.g. to wake a worker).
    using CommittedListener = std::function<void(const std::vector<ReservationRecord> &records)>;

    ReservationJournal(const Database &database, Metrics &metrics, int maxBatch);
    ~ReservationJournal();

    // Set before start().
    void addCommitHook(CommitHook hook) { m_hooks.push_back(std::move(hook)); }
    void setScreen(Screen screen) { m_screen = std::move(screen); }
    void addCommittedListener(CommittedListener listener) { m_listeners.push_back(std::move(listener)); }
    // Around the answers of each group commit (GroupCommitWriter::setAnswerScope).
    void setAnswerScope(GroupCommitWriter<ReservationRecord>::AnswerScope scope) { m_writer->setAnswerScope(std::move(scope)); }

    void start();
    // Commits what is queued, then stops the writer.
    void stop();

    void append(ReservationRecord record, Done done);
    // Calls `done` once everything appended before it is committed (for replays).
    void barrier(Done done);

    quint64 commits() const { return m_commits.load(); }
    quint64 appended() const { return m_appended.load(); }

private:
    void write(const QSqlDatabase &db, std::vector<ReservationRecord> &records) const;

    Screen m_screen;
    std::vector<CommitHook> m_hooks;
    std::vector<CommittedListener> m_listeners;
    std::unique_ptr<GroupCommitWriter<ReservationRecord>> m_writer;
    std::atomic<quint64> m_commits{0};
    std::atomic<quint64> m_appended{0};
    std::atomic<qint64> *m_commitCounter = nullptr;
    std::atomic<qint64> *m_failedCounter = nullptr;
    LatencyHistogram *m_commitLatency = nullptr;
    std::atomic<qint64> m_lastBatch{0};
};
