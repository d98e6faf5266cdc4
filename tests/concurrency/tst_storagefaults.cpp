// Storage faults lose nothing (issue 15, point 4), each with real storage:
// - SQLite through a VFS that wraps the default one and fails syncs (SQLITE_IOERR_FSYNC),
//   then writes (SQLITE_FULL), in the middle of a purchase burst: purchases get 503,
//   /health/ready says 503 while the disk fails and 200 once it works again, the server
//   recovers by itself (the 503'd purchases retried with their keys are taken), and after
//   a restart every 202 is in the journal.
// - PostgreSQL: every server connection terminated (pg_terminate_backend) in the middle of
//   a burst, then PostgreSQL stopped and started again in the middle of another: only 202
//   or 503, the server reconnects by itself, /health/ready 503 while PostgreSQL is down and
//   200 after, every 503 retried is taken, 0 lost 202s, 0 oversell; with every connection
//   dropped while PostgreSQL stays up, /health/ready answers 200 at once, every time.
// - PostgreSQL behind a relay that loses the answer to the journal's COMMIT: PostgreSQL
//   committed, the server's connection broke before it could know. The server reads the
//   batch back and answers by what it finds: every committed purchase is a 202 (at once,
//   or when retried with its key), none is sold twice, the sale sells out exactly. The
//   same for the waiting room's joins: every shopper holds one ticket, 1..n without gaps.
#include "commitlossproxy.h"
#include "concurrentclient.h"
#include "faultyvfs.h"
#include "invariants.h"
#include "postgresfixture.h"
#include "salefixture.h"
#include "sanitizerslowdown.h"
#include "testserver.h"

#include <QtTest>

namespace {

// The readiness probe is a write on a database thread, queued behind the work that the
// server's threads catch up on after a fault (the saga's orders, the journal): under a
// sanitizer, with another suite on the same cores, that took over 20 s once. The waits
// on it are widened by the sanitizer's slowdown.
int readyStatus(const QUrl &base)
{
    return HttpClient(base).get(QStringLiteral("/health/ready")).status;
}

// Ends every backend of the server's database; how many there were.
int terminateServerConnections(const PostgresFixture &pg)
{
    return pg.psql(QStringLiteral("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = 'flashsale' AND pid <> pg_backend_pid()")).toInt();
}

// The answers of one burst: orders accepted, requests answered 503 (to retry).
struct Outcome
{
    QSet<QString> accepted;
    QList<int> unavailable; // indexes into the requests
    QString unexpected;     // the first answer that was neither 202 nor 503
};

Outcome sort(const QList<RawResponse> &answers)
{
    Outcome o;
    for (int i = 0; i < answers.size(); ++i) {
        const RawResponse &a = answers[i];
        if (a.status == 202)
            o.accepted.insert(a.json().value(QStringLiteral("orderId")).toString());
        else if (a.status == 503)
            o.unavailable.append(i);
        else if (o.unexpected.isEmpty())
            o.unexpected = QStringLiteral("answer %1: %2 %3 %4").arg(i).arg(a.status).arg(QString::fromUtf8(a.body), a.error);
    }
    return o;
}

} // namespace

class TestStorageFaults : public QObject
{
    Q_OBJECT

    // Retries the 503'd requests (same keys) until each is taken; at most `rounds` rounds.
    static bool retryUntilTaken(ConcurrentClient &client, const QList<RawRequest> &requests, const QList<int> &pending,
                                QSet<QString> &accepted, int rounds, QString *why)
    {
        const QList<int> left = retryWithSameKeys(client, requests, pending, rounds, 1000, [&](int, const RawResponse &a) {
            if (a.status == 202)
                accepted.insert(a.json().value(QStringLiteral("orderId")).toString());
            else if (a.status != 503 && why->isEmpty())
                *why = QStringLiteral("retry answered %1 %2").arg(a.status).arg(QString::fromUtf8(a.body));
            return a.status == 503;
        });
        if (!left.isEmpty() && why->isEmpty())
            *why = QStringLiteral("%1 purchases still 503 after %2 rounds of retries").arg(left.size()).arg(rounds);
        return why->isEmpty();
    }

