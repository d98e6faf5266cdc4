// The SQLite write-ahead log stays bounded while readers never stop: the background
// checkpoint empties it once it is large, where copying alone let it grow forever.
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

private Q_SLOTS:
    void theLogIsEmptiedOnceLargeThoughReadersNeverStop()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("wal.db"));
        Database database(DatabaseUrl::parse(QStringLiteral("sqlite:") + path));
        QSqlDatabase db = database.connection();
        QVERIFY(db.isOpen());
        execOrThrow(db, QStringLiteral("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)"));
        const QString wal = path + QStringLiteral("-wal");
        constexpr qint64 bound = 200 * 4096 * 2; // twice the restart point of 200 pages, in bytes
        Readers readers(database);
        // Copying alone: the log outgrows the bound (else this test proves nothing).
        write(database, 600, std::numeric_limits<qint64>::max());
        const qint64 grown = QFileInfo(wal).size();
        QVERIFY2(grown > bound, qPrintable(QStringLiteral("the log reached only %1 bytes").arg(grown)));
        // With the restart point: emptied, and it stays under the bound from then on.
        qint64 largest = 0;
        for (int round = 0; round < 10; ++round) {
            write(database, 60, 200);
            if (round > 0)
                largest = qMax(largest, QFileInfo(wal).size());
        }
        QVERIFY2(largest < bound, qPrintable(QStringLiteral("the log reached %1 bytes (bound %2)").arg(largest).arg(bound)));
        QVERIFY(QFileInfo(wal).size() < grown);
    }
};

QTEST_GUILESS_MAIN(TestWalCheckpoint)
#include "tst_walcheckpoint.moc"
