// CachedQuery: a statement prepared once per connection and run again without a new
// PREPARE, checked on a real PostgreSQL (whose pg_prepared_statements lists what the
// session holds) and on SQLite: the same SQL nested gets a statement of its own, and a
// connection that broke and reopened prepares afresh instead of using names it lost.
#include "postgresfixture.h"
#include "storage/batchinsert.h"
#include "storage/cachedquery.h"
#include "storage/database.h"

#include <QTemporaryDir>
#include <QtTest>

namespace {

void createTable(const QSqlDatabase &db)
{
    execOrThrow(db, QStringLiteral("DROP TABLE IF EXISTS numbers"));
    execOrThrow(db, QStringLiteral("CREATE TABLE numbers(id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"));
    for (int i = 1; i <= 5; ++i)
        execCached(db, QStringLiteral("INSERT INTO numbers(id, v) VALUES (?, ?)"), {i, i * 10});
}

qint64 preparedInSession(const QSqlDatabase &db)
{
    return integerOrThrow(db, QStringLiteral("SELECT count(*) FROM pg_prepared_statements"));
}

QList<int> valuesFrom(CachedQuery &q)
{
    QList<int> values;
    while (q->next())
        values.append(q->value(0).toInt());
    return values;
}

void nestedSameStatement(const QSqlDatabase &db)
{
    const QString sql = QStringLiteral("SELECT v FROM numbers WHERE id >= ? ORDER BY id");
    CachedQuery outer = execCached(db, sql, {3});
    QVERIFY(outer->next());
    QCOMPARE(outer->value(0).toInt(), 30);
    {
        CachedQuery inner = execCached(db, sql, {1});
        QCOMPARE(valuesFrom(inner), QList<int>({10, 20, 30, 40, 50}));
    }
    QCOMPARE(valuesFrom(outer), QList<int>({40, 50})); // undisturbed by the inner run
    CachedQuery again = execCached(db, sql, {5});
    QCOMPARE(valuesFrom(again), QList<int>({50}));
}

// Batches of `sizes` rows through BatchInsert (8 rows a statement), each in a transaction
// of its own; every row must be there once, in order.
void insertBatches(const QSqlDatabase &db, const QList<int> &sizes)
{
    execOrThrow(db, QStringLiteral("DROP TABLE IF EXISTS batched"));
    execOrThrow(db, QStringLiteral("CREATE TABLE batched(id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, label TEXT)"));
    int next = 0;
    for (int b = 0; b < sizes.size(); ++b) {
        inTransaction(db, [&] {
            BatchInsert insert(db, QStringLiteral("batched"), {QStringLiteral("id"), QStringLiteral("batch"), QStringLiteral("label")}, 8);
            for (int i = 0; i < sizes[b]; ++i, ++next)
                insert.add({next, b, next % 3 ? QVariant(QStringLiteral("row %1").arg(next)) : QVariant(QMetaType::fromType<QString>())});
            insert.flush();
        });
    }
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT id, batch, label FROM batched ORDER BY id"));
    int expected = 0;
    for (int b = 0; b < sizes.size(); ++b) {
        for (int i = 0; i < sizes[b]; ++i, ++expected) {
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), expected);
            QCOMPARE(q.value(1).toInt(), b);
            QCOMPARE(q.value(2).isNull(), expected % 3 == 0);
        }
    }
    QVERIFY(!q.next());
}

} // namespace

