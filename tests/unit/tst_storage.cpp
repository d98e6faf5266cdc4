// Storage: URL parsing, and the same migrations applied for real on SQLite and on a
// PostgreSQL started by the fixture; applying twice changes nothing. A shopper's order
// list reads an index on both, although no index holds reservations by user alone, and
// the outbox dispatcher's pass reads only its range of handled_events.
#include "orders/orderqueries.h"
#include "orders/outboxdispatcher.h"
#include "postgresfixture.h"
#include "storage/cachedquery.h"
#include "storage/database.h"
#include "storage/databaseurl.h"
#include "storage/migrator.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

class TestStorage : public QObject
{
    Q_OBJECT

private:
    void migrateTwice(const QString &url)
    {
        Database db(DatabaseUrl::parse(url));
        QString error;
        Migrator first(db);
        QVERIFY2(first.migrate(&error), qPrintable(error));
        QVERIFY(first.appliedCount() >= 1);
        Migrator second(db);
        QVERIFY2(second.migrate(&error), qPrintable(error));
        QCOMPARE(second.appliedCount(), 0);
        QSqlQuery q = execOrThrow(db.connection(), QStringLiteral("SELECT COUNT(*) FROM schema_migrations"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), first.appliedCount());
        // The schema enforces what must never happen: negative stock.
        execOrThrow(db.connection(), QStringLiteral("INSERT INTO products(name, regular_price_cents, updated_at) VALUES ('x', 100, 0)"));
        bool refused = false;
        try {
            execOrThrow(db.connection(), QStringLiteral("INSERT INTO inventory(product_id, stock_quantity) VALUES (1, -1)"));
        } catch (const DatabaseError &) {
            refused = true;
        }
        QVERIFY(refused);
    }

    // 3 sales, 3,000 shoppers, 30,000 reservations; then the plan of one shopper's list.
    void shoppersOrdersUseAnIndex(const QString &url)
    {
        const Database database(DatabaseUrl::parse(url));
        QString error;
        Migrator migrator(database);
        QVERIFY2(migrator.migrate(&error), qPrintable(error));
        const QSqlDatabase db = database.connection();
        const QString numbers = QStringLiteral("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < %1) ");
        execOrThrow(db, QStringLiteral("INSERT INTO products(name, regular_price_cents, updated_at) VALUES ('p', 100, 0)"));
        execOrThrow(db, QStringLiteral("INSERT INTO flash_sales(name, start_time, end_time, status, created_at) ")
                            + numbers.arg(3) + QStringLiteral("SELECT 's', 0, 1, 'Ended', 0 FROM n"));
        execOrThrow(db, QStringLiteral("INSERT INTO flash_sale_items(sale_id, product_id, sale_price_cents, total_sale_quantity, "
                                       "available_sale_quantity, per_user_limit) SELECT sale_id, 1, 50, 10000, 0, 5 FROM flash_sales"));
        execOrThrow(db, QStringLiteral("INSERT INTO users(email, password_hash, name, created_at) ") + numbers.arg(3000)
                            + QStringLiteral("SELECT 'u' || x || '@plan.test', 'h', 'u', 0 FROM n"));
        execOrThrow(db, QStringLiteral("INSERT INTO reservations(reservation_id, sale_id, user_id, quantity, idempotency_key, created_at, "
                                       "expires_at, updated_at) ") + numbers.arg(30000)
                            + QStringLiteral("SELECT 'r' || x, x % 3 + 1, x % 3000 + 1, 1, 'k' || x, x, x + 600000, x FROM n"));
        if (database.isPostgres())
            execOrThrow(db, QStringLiteral("ANALYZE")); // autovacuum's part on a live server

        OrderQueries::Filter filter;
        filter.userId = 77;
        QVariantList bind;
        const QString sql = OrderQueries::listSql(filter, &bind);
        const QString text = planText(database, sql, bind);
        const QRegularExpression scan(database.isPostgres() ? QStringLiteral("Seq Scan on reservations") : QStringLiteral("(^|\n)SCAN r\\b"));
        const QRegularExpression byIndex(database.isPostgres() ? QStringLiteral("Index\\w* Scan (using \\S+ )?on (reservations|\\w+sale_id_user_id\\w+)")
                                                               : QStringLiteral("SEARCH r USING (COVERING )?INDEX \\S+ \\(sale_id=\\? AND user_id=\\?"));
        QVERIFY2(!scan.match(text).hasMatch() && byIndex.match(text).hasMatch(), qPrintable(text));
        QCOMPARE(OrderQueries::list(db, filter).size(), 10);
    }

