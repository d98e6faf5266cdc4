// The SQLite write-ahead log stays bounded while readers never stop: the background
// checkpoint makes it start again from its beginning once it is large, where copying
// alone let it grow forever, and a file a burst grew is cut back to the size limit.
#include "storage/database.h"
#include "storage/databaseurl.h"
#include "storage/sqlitemaintenance.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

class TestWalCheckpoint : public QObject
{
    Q_OBJECT

    // Two readers, each holding a snapshot for a few ms and starting the next at once,
    // offset from each other: there is always a reader inside a transaction, as on a
    // server under load.
    struct Readers
    {
        explicit Readers(const Database &database)
        {
            for (int r = 0; r < 2; ++r) {
                threads.emplace_back([this, &database, r] {
                    QThread::msleep(unsigned(2 * r));
                    QSqlDatabase db = database.connection();
                    for (int i = 0; i < 1000000 && !stop.load(); ++i) {
                        db.transaction();
                        QSqlQuery q(db);
                        q.exec(QStringLiteral("SELECT COUNT(*) FROM t"));
                        q.next();
                        QThread::msleep(4);
                        q.finish();
                        db.commit();
                    }
                });
            }
        }
        ~Readers()
        {
            stop = true;
            for (auto &t : threads)
                t.join();
        }
        std::atomic_bool stop{false};
        std::vector<std::thread> threads;
    };

    static void write(const Database &database, int commits, qint64 restartFrames)
    {
        QSqlDatabase db = database.connection();
        const QByteArray blob(3000, 'x');
        for (int i = 0; i < commits; ++i) {
            inTransaction(db, [&] { execOrThrow(db, QStringLiteral("INSERT INTO t(v) VALUES (?)"), {blob}); });
            if (i % 20 == 19)
                SqliteMaintenance::checkpoint(db, restartFrames);
        }
    }

    // Pages the log holds now (a PASSIVE checkpoint's second column).
    static qint64 logPages(const Database &database)
    {
        QSqlQuery q(database.connection());
        if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) || !q.next())
            return -1;
        return q.value(1).toLongLong();
    }

    static constexpr qint64 restartPages = 200;
    static constexpr qint64 boundPages = 2 * restartPages;

    // A database with a table to write to, and where its log lives.
    struct Fixture
    {
        Fixture()
            : path(dir.filePath(QStringLiteral("wal.db")))
            , wal(path + QStringLiteral("-wal"))
            , database(DatabaseUrl::parse(QStringLiteral("sqlite:") + path))
        {
            if (isReady())
                execOrThrow(database.connection(), QStringLiteral("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)"));
        }
        bool isReady() const { return dir.isValid() && database.connection().isOpen(); }
        qint64 walBytes() const { return QFileInfo(wal).size(); }
        QTemporaryDir dir;
        QString path;
        QString wal;
        Database database;
    };

private Q_SLOTS:
    void theLogStartsAgainThoughReadersNeverStop()
    {
        Fixture f;
        QVERIFY(f.isReady());
        Readers readers(f.database);
        // Copying alone: the log outgrows the bound (else this test proves nothing).
        write(f.database, 600, std::numeric_limits<qint64>::max());
        const qint64 grownPages = logPages(f.database);
        QVERIFY2(grownPages > boundPages, qPrintable(QStringLiteral("the log reached only %1 pages").arg(grownPages)));
        // With the restart point: after the first round (whose first commits still append),
        // 540 more commits, and the log holds fewer pages than the bound after each round,
        // written over the same file, which does not grow (copying alone would have added
        // more than 540 pages to it).
        write(f.database, 60, restartPages);
        const qint64 reusedBytes = f.walBytes();
        qint64 largest = 0;
        for (int round = 1; round < 10; ++round) {
            write(f.database, 60, restartPages);
            largest = qMax(largest, logPages(f.database));
        }
        QVERIFY2(largest < boundPages, qPrintable(QStringLiteral("the log held %1 pages (bound %2)").arg(largest).arg(boundPages)));
        QCOMPARE(f.walBytes(), reusedBytes);
    }

    void aFileABurstGrewIsCutBackWhenTheLogStartsAgain()
    {
        Fixture f;
        QVERIFY(f.isReady());
        // Every connection carries the server's limit.
        QSqlQuery limit(f.database.connection());
        QVERIFY(limit.exec(QStringLiteral("PRAGMA journal_size_limit")) && limit.next());
        QCOMPARE(limit.value(0).toLongLong(), SqliteMaintenance::walSizeLimitBytes);
        limit.finish();
        // A limit this test can exceed: the restart point's size.
        QVERIFY(limit.exec(QStringLiteral("PRAGMA journal_size_limit=%1").arg(restartPages * 4096)));
        limit.finish();
        Readers readers(f.database);
        write(f.database, 600, std::numeric_limits<qint64>::max());
        const qint64 grownBytes = f.walBytes();
        QVERIFY2(grownBytes > boundPages * 4096, qPrintable(QStringLiteral("the file reached only %1 bytes").arg(grownBytes)));
        for (int round = 0; round < 10; ++round)
            write(f.database, 60, restartPages);
        QVERIFY2(f.walBytes() < boundPages * 4096,
                 qPrintable(QStringLiteral("the file is %1 bytes (grown %2, bound %3)").arg(f.walBytes()).arg(grownBytes).arg(boundPages * 4096)));
    }
};

QTEST_GUILESS_MAIN(TestWalCheckpoint)
#include "tst_walcheckpoint.moc"
