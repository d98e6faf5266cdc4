// GroupCommitWriter on its own, against a temporary SQLite file: what arrives while a
// commit runs goes into the next batch (the write function is held on a latch to force
// it), batches never exceed maxBatch, arrival order is kept in the table and in the
// answers, a barrier answers after everything before it, a batch of only barriers needs
// no transaction, a write that throws answers "not durable" and rolls back, stop()
// commits what is queued, both observers see every batch, and the writer thread is named.
#include "storage/databaseurl.h"
#include "storage/groupcommitwriter.h"
#include "temporarydatabase.h"

#include <QSemaphore>
#include <QTemporaryDir>
#include <QtTest>

#include <mutex>
#include <vector>

#include <pthread.h>

namespace {

struct Item
{
    int value = 0;
    bool fail = false;  // the write throws when it meets this record
    qint64 number = 0;  // given by the write function, seen by the observers
};
using Writer = GroupCommitWriter<Item>;

// What the writer thread did, read by the test once the answers are in.
struct Trace
{
    std::mutex mutex;
    QList<int> answered;          // item values in answer order (-1: a barrier)
    QList<bool> durable;          // per answer
    QList<size_t> batchRecords;   // records per batch, from onBatch
    QList<size_t> batchEntries;   // records and barriers per batch
    QList<bool> batchDurable;
    QList<QString> batchErrors;
    QList<qint64> observedNumbers; // numbers the write gave, as onBatch saw them
    int writeCalls = 0;
    QByteArray writerThread; // the name of the thread the write function ran on
    int afterAnswersCalls = 0;
    int answeredBeforeAfterAnswers = 0; // answers already given when afterAnswers last ran
    QList<int> answeredAtBatch;         // answers already given when onBatch ran
    QSemaphore answers;
    bool held = false;  // the first write waits on `latch` after releasing `entered`
    QSemaphore entered;
    QSemaphore latch;

    Writer::Done done(int value)
    {
        return [this, value](bool ok) {
            {
                std::lock_guard lock(mutex);
                answered.push_back(value);
                durable.push_back(ok);
            }
            answers.release();
        };
    }
    bool waitForAnswers(int n) { return answers.tryAcquire(n, 5000); }
};

} // namespace