    // The plan `database` makes for `sql` with these values written in (EXPLAIN cannot be
    // prepared on PostgreSQL), one line per step.
    static QString planText(const Database &database, QString sql, const QVariantList &bind)
    {
        for (const QVariant &value : bind) {
            const QString literal = value.typeId() == QMetaType::QString ? QLatin1Char('\'') + value.toString() + QLatin1Char('\'')
                                                                       : QString::number(value.toLongLong());
            sql.replace(sql.indexOf(QLatin1Char('?')), 1, literal);
        }
        QSqlQuery plan = execOrThrow(database.connection(),
                                     (database.isPostgres() ? QStringLiteral("EXPLAIN ") : QStringLiteral("EXPLAIN QUERY PLAN ")) + sql);
        QStringList lines;
        while (plan.next())
            lines << plan.value(database.isPostgres() ? 0 : 3).toString();
        return lines.join(QLatin1Char('\n'));
    }

    // 30,000 handled events of two handlers; then the plan of one dispatcher pass's read.
    void handledEventsUseTheKey(const QString &url)
    {
        const Database database(DatabaseUrl::parse(url));
        QString error;
        Migrator migrator(database);
        QVERIFY2(migrator.migrate(&error), qPrintable(error));
        const QSqlDatabase db = database.connection();
        execOrThrow(db, QStringLiteral("INSERT INTO handled_events(handler, event_id, handled_at) "
                                       "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 15000) "
                                       "SELECT h, x, 0 FROM n CROSS JOIN (SELECT 'notifications' AS h UNION ALL SELECT 'other') handlers"));
        if (database.isPostgres())
            execOrThrow(db, QStringLiteral("ANALYZE"));
        const QString text = planText(database, OutboxDispatcher::handledSql, {QStringLiteral("notifications"), 14900, 14999});
        const QRegularExpression scan(database.isPostgres() ? QStringLiteral("Seq Scan on handled_events") : QStringLiteral("(^|\n)SCAN handled_events"));
        const QRegularExpression byKey(database.isPostgres() ? QStringLiteral("Index\\w* Scan (using|on) handled_events_pkey")
                                                             : QStringLiteral("SEARCH handled_events USING (COVERING )?INDEX \\S+ \\(handler=\\? AND event_id>\\? AND event_id<\\?\\)"));
        QVERIFY2(!scan.match(text).hasMatch() && byKey.match(text).hasMatch(), qPrintable(text));
        CachedQuery q = execCached(db, OutboxDispatcher::handledSql, {QStringLiteral("notifications"), 14900, 14999});
        int rows = 0;
        while (q->next())
            ++rows;
        QCOMPARE(rows, 100);
    }

    // Runs a check against a fresh SQLite file, or a PostgreSQL the fixture starts.
    using Check = void (TestStorage::*)(const QString &url);
    void onSqlite(Check check)
    {
        QTemporaryDir dir;
        (this->*check)(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("t.db")));
    }
    void onPostgres(Check check)
    {
        PostgresFixture::runOnFresh([&](const QString &url) { (this->*check)(url); });
    }

private Q_SLOTS:
    void parsesUrls()
    {
        QCOMPARE(DatabaseUrl::parse(QStringLiteral("sqlite:/tmp/x.db")).kind, DatabaseUrl::Kind::Sqlite);
        const DatabaseUrl pg = DatabaseUrl::parse(QStringLiteral("postgresql://u:p@127.0.0.1:5433/shop"));
        QCOMPARE(pg.kind, DatabaseUrl::Kind::Postgresql);
        QCOMPARE(pg.port, 5433);
        QCOMPARE(pg.user, QStringLiteral("u"));
        QCOMPARE(pg.name, QStringLiteral("shop"));
        QVERIFY(!pg.redacted().contains(QStringLiteral(":p@")));
        QVERIFY(!DatabaseUrl::parse(QStringLiteral("mysql://x")).isValid());
        QVERIFY(!DatabaseUrl::parse(QStringLiteral("sqlite:")).isValid());
        // A user name that decodes to "%1" stays itself in the logged form (found by
        // fuzz_databaseurl: the port used to land in it).
        QCOMPARE(DatabaseUrl::parse(QStringLiteral("postgresql://%251:pw@db.example:5433/shop")).redacted(),
                 QStringLiteral("postgresql://%1@db.example:5433/shop"));
    }

    void migratesSqlite() { onSqlite(&TestStorage::migrateTwice); }
    void migratesPostgres() { onPostgres(&TestStorage::migrateTwice); }
    void shoppersOrdersUseAnIndexOnSqlite() { onSqlite(&TestStorage::shoppersOrdersUseAnIndex); }
    void shoppersOrdersUseAnIndexOnPostgres() { onPostgres(&TestStorage::shoppersOrdersUseAnIndex); }
    void handledEventsUseTheKeyOnSqlite() { onSqlite(&TestStorage::handledEventsUseTheKey); }
    void handledEventsUseTheKeyOnPostgres() { onPostgres(&TestStorage::handledEventsUseTheKey); }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