    // The server's database URL through `relay` instead of straight to PostgreSQL.
    static QString relayed(const PostgresFixture &pg, const CommitLossProxy &relay)
    {
        QString url = pg.url();
        return url.replace(QStringLiteral(":%1/").arg(pg.port()), QStringLiteral(":%1/").arg(relay.port()));
    }

    // Sends `requests` on 40 connections, losing the answer of one marked commit after
    // every 40 answers, `losses` in all; then sends each one answered 503 again, a second
    // apart as Retry-After asks, for at most 8 rounds. `take` files each answer and says
    // whether to send it again (a 503). Returns the requests still answered 503.
    static QList<int> sendLosingCommits(quint16 port, CommitLossProxy &relay, int losses, const QList<RawRequest> &requests,
                                        const std::function<bool(int request, const RawResponse &answer)> &take)
    {
        QList<int> pending;
        int answered = 0;
        ConcurrentClient crowd(QHostAddress::LocalHost, port, 40);
        crowd.setOnAnswer([&](int, const RawResponse &) {
            if (++answered % 40 == 0 && answered <= 40 * losses)
                relay.arm(1);
        });
        const QList<RawResponse> answers = crowd.run(requests);
        for (int i = 0; i < answers.size(); ++i) {
            if (take(i, answers[i]))
                pending.append(i);
        }
        ConcurrentClient retry(QHostAddress::LocalHost, port, 20);
        return retryWithSameKeys(retry, requests, pending, 8, 1000, take);
    }

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        FaultyVfs::install(); // every SQLite connection of this process opens through it
    }

    void sqliteSyncAndWriteFaults()
    {
        TestServer server([](ServerConfig &c) { c.purchase.rateLimitSeconds = 0; });
        QVERIFY2(server.start(), qPrintable(server.error()));
        const QString url = QStringLiteral("sqlite:") + server.dataDir() + QStringLiteral("/flashsale.db");
        HttpClient admin(server.baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 500);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 500, 1).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);
        ConcurrentClient setup(QHostAddress::LocalHost, server.baseUrl().port(), 50);
        const QList<QByteArray> tokens = SaleFixture::registerShoppers(setup, 400, QStringLiteral("disk"));
        for (const QByteArray &t : tokens)
            QVERIFY(!t.isEmpty());
        QCOMPARE(readyStatus(server.baseUrl()), 200);

        // A burst of 300; the disk's syncs fail for a stretch in the middle, then its writes.
        QList<RawRequest> requests;
        for (int i = 0; i < 300; ++i)
            requests.append(SaleFixture::purchase(sale, tokens[i], "disk-" + QByteArray::number(i), 1));
        const long long refusedBefore = FaultyVfs::failures();
        int answered = 0;
        ConcurrentClient crowd(QHostAddress::LocalHost, server.baseUrl().port(), 60);
        crowd.setOnAnswer([&](int, const RawResponse &) {
            ++answered;
            if (answered == 60)
                FaultyVfs::failSyncs(true);
            if (answered == 120) {
                FaultyVfs::failSyncs(false);
                FaultyVfs::failWrites(true);
            }
            if (answered == 180)
                FaultyVfs::failWrites(false);
        });
        Outcome burst = sort(crowd.run(requests));
        FaultyVfs::failSyncs(false);
        FaultyVfs::failWrites(false);
        QVERIFY2(burst.unexpected.isEmpty(), qPrintable(burst.unexpected));
        qInfo() << "burst: 202" << burst.accepted.size() << "503" << burst.unavailable.size() << "refused disk calls"
                << FaultyVfs::failures() - refusedBefore;
        QVERIFY(FaultyVfs::failures() > refusedBefore);
        QVERIFY(!burst.unavailable.isEmpty()); // the fault was really met

        // While the disk fails: not ready, and a purchase is 503. Once it works: ready again.
        FaultyVfs::failWrites(true);
        QCOMPARE(readyStatus(server.baseUrl()), 503);
        requests.append(SaleFixture::purchase(sale, tokens[300], "disk-300", 1));
        const RawResponse during = ConcurrentClient(QHostAddress::LocalHost, server.baseUrl().port(), 1).run({requests.last()}).value(0);
        QCOMPARE(during.status, 503);
        burst.unavailable.append(int(requests.size() - 1));
        FaultyVfs::failWrites(false);
        QTRY_COMPARE_WITH_TIMEOUT(readyStatus(server.baseUrl()), 200, Sanitizer::scaledMs(10000));

        // The server recovered by itself: every 503 retried with its key is taken.
        QString why;
        ConcurrentClient retry(QHostAddress::LocalHost, server.baseUrl().port(), 20);
        QVERIFY2(retryUntilTaken(retry, requests, burst.unavailable, burst.accepted, 5, &why), qPrintable(why));
        QCOMPARE(burst.accepted.size(), 301);

        // After a restart every 202 is there, and nothing is oversold.
        server.stop();
        QVERIFY2(server.start(), qPrintable(server.error()));
        const SaleAudit audit = auditSale(url, sale, burst.accepted);
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 301);
        QCOMPARE(audit.reservations, 301);
        // And the restarted server gives the same answers to the same keys.
        const RawResponse replay = ConcurrentClient(QHostAddress::LocalHost, server.baseUrl().port(), 1).run({requests[0]}).value(0);
        QCOMPARE(replay.status, 202);
        QVERIFY(burst.accepted.contains(replay.json().value(QStringLiteral("orderId")).toString()));
    }

    void postgresTerminatedAndRestarted()
    {
        PostgresFixture pg;
        QString error;
        QVERIFY2(pg.start(&error), qPrintable(error));
        TestServer server([&](ServerConfig &c) {
            c.purchase.rateLimitSeconds = 0;
            c.database.url = pg.url();
        });
        QVERIFY2(server.start(), qPrintable(server.error()));
        HttpClient admin(server.baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 1000);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 1000, 1).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);
        ConcurrentClient setup(QHostAddress::LocalHost, server.baseUrl().port(), 50);
        const QList<QByteArray> tokens = SaleFixture::registerShoppers(setup, 700, QStringLiteral("pg"));
        for (const QByteArray &t : tokens)
            QVERIFY(!t.isEmpty());
        QCOMPARE(readyStatus(server.baseUrl()), 200);

        QList<RawRequest> requests;
        for (int i = 0; i < 700; ++i)
            requests.append(SaleFixture::purchase(sale, tokens[i], "pg-" + QByteArray::number(i), 1));
        QSet<QString> accepted;
        QList<int> unavailable;

        // 1. Every connection of the server terminated in the middle of a burst.
        {
            int answered = 0;
            int terminated = -1;
            ConcurrentClient crowd(QHostAddress::LocalHost, server.baseUrl().port(), 60);
            crowd.setOnAnswer([&](int, const RawResponse &) {
                if (++answered == 80)
                    terminated = terminateServerConnections(pg);
            });
            const Outcome o = sort(crowd.run(requests.mid(0, 300)));
            QVERIFY2(o.unexpected.isEmpty(), qPrintable(o.unexpected));
            qInfo() << "terminated" << terminated << "connections; burst: 202" << o.accepted.size() << "503" << o.unavailable.size();
            QVERIFY(terminated > 0);
            accepted += o.accepted;
            unavailable += o.unavailable;
        }
        QTRY_COMPARE_WITH_TIMEOUT(readyStatus(server.baseUrl()), 200, Sanitizer::scaledMs(20000));

        // 2. PostgreSQL stopped, then started again, in the middle of a burst.
        {
            int answered = 0;
            bool restarted = false;
            QString restartError;
            ConcurrentClient crowd(QHostAddress::LocalHost, server.baseUrl().port(), 60);
            crowd.setOnAnswer([&](int, const RawResponse &) {
                ++answered;
                if (answered == 80)
                    pg.stop();
                if (answered == 160)
                    restarted = pg.restart(&restartError);
            });
            const Outcome o = sort(crowd.run(requests.mid(300, 300)));
            if (!pg.isRunning())
                restarted = pg.restart(&restartError);
            QVERIFY2(restarted, qPrintable(restartError));
            QVERIFY2(o.unexpected.isEmpty(), qPrintable(o.unexpected));
            qInfo() << "stop/start burst: 202" << o.accepted.size() << "503" << o.unavailable.size();
            QVERIFY(!o.unavailable.isEmpty()); // the outage was really met
            accepted += o.accepted;
            for (int i : o.unavailable)
                unavailable.append(300 + i);
        }
        QTRY_COMPARE_WITH_TIMEOUT(readyStatus(server.baseUrl()), 200, Sanitizer::scaledMs(20000));

        // 3. Down: not ready, purchases 503. Up again: ready, without a restart of the server.
        pg.stop();
        QCOMPARE(readyStatus(server.baseUrl()), 503);
        const RawResponse down = ConcurrentClient(QHostAddress::LocalHost, server.baseUrl().port(), 1).run({requests[600]}).value(0);
        QCOMPARE(down.status, 503);
        unavailable.append(600);
        QVERIFY2(pg.restart(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(readyStatus(server.baseUrl()), 200, Sanitizer::scaledMs(20000));

        QString why;
        ConcurrentClient retry(QHostAddress::LocalHost, server.baseUrl().port(), 20);
        QVERIFY2(retryUntilTaken(retry, requests, unavailable, accepted, 5, &why), qPrintable(why));
        QCOMPARE(accepted.size(), 601);

        const SaleAudit audit = auditSale(pg.url(), sale, accepted);
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 601);
        QCOMPARE(audit.reservations, 601);

        // 4. Every connection dropped while PostgreSQL stays up: ready at once, every time.
        // Each database thread's next statement meets its dropped connection; readiness
        // tries once more on a new one instead of answering 503 (a flapping node).
        QVERIFY(terminateServerConnections(pg) > 0);
        for (int i = 0; i < 8; ++i)
            QCOMPARE(readyStatus(server.baseUrl()), 200);
    }

    void postgresCommitAnswerLost()
    {
        PostgresFixture pg;
        QString error;
        QVERIFY2(pg.start(&error), qPrintable(error));
        CommitLossProxy relay(pg.port(), "INSERT INTO reservations");
        QVERIFY2(relay.start(&error), qPrintable(error));
        TestServer server([&](ServerConfig &c) {
            c.purchase.rateLimitSeconds = 0;
            c.database.url = relayed(pg, relay);
        });
        QVERIFY2(server.start(), qPrintable(server.error()));
        HttpClient admin(server.baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const int stock = 250;
        const int shoppers = 300;
        const qint64 product = SaleFixture::createProduct(admin, stock);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, stock, 1).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);
        ConcurrentClient setup(QHostAddress::LocalHost, server.baseUrl().port(), 50);
        const QList<QByteArray> tokens = SaleFixture::registerShoppers(setup, shoppers, QStringLiteral("lost"));
        for (const QByteArray &t : tokens)
            QVERIFY(!t.isEmpty());

        QList<RawRequest> requests;
        for (int i = 0; i < shoppers; ++i)
            requests.append(SaleFixture::purchase(sale, tokens[i], "lost-" + QByteArray::number(i), 1));
        QSet<QString> accepted;
        QSet<int> soldOut;
        QString unexpected;
        // The answers of four journal commits lost in the middle of the burst; the 503s
        // retried with their keys until each is taken or the sale is sold out.
        const QList<int> pending = sendLosingCommits(server.baseUrl().port(), relay, 4, requests, [&](int request, const RawResponse &a) {
            if (a.status == 202)
                accepted.insert(a.json().value(QStringLiteral("orderId")).toString());
            else if (a.status == 409 && a.json().value(QStringLiteral("type")).toString().endsWith(QLatin1String("sold-out")))
                soldOut.insert(request);
            else if (a.status != 503 && unexpected.isEmpty())
                unexpected = QStringLiteral("request %1: %2 %3").arg(request).arg(a.status).arg(QString::fromUtf8(a.body));
            return a.status == 503;
        });
        QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));
        qInfo() << "answers lost:" << relay.lost() << "accepted" << accepted.size() << "sold out" << soldOut.size()
                << "still 503" << pending.size();
        QVERIFY(relay.lost() >= 1); // the fault was really met
        QVERIFY2(pending.isEmpty(), "purchases still answered 503 after 8 rounds of retries");

        // The server read each lost commit back, and the database answered every time.
        HttpClient observer(server.baseUrl());
        QCOMPARE(observer.metric("flashsale_journal_commits_in_doubt"), double(relay.lost()));
        QCOMPARE(observer.metric("flashsale_journal_commits_unresolved"), 0.0);

        // Sold out exactly: every unit sold once, each to a shopper who was told 202.
        QCOMPARE(accepted.size(), stock);
        QCOMPARE(soldOut.size(), shoppers - stock);
        const SaleAudit audit = auditSale(pg.url(), sale, accepted);
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reservations, qint64(stock));
        QCOMPARE(audit.reserved, qint64(stock));
    }

    void postgresJoinCommitAnswerLost()
    {
        PostgresFixture pg;
        QString error;
        QVERIFY2(pg.start(&error), qPrintable(error));
        CommitLossProxy relay(pg.port(), "INSERT INTO waiting_room_tickets");
        QVERIFY2(relay.start(&error), qPrintable(error));
        TestServer server([&](ServerConfig &c) {
            c.purchase.rateLimitSeconds = 0;
            c.database.url = relayed(pg, relay);
            c.waitingRoom.required = true;
            c.waitingRoom.joinLimitPerAddress = 0; // every shopper comes from 127.0.0.1
        });
        QVERIFY2(server.start(), qPrintable(server.error()));
        HttpClient admin(server.baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const int shoppers = 300;
        const qint64 product = SaleFixture::createProduct(admin, 1000);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 1000, 1).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);
        // Nobody is admitted meanwhile: every write of the burst is a join.
        QCOMPARE(admin.request("PUT", QStringLiteral("/sales/%1/queue/settings").arg(sale), "{\"paused\":true}").status, 200);
        ConcurrentClient setup(QHostAddress::LocalHost, server.baseUrl().port(), 50);
        const QList<QByteArray> tokens = SaleFixture::registerShoppers(setup, shoppers, QStringLiteral("joinlost"));
        for (const QByteArray &t : tokens)
            QVERIFY(!t.isEmpty());

        QList<RawRequest> joins;
        for (const QByteArray &token : tokens)
            joins.append(RawRequest{"POST", "/sales/" + QByteArray::number(sale) + "/queue", {{"Authorization", "Bearer " + token}}, "{}"});
        QHash<int, qint64> ticketOf;
        QString unexpected;
        // Three ticket commits' answers lost; the 503s joined again, as they ask.
        const QList<int> pending = sendLosingCommits(server.baseUrl().port(), relay, 3, joins, [&](int shopper, const RawResponse &a) {
            if (a.status == 201 || a.status == 200)
                ticketOf.insert(shopper, a.json().value(QStringLiteral("ticket")).toInteger());
            else if (a.status != 503 && unexpected.isEmpty())
                unexpected = QStringLiteral("shopper %1: %2 %3").arg(shopper).arg(a.status).arg(QString::fromUtf8(a.body));
            return a.status == 503;
        });
        QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));
        qInfo() << "answers lost:" << relay.lost() << "tickets" << ticketOf.size() << "still 503" << pending.size();
        QVERIFY(relay.lost() >= 1); // the fault was really met
        QVERIFY2(pending.isEmpty(), "joins still answered 503 after 8 rounds");

        // One ticket each, 1..n without gaps, in memory and in the database alike.
        QSet<qint64> tickets;
        for (qint64 t : std::as_const(ticketOf))
            tickets.insert(t);
        QCOMPARE(tickets.size(), shoppers);
        for (qint64 t = 1; t <= shoppers; ++t)
            QVERIFY2(tickets.contains(t), qPrintable(QStringLiteral("ticket %1 missing: a gap").arg(t)));
        QCOMPARE(pg.psql(QStringLiteral("SELECT count(*) || ' ' || count(DISTINCT user_id) || ' ' || min(ticket) || ' ' || max(ticket) "
                                        "FROM waiting_room_tickets WHERE sale_id = %1").arg(sale)),
                 QStringLiteral("%1 %1 1 %1").arg(shoppers));
    }
};

QTEST_GUILESS_MAIN(TestStorageFaults)
#include "tst_storagefaults.moc"
