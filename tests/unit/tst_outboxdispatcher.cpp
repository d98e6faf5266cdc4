// OutboxDispatcher on a real database (SQLite and PostgreSQL): a pass marks delivered
// exactly the events every handler took, in few statements, and leaves the others, with
// their error, for the next pass; an event is handled once per handler however often it
// is offered.
//
// The events' ids have gaps (a rolled-back insert on PostgreSQL, an event another handler
// failed): the marks are written per run of consecutive ids, and a run must never reach
// across an event that was not delivered.
#include "orders/outboxdispatcher.h"
#include "outbox/outbox.h"
#include "postgresfixture.h"
#include "storage/database.h"
#include "storage/migrator.h"
#include "telemetry/metrics.h"

#include <QMutex>
#include <QTemporaryDir>
#include <QtTest>

#include <set>
#include <stdexcept>

namespace {

// Writes `count` events and returns their ids; with `gapAfter` > 0 a rolled-back insert
// after that many leaves a hole in the ids on PostgreSQL (SQLite may reuse the id).
QList<qint64> writeEvents(const QSqlDatabase &db, int count, int gapAfter)
{
    QList<qint64> ids;
    for (int i = 0; i < count; ++i) {
        if (gapAfter > 0 && i == gapAfter) {
            try {
                inTransaction(db, [&] {
                    Outbox::append(db, QStringLiteral("Rolled"), QStringLiteral("x"), {}, 0);
                    throw DatabaseError{QStringLiteral("rolled back on purpose")};
                });
            } catch (const DatabaseError &) {
            }
        }
        inTransaction(db, [&] { Outbox::append(db, QStringLiteral("Test"), QStringLiteral("agg"), {{QStringLiteral("n"), i}}, 0); });
        ids.append(integerOrThrow(db, QStringLiteral("SELECT MAX(event_id) FROM outbox")));
    }
    return ids;
}

} // namespace

class TestOutboxDispatcher : public QObject
{
    Q_OBJECT

private:
    void marksOnlyWhatWasDelivered(const QString &url)
    {
        const Database database(DatabaseUrl::parse(url));
        QString error;
        Migrator migrator(database);
        QVERIFY2(migrator.migrate(&error), qPrintable(error));
        const QSqlDatabase db = database.connection();
        const QList<qint64> ids = writeEvents(db, 150, 70);
        QCOMPARE(ids.size(), 150);

        // Fails on every seventh event until healed; "audit" takes everything.
        std::set<qint64> failing;
        for (int i = 3; i < ids.size(); i += 7)
            failing.insert(ids[i]);
        QMutex lock;
        bool healed = false;
        QHash<QString, int> taken; // "handler:event" -> times handled
        Metrics metrics;
        OutboxDispatcher dispatcher(database, metrics, 10);
        dispatcher.addHandler(QStringLiteral("audit"), [&](const OutboxDispatcher::Event &e) {
            QMutexLocker locker(&lock);
            ++taken[QStringLiteral("audit:") + QString::number(e.id)];
        });
        dispatcher.addHandler(QStringLiteral("picky"), [&](const OutboxDispatcher::Event &e) {
            QMutexLocker locker(&lock);
            if (!healed && failing.count(e.id))
                throw std::runtime_error("not yet");
            ++taken[QStringLiteral("picky:") + QString::number(e.id)];
        });
        dispatcher.start();
        const QString undelivered = QStringLiteral("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND event_type = 'Test'");
        QTRY_COMPARE_WITH_TIMEOUT(integerOrThrow(db, undelivered), qint64(failing.size()), 10000);
        // Exactly the failing events are left, each with its error; the others are marked.
        QSqlQuery left = execOrThrow(db, QStringLiteral("SELECT event_id, last_error FROM outbox WHERE delivered_at IS NULL "
                                                        "AND event_type = 'Test' ORDER BY event_id"));
        std::set<qint64> leftIds;
        while (left.next()) {
            leftIds.insert(left.value(0).toLongLong());
            QVERIFY2(left.value(1).toString().contains(QLatin1String("not yet")), qPrintable(left.value(1).toString()));
        }
        QVERIFY(leftIds == failing);
        {
            QMutexLocker locker(&lock);
            healed = true;
        }
        QTRY_COMPARE_WITH_TIMEOUT(integerOrThrow(db, undelivered), qint64(0), 10000);
        dispatcher.stop();

        // Every event handled once by each handler, offered again or not.
        QMutexLocker locker(&lock);
        for (qint64 id : ids) {
            QCOMPARE(taken.value(QStringLiteral("audit:") + QString::number(id)), 1);
            QCOMPARE(taken.value(QStringLiteral("picky:") + QString::number(id)), 1);
        }
        QCOMPARE(integerOrThrow(db, QStringLiteral("SELECT COUNT(*) FROM handled_events")), qint64(2 * ids.size()));
        // A delivered event was offered once, or twice when it failed first.
        QCOMPARE(integerOrThrow(db, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE event_type = 'Test' AND attempts = 1")),
                 qint64(ids.size() - qsizetype(failing.size())));
    }

private Q_SLOTS:
    void sqlite()
    {
        QTemporaryDir dir;
        marksOnlyWhatWasDelivered(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("outbox.db")));
    }

    void postgres() { PostgresFixture::runOnFresh([this](const QString &url) { marksOnlyWhatWasDelivered(url); }); }
};

QTEST_GUILESS_MAIN(TestOutboxDispatcher)
#include "tst_outboxdispatcher.moc"
