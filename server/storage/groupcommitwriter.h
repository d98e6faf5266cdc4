#pragma once

#include "database.h"

#include "core/threadname.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QString>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

// Durable before acknowledged, for any kind of record. Records are appended from any
// thread; one writer thread commits everything that arrived while the previous commit
// was running in a single transaction (group commit), then calls each entry's `done`
// with whether it is now durable. Nobody waits on a lock for the disk: the caller
// returns at once and answers from the callback. The reservation journal and the
// waiting room's ticket journal are both built on it. The writer thread carries
// `threadName` (at most 15 characters).
template<typename Record>
class GroupCommitWriter
{
public:
    using Done = std::function<void(bool durable)>;
    // Writes one batch, inside one transaction, in arrival order. May change the records
    // (e.g. number them). Throw DatabaseError to fail (roll back) the whole batch.
    using WriteBatch = std::function<void(const QSqlDatabase &db, std::vector<Record> &records)>;
    struct BatchResult
    {
        bool durable = false;
        size_t entries = 0; // records and barriers
        qint64 nanoseconds = 0;
        QString error;
    };
    // Called on the writer thread after each batch, before (`onBatch`) or after
    // (`afterAnswers`) the entries' `done` callbacks ran. A batch of only barriers has no
    // records and is durable without a transaction.
    using Observer = std::function<void(const BatchResult &result, std::vector<Record> &records)>;

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
            BatchResult result;
            result.entries = batch.size();
            QElapsedTimer timer;
            timer.start();
            result.durable = commit(records, &result.error);
            result.nanoseconds = timer.nsecsElapsed();
            if (m_onBatch)
                m_onBatch(result, records);
            for (Entry &e : batch) {
                if (e.done)
                    e.done(result.durable);
            }
            if (m_afterAnswers)
                m_afterAnswers(result, records);
        }
    }

    bool commit(std::vector<Record> &records, QString *error)
    {
        if (records.empty())
            return true; // only barriers: everything before them is already committed
        try {
            inTransaction(m_db.connection(), [&] { m_write(m_db.connection(), records); });
        } catch (const DatabaseError &e) {
            *error = e.message;
            return false;
        }
        return true;
    }

    const QByteArray m_threadName;
    const Database &m_db;
    const int m_maxBatch;
    WriteBatch m_write;
    Observer m_onBatch;
    Observer m_afterAnswers;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Entry> m_queue;
    bool m_stopping = false;
    std::thread m_thread;
};