class TestGroupCommitWriter : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TemporaryDatabase> m_tmp;
    Database *m_db = nullptr;
    int m_table = 0;
    QString m_tableName;

    // A fresh table per test, written by `write` below.
    void newTable()
    {
        m_tableName = QStringLiteral("items%1").arg(++m_table);
        m_tmp->exec(QStringLiteral("CREATE TABLE %1 (seq INTEGER PRIMARY KEY AUTOINCREMENT, value INTEGER NOT NULL)").arg(m_tableName));
    }

    QList<int> tableValues()
    {
        QList<int> values;
        QSqlQuery q = execOrThrow(m_db->connection(), QStringLiteral("SELECT value FROM %1 ORDER BY seq").arg(m_tableName));
        while (q.next())
            values.append(q.value(0).toInt());
        return values;
    }

    // Inserts each record; numbers it; throws on a record marked `fail` (after inserting
    // it, so a missing rollback would show). When `trace.held`, the first call signals
    // it is running and waits for the test to let it go.
    Writer::WriteBatch write(Trace &trace)
    {
        const QString table = m_tableName;
        return [&trace, table](const QSqlDatabase &db, std::vector<Item> &records) {
            int call = 0;
            char name[16] = {};
            pthread_getname_np(pthread_self(), name, sizeof name);
            {
                std::lock_guard lock(trace.mutex);
                call = ++trace.writeCalls;
                trace.writerThread = name;
            }
            if (call == 1 && trace.held) {
                trace.entered.release();
                trace.latch.acquire();
            }
            qint64 n = 0;
            for (Item &item : records) {
                execOrThrow(db, QStringLiteral("INSERT INTO %1(value) VALUES (?)").arg(table), {item.value});
                item.number = ++n;
                if (item.fail)
                    throw DatabaseError{QStringLiteral("record %1 refused").arg(item.value)};
            }
        };
    }

    static void observe(Writer &writer, Trace &trace)
    {
        writer.setOnBatch([&trace](const Writer::BatchResult &result, std::vector<Item> &records) {
            std::lock_guard lock(trace.mutex);
            trace.batchRecords.push_back(records.size());
            trace.answeredAtBatch.push_back(int(trace.answered.size()));
            trace.batchEntries.push_back(result.entries);
            trace.batchDurable.push_back(result.durable);
            trace.batchErrors.push_back(result.error);
            for (const Item &item : records)
                trace.observedNumbers.push_back(item.number);
        });
        writer.setAfterAnswers([&trace](const Writer::BatchResult &, std::vector<Item> &) {
            std::lock_guard lock(trace.mutex);
            ++trace.afterAnswersCalls;
            trace.answeredBeforeAfterAnswers = int(trace.answered.size());
        });
    }

    // A writer on a new table, observed and started, with item 1 appended. `held`: the
    // first batch's write is running, and waits until trace.latch is released (null if
    // it did not start within 5 s).
    std::unique_ptr<Writer> startWriter(Trace &trace, int maxBatch, bool held)
    {
        newTable();
        trace.held = held;
        auto writer = std::make_unique<Writer>("gcw-test", *m_db, maxBatch, write(trace));
        observe(*writer, trace);
        writer->start();
        writer->append(Item{1}, trace.done(1));
        if (held && !trace.entered.tryAcquire(1, 5000))
            return nullptr;
        return writer;
    }

    // Items 2..`last` appended while the commit of item 1 is held, then let go.
    std::unique_ptr<Writer> startWithItemsDuringACommit(Trace &trace, int maxBatch, int last)
    {
        auto writer = startWriter(trace, maxBatch, true);
        if (!writer)
            return nullptr;
        for (int v = 2; v <= last; ++v)
            writer->append(Item{v}, trace.done(v));
        trace.latch.release();
        return writer;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_tmp = std::make_unique<TemporaryDatabase>();
        m_db = &m_tmp->database();
        QVERIFY(m_db->connection().isOpen());
    }

    void cleanupTestCase() { m_tmp.reset(); }

    void appendsDuringACommitShareOneBatch()
    {
        Trace trace;
        const auto writer = startWithItemsDuringACommit(trace, 100, 6);
        QVERIFY(writer); // 2..6 arrived while 1 was being committed
        QVERIFY(trace.waitForAnswers(6));
        writer->stop();
        QCOMPARE(trace.batchRecords, (QList<size_t>{1, 5}));
        QCOMPARE(trace.writeCalls, 2);
        QCOMPARE(trace.writerThread, QByteArray("gcw-test")); // the writer thread carries its name
        QCOMPARE(trace.answered, (QList<int>{1, 2, 3, 4, 5, 6}));
        QCOMPARE(trace.durable, QList<bool>(6, true));
        QCOMPARE(tableValues(), (QList<int>{1, 2, 3, 4, 5, 6}));
    }

    void batchesNeverExceedMaxBatch()
    {
        Trace trace;
        const auto writer = startWithItemsDuringACommit(trace, 3, 8);
        QVERIFY(writer);
        QVERIFY(trace.waitForAnswers(8));
        writer->stop();
        QCOMPARE(trace.batchRecords, (QList<size_t>{1, 3, 3, 1}));
        QCOMPARE(trace.answered, (QList<int>{1, 2, 3, 4, 5, 6, 7, 8}));
        QCOMPARE(tableValues(), (QList<int>{1, 2, 3, 4, 5, 6, 7, 8}));
        // The write function numbered each batch's records; onBatch saw its numbers.
        QCOMPARE(trace.observedNumbers, (QList<qint64>{1, 1, 2, 3, 1, 2, 3, 1}));
    }

    void barrierAnswersAfterEverythingBeforeIt()
    {
        Trace trace;
        const auto writer = startWriter(trace, 100, true);
        QVERIFY(writer);
        writer->append(Item{2}, trace.done(2));
        // Counts the rows committed when the barrier answers (on the writer thread).
        int rowsAtBarrier = -1;
        const QString table = m_tableName;
        const Database &db = *m_db;
        writer->barrier([&trace, &rowsAtBarrier, &db, table](bool ok) {
            QSqlQuery q = execOrThrow(db.connection(), QStringLiteral("SELECT COUNT(*) FROM %1").arg(table));
            rowsAtBarrier = q.next() ? q.value(0).toInt() : -2;
            trace.done(-1)(ok);
        });
        writer->append(Item{3}, trace.done(3));
        trace.latch.release();
        QVERIFY(trace.waitForAnswers(4));
        writer->stop();
        QCOMPARE(trace.answered, (QList<int>{1, 2, -1, 3}));
        QCOMPARE(trace.durable, QList<bool>(4, true));
        QCOMPARE(rowsAtBarrier, 3); // 1 and 2 before it, and 3 from its own batch
        QCOMPARE(trace.batchRecords, (QList<size_t>{1, 2}));
        QCOMPARE(trace.batchEntries, (QList<size_t>{1, 3}));
    }

    // A batch of barriers alone opens no transaction: on a database that cannot even be
    // opened, it is still durable, and the write function is never called.
    void onlyBarriersNeedNoTransaction()
    {
        QTemporaryDir dir;
        Database unreachable(DatabaseUrl::parse(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("missing/dir/x.db"))));
        Trace trace;
        Writer writer("gcw-test", unreachable, 100, [&trace](const QSqlDatabase &, std::vector<Item> &) {
            std::lock_guard lock(trace.mutex);
            ++trace.writeCalls;
        });
        observe(writer, trace);
        writer.start();
        writer.barrier(trace.done(-1));
        QVERIFY(trace.waitForAnswers(1));
        writer.barrier(trace.done(-2));
        QVERIFY(trace.waitForAnswers(1));
        // A record on the same database does need one, and fails.
        writer.append(Item{1}, trace.done(1));
        QVERIFY(trace.waitForAnswers(1));
        writer.stop();
        QCOMPARE(trace.writeCalls, 0);
        QCOMPARE(trace.answered, (QList<int>{-1, -2, 1}));
        QCOMPARE(trace.durable, (QList<bool>{true, true, false}));
        QCOMPARE(trace.batchRecords, (QList<size_t>{0, 0, 1}));
        QCOMPARE(trace.batchDurable, (QList<bool>{true, true, false}));
        QVERIFY(trace.batchErrors[0].isEmpty());
        QVERIFY(trace.batchErrors[2].startsWith(QStringLiteral("cannot begin transaction")));
    }

    // The failing record alone in its batch: it is answered not durable, its row is
    // rolled back, the observers hear the error, and the writer goes on.
    void failedWriteIsNotDurable()
    {
        Trace trace;
        const auto writer = startWriter(trace, 100, false);
        QVERIFY(trace.waitForAnswers(1));
        writer->append(Item{2, true}, trace.done(2));
        QVERIFY(trace.waitForAnswers(1));
        writer->append(Item{3}, trace.done(3));
        QVERIFY(trace.waitForAnswers(1));
        writer->stop();
        QCOMPARE(trace.answered, (QList<int>{1, 2, 3}));
        QCOMPARE(trace.durable, (QList<bool>{true, false, true}));
        QCOMPARE(trace.batchDurable, (QList<bool>{true, false, true}));
        QCOMPARE(trace.batchErrors[1], QStringLiteral("record 2 refused"));
        QVERIFY(trace.batchErrors[2].isEmpty());
        QCOMPARE(tableValues(), (QList<int>{1, 3})); // 2 was inserted, then rolled back
    }

    void stopCommitsWhatIsQueued()
    {
        Trace trace;
        const auto writer = startWithItemsDuringACommit(trace, 2, 5);
        QVERIFY(writer);
        writer->stop(); // returns once all five are committed and answered
        QCOMPARE(trace.answered, (QList<int>{1, 2, 3, 4, 5}));
        QCOMPARE(trace.durable, QList<bool>(5, true));
        QCOMPARE(tableValues(), (QList<int>{1, 2, 3, 4, 5}));
        writer->append(Item{6}, trace.done(6)); // stopped: queued, not written
        QVERIFY(!trace.answers.tryAcquire(6, 50));
        QCOMPARE(trace.writeCalls, 3);
    }

    void observersSeeEveryBatch()
    {
        Trace trace;
        const auto writer = startWriter(trace, 100, true);
        QVERIFY(writer);
        writer->append(Item{2}, trace.done(2));
        writer->barrier(trace.done(-1));
        trace.latch.release();
        QVERIFY(trace.waitForAnswers(3));
        writer->barrier(trace.done(-2));
        QVERIFY(trace.waitForAnswers(1));
        writer->stop();
        QCOMPARE(trace.batchRecords, (QList<size_t>{1, 1, 0}));
        QCOMPARE(trace.batchEntries, (QList<size_t>{1, 2, 1}));
        QCOMPARE(trace.batchDurable, (QList<bool>{true, true, true}));
        QCOMPARE(trace.answeredAtBatch, (QList<int>{0, 1, 3})); // onBatch ran before the batch's answers
        QCOMPARE(trace.afterAnswersCalls, 3);
        QCOMPARE(trace.answeredBeforeAfterAnswers, 4); // afterAnswers ran after the last answer
    }
};

QTEST_GUILESS_MAIN(TestGroupCommitWriter)
#include "tst_groupcommitwriter.moc"