class TestCachedQuery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_pg.start(&error), qPrintable(error));
    }

    void postgresPreparesOnce()
    {
        Database database(DatabaseUrl::parse(m_pg.url()));
        const QSqlDatabase db = database.connection();
        QVERIFY(db.isOpen());
        createTable(db);
        QCOMPARE(preparedInSession(db), 1); // the INSERT, kept
        for (int i = 1; i <= 5; ++i) {
            CachedQuery q = execCached(db, QStringLiteral("SELECT v FROM numbers WHERE id = ?"), {i});
            QVERIFY(q->next());
            QCOMPARE(q->value(0).toInt(), i * 10);
        }
        for (int i = 0; i < 20; ++i)
            QCOMPARE(execCached(db, QStringLiteral("UPDATE numbers SET v = v + 1 WHERE id = ?"), {1})->numRowsAffected(), 1);
        QCOMPARE(preparedInSession(db), 3); // INSERT, SELECT, UPDATE: once each, 30 runs
        QCOMPARE(integerOrThrow(db, QStringLiteral("SELECT v FROM numbers WHERE id = ?"), {1}), 30);
        // execOrThrow prepares and deallocates every time: it leaves nothing behind.
        for (int i = 0; i < 5; ++i)
            execOrThrow(db, QStringLiteral("UPDATE numbers SET v = v WHERE id = ?"), {2});
        QCOMPARE(preparedInSession(db), 3);
        execOrThrow(db, QStringLiteral("DROP TABLE numbers"));
    }

    void postgresNested()
    {
        Database database(DatabaseUrl::parse(m_pg.url()));
        const QSqlDatabase db = database.connection();
        createTable(db);
        nestedSameStatement(db);
        QCOMPARE(preparedInSession(db), 3); // the INSERT, and both SELECTs kept for later
        execOrThrow(db, QStringLiteral("DROP TABLE numbers"));
    }

    void sqliteNested()
    {
        QTemporaryDir dir;
        Database database(DatabaseUrl::parse(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("t.db"))));
        const QSqlDatabase db = database.connection();
        createTable(db);
        nestedSameStatement(db);
        {
            // Let go after one row of five: back in the cache, it must not keep reading.
            CachedQuery partial = execCached(db, QStringLiteral("SELECT v FROM numbers WHERE id >= ? ORDER BY id"), {1});
            QVERIFY(partial->next());
        }
        execCached(db, QStringLiteral("UPDATE numbers SET v = v + 1 WHERE id = ?"), {1}); // something in the log
        // The kept statements were reset: they hold no read snapshot, so another connection
        // can checkpoint the whole log and empty it (busy = 0).
        Database other(DatabaseUrl::parse(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("t.db"))));
        QSqlQuery checkpoint = execOrThrow(other.connection(), QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        QVERIFY(checkpoint.next());
        QCOMPARE(checkpoint.value(0).toInt(), 0);
    }

    void postgresReconnectPreparesAfresh()
    {
        Database database(DatabaseUrl::parse(m_pg.url()));
        Database killer(DatabaseUrl::parse(m_pg.url()));
        QSqlDatabase db = database.connection();
        createTable(db);
        const QString sql = QStringLiteral("SELECT v FROM numbers WHERE id = ?");
        QCOMPARE(execCached(db, sql, {2})->next(), true);
        const qint64 pid = DatabaseDetail::backendPid(db);
        const QSqlDatabase other = killer.connection();
        execOrThrow(other, QStringLiteral("SELECT pg_terminate_backend(?)"), {pid});
        QTRY_VERIFY_WITH_TIMEOUT(integerOrThrow(other, QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE pid = ?"), {pid}) == 0,
                                 10000);
        bool failed = false;
        try {
            execCached(db, sql, {2});
        } catch (const DatabaseError &) {
            failed = true; // the backend is gone: the connection is closed for a new one
        }
        QVERIFY(failed);
        db = database.connection();
        QVERIFY(db.isOpen());
        QVERIFY(DatabaseDetail::backendPid(db) != pid);
        CachedQuery q = execCached(db, sql, {2});
        QVERIFY(q->next());
        QCOMPARE(q->value(0).toInt(), 20);
        QCOMPARE(preparedInSession(db), 1); // prepared anew on the new session
        execOrThrow(db, QStringLiteral("DROP TABLE numbers"));
    }

    // The journal's batches: full statements of 8 rows and the rest in powers of two, all
    // prepared once on the connection, whatever the batch sizes.
    void postgresBatchInsertPreparesOnce()
    {
        Database database(DatabaseUrl::parse(m_pg.url()));
        const QSqlDatabase db = database.connection();
        insertBatches(db, {1, 7, 8, 13, 0, 31, 5, 16, 3});
        if (QTest::currentTestFailed())
            return;
        // 8, 4, 2 and 1 rows a statement: four statements for 84 rows in nine batches.
        QCOMPARE(preparedInSession(db), 4);
        execOrThrow(db, QStringLiteral("DROP TABLE batched"));
    }

    void sqliteBatchInsert()
    {
        QTemporaryDir dir;
        Database database(DatabaseUrl::parse(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("t.db"))));
        insertBatches(database.connection(), {1, 7, 8, 13, 0, 31, 5, 16, 3});
    }

private:
    PostgresFixture m_pg;
};

QTEST_GUILESS_MAIN(TestCachedQuery)
#include "tst_cachedquery.moc"
