#pragma once

#include "database.h"

#include "telemetry/logger.h"
#include "telemetry/threadname.h"

#include <QElapsedTimer>
#include <QSqlError>
#include <QSqlDatabase>
#include <QString>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

// Durable before acknowledged, for any kind of record. Records are appended from any
// thread; one writer thread commits everything that arrived while the previous commit
// was running in a single transaction (group commit), then calls each entry's `done`
// with whether it is now durable. Nobody waits on a lock for the disk: the caller
// returns at once and answers from the callback. The reservation journal and the
// waiting room's ticket journal are both built on it. The writer thread carries
// `threadName` (at most 15 characters).
//
// A bad record fails alone: when writing a batch throws (one row breaks a constraint,
// say), the batch is rolled back and its two halves are committed separately, and so
// on down to single records, so only the records that cannot be written fail and every
// other one in the batch is durable and answered as usual. A batch whose transaction
// cannot even begin (the database is gone) fails whole, without splitting.
//
// A commit whose connection broke while COMMIT was on its way (PostgreSQL) may have
// committed or not, and the caller must not guess: answering 503 and giving back what
// the records reserved would sell a unit twice if it did commit. With a commit check
// set, the writer reconnects and reads back whether the batch is in the database, and
// answers by what it finds. The check is retried until the database answers, for at most
// `inDoubtPatienceMs` (the database is unreachable meanwhile, so nothing else could be
// written anyway); a batch still unresolved then fails as before (counted as unresolved).
template<typename Record>
class GroupCommitWriter
{
public:
    using Done = std::function<void(bool durable)>;
    // Writes one batch, inside one transaction, in arrival order. May change the records
    // (e.g. number them). Throw DatabaseError to fail (roll back) the whole batch.
    // A batch that fails is written again in parts, each from a fresh copy of its records.
    using WriteBatch = std::function<void(const QSqlDatabase &db, std::vector<Record> &records)>;
    struct BatchResult
    {
        bool durable = false;
        size_t entries = 0; // records and barriers
        qint64 nanoseconds = 0;
        QString error;
    };
    // Called on the writer thread for each part of a batch that ended (committed, or
    // failed and not split further): `onBatch` at once, before the next part is written
    // and before any `done` callback runs; `afterAnswers` after the batch's `done`
    // callbacks ran. A batch that commits at once is one part. A batch of only barriers
    // has no records and is durable without a transaction.
    using Observer = std::function<void(const BatchResult &result, std::vector<Record> &records)>;
    // Runs `answerAll` (every `done` callback of one batch) inside whatever the owner wants
    // around them: the purchase path holds the HTTP answers they send and posts them to
    // each HTTP thread at once, one call per thread instead of one per answer.
    using AnswerScope = std::function<void(const std::function<void()> &answerAll)>;
    // Whether `records`, written by one transaction whose COMMIT lost its answer, are in
    // the database. Throws DatabaseError when it cannot tell.
    using CommitCheck = std::function<bool(const QSqlDatabase &db, const std::vector<Record> &records)>;

    GroupCommitWriter(QByteArray threadName, const Database &database, int maxBatch, WriteBatch write)
        : m_threadName(std::move(threadName))
        , m_db(database)
        , m_maxBatch(std::max(1, maxBatch))
        , m_write(std::move(write))
    {
    }
    ~GroupCommitWriter() { stop(); }
    GroupCommitWriter(const GroupCommitWriter &) = delete;
    GroupCommitWriter &operator=(const GroupCommitWriter &) = delete;

    // Set before start().
    void setOnBatch(Observer observer) { m_onBatch = std::move(observer); }
    void setAfterAnswers(Observer observer) { m_afterAnswers = std::move(observer); }
    void setAnswerScope(AnswerScope scope) { m_answerScope = std::move(scope); }
    void setCommitCheck(CommitCheck check, int inDoubtPatienceMs = 5000)
    {
        m_commitCheck = std::move(check);
        m_inDoubtPatienceMs = inDoubtPatienceMs;
    }

    void start()
    {
        std::lock_guard lock(m_mutex);
        if (m_thread.joinable())
            return;
        m_stopping = false;
        m_thread = std::thread([this] {
            nameCurrentThread(m_threadName);
            run();
        });
    }

    // Commits what is queued, then stops the writer.
    void stop()
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

    void append(Record record, Done done) { push(Entry{false, std::move(record), std::move(done)}); }
    // Calls `done` once everything appended before it is committed.
    void barrier(Done done) { push(Entry{true, Record{}, std::move(done)}); }

    // Failed commits that were retried in two halves (any thread).
    quint64 splits() const { return m_splits.load(std::memory_order_relaxed); }
    // Commits whose answer was lost with their connection, and of those, the ones the
    // check could not resolve in time (any thread).
    quint64 inDoubt() const { return m_inDoubt.load(std::memory_order_relaxed); }
    quint64 unresolved() const { return m_unresolved.load(std::memory_order_relaxed); }

private:
    struct Entry
    {
        bool isBarrier = false;
        Record record;
        Done done;
    };

    void push(Entry entry)
    {
        {
            std::lock_guard lock(m_mutex);
            m_queue.push_back(std::move(entry));
        }
        m_wake.notify_one();
    }

    void run()
    {
        DatabaseDetail::isPriorityWriter() = true; // the hot path's commits go first
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
            std::vector<Record> records;
            for (Entry &e : batch) {
                if (!e.isBarrier)
                    records.push_back(std::move(e.record));
            }
            std::vector<char> durable(records.size(), 0);
            std::vector<Part> parts;
            if (records.empty()) {
                parts.push_back(Part{BatchResult{true, batch.size(), 0, {}}, {}});
                if (m_onBatch)
                    m_onBatch(parts.back().result, parts.back().records);
            } else {
                commitSplitting(records, 0, records.size(), batch.size() - records.size(), durable, parts);
            }
            const bool allDurable = std::all_of(durable.cbegin(), durable.cend(), [](char d) { return d != 0; });
            const auto answerAll = [&batch, &durable, allDurable] {
                size_t record = 0;
                for (Entry &e : batch) {
                    const bool ok = e.isBarrier ? allDurable : durable[record++] != 0;
                    if (e.done)
                        e.done(ok);
                }
            };
            if (m_answerScope)
                m_answerScope(answerAll);
            else
                answerAll();
            if (m_afterAnswers) {
                for (Part &part : parts)
                    m_afterAnswers(part.result, part.records);
            }
        }
    }

    struct Part
    {
        BatchResult result;
        std::vector<Record> records; // as written (the write may change them)
    };

    // Commits records[begin, end) in one transaction; if writing them fails, rolls back
    // and commits each half in turn, in arrival order. `barriers` of the batch are counted
    // in the entries of its last part (they answer after every part).
    void commitSplitting(const std::vector<Record> &records, size_t begin, size_t end, size_t barriers, std::vector<char> &durable,
                         std::vector<Part> &parts)
    {
        Part part{BatchResult{}, std::vector<Record>(records.begin() + qsizetype(begin), records.begin() + qsizetype(end))};
        part.result.entries = end - begin + barriers;
        QElapsedTimer timer;
        timer.start();
        bool splittable = false;
        part.result.durable = commit(part.records, &part.result.error, &splittable);
        part.result.nanoseconds = timer.nsecsElapsed();
        if (!part.result.durable && splittable && end - begin > 1) {
            m_splits.fetch_add(1, std::memory_order_relaxed);
            const size_t middle = begin + (end - begin) / 2;
            commitSplitting(records, begin, middle, 0, durable, parts);
            commitSplitting(records, middle, end, barriers, durable, parts);
            return;
        }
        if (part.result.durable)
            std::fill(durable.begin() + qsizetype(begin), durable.begin() + qsizetype(end), char(1));
        if (m_onBatch)
            m_onBatch(part.result, part.records);
        parts.push_back(std::move(part));
    }

    // `splittable`: the records' own writing failed, so a part of them may succeed; false
    // when the transaction could not begin or commit (the database, not a record).
    bool commit(std::vector<Record> &records, QString *error, bool *splittable)
    {
        QSqlDatabase db = m_db.connection();
        DatabaseDetail::WriterGuard writer(db);
        if (m_commitCheck && m_sessionPid == 0 && db.isOpen()) {
            try {
                m_sessionPid = DatabaseDetail::backendPid(db); // to end it if its COMMIT is lost
            } catch (const DatabaseError &) {
                DatabaseDetail::recoverConnection(db);
            }
        }
        if (!db.transaction()) {
            m_sessionPid = 0;
            *error = QStringLiteral("cannot begin transaction: ") + db.lastError().text();
            DatabaseDetail::recoverConnection(db); // the next batch reconnects
            return false;
        }
        try {
            m_write(db, records);
        } catch (const DatabaseError &e) {
            db.rollback();
            m_sessionPid = 0;
            *error = e.message;
            // A record's fault (split and retry) unless the connection itself broke.
            *splittable = db.isOpen();
            DatabaseDetail::recoverConnection(db);
            *splittable = *splittable && db.isOpen();
            return false;
        }
        if (!db.commit()) {
            *error = QStringLiteral("commit failed: ") + db.lastError().text();
            db.rollback();
            DatabaseDetail::recoverConnection(db);
            // A connection that is still open answered the COMMIT (it failed); a closed
            // one broke on the way and the commit may have happened.
            const qint64 lostSession = std::exchange(m_sessionPid, 0);
            if (m_commitCheck && !db.isOpen() && !records.empty())
                return resolveInDoubt(records, lostSession, error);
            return false;
        }
        return true;
    }

    // The lost session's backend (`lostSession`) may still be running its COMMIT: it is
    // ended first and the batch read back only once it is gone.
    bool resolveInDoubt(const std::vector<Record> &records, qint64 lostSession, QString *error)
    {
        m_inDoubt.fetch_add(1, std::memory_order_relaxed);
        QElapsedTimer waited;
        waited.start();
        bool ended = false;
        for (;;) {
            QSqlDatabase db = m_db.connection(); // opens a closed connection again
            if (db.isOpen()) {
                try {
                    ended = ended || DatabaseDetail::endLostSession(db, lostSession);
                    if (!ended)
                        throw DatabaseError{QStringLiteral("the lost session is still there")};
                    const bool committed = m_commitCheck(db, records);
                    Log::warning(QStringLiteral("storage.commit.in_doubt"),
                                 {{QStringLiteral("writer"), QString::fromLatin1(m_threadName)},
                                  {QStringLiteral("records"), qint64(records.size())},
                                  {QStringLiteral("committed"), committed},
                                  {QStringLiteral("error"), *error}});
                    if (committed)
                        error->clear();
                    else
                        *error += QStringLiteral(" (read back: not committed)");
                    return committed;
                } catch (const DatabaseError &) {
                    DatabaseDetail::recoverConnection(db);
                }
            }
            if (waited.elapsed() >= m_inDoubtPatienceMs) {
                m_unresolved.fetch_add(1, std::memory_order_relaxed);
                *error += QStringLiteral(" (in doubt: the database did not answer the read-back in time)");
                Log::error(QStringLiteral("storage.commit.unresolved"),
                           {{QStringLiteral("writer"), QString::fromLatin1(m_threadName)}, {QStringLiteral("error"), *error}});
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    const QByteArray m_threadName;
    const Database &m_db;
    const int m_maxBatch;
    WriteBatch m_write;
    Observer m_onBatch;
    Observer m_afterAnswers;
    AnswerScope m_answerScope;
    CommitCheck m_commitCheck;
    int m_inDoubtPatienceMs = 5000;
    qint64 m_sessionPid = 0; // the writer connection's PostgreSQL backend, once known
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Entry> m_queue;
    bool m_stopping = false;
    std::thread m_thread;
    std::atomic<quint64> m_splits{0};
    std::atomic<quint64> m_inDoubt{0};
    std::atomic<quint64> m_unresolved{0};
};
