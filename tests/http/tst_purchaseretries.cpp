// Retries as a 503 promises them (issue 15, point 3), against a real server whose journal
// commit is made to fail in the database itself (WriteFault): the attempt answered 503
// leaves no trace, so the retry with the same Idempotency-Key one second later is taken,
// not refused 429 by the rate limit; and the same key sent with a different body is
// refused 422 idempotency-key-reused, before and after a restart, changing nothing; and
// the same once an ended sale's keys have left memory.
#include "httpclient.h"
#include "invariants.h"
#include "salefixture.h"
#include "testserver.h"
#include "writefault.h"

#include <QtTest>

class TestPurchaseRetries : public QObject
{
    Q_OBJECT

    static HttpResult buy(HttpClient &c, qint64 saleId, const QByteArray &key, int quantity)
    {
        return c.request("POST", QStringLiteral("/sales/%1/purchase").arg(saleId), "{\"quantity\":" + QByteArray::number(quantity) + '}',
                         {{"Idempotency-Key", key}});
    }
    QString databaseUrl() const { return QStringLiteral("sqlite:") + m_server->dataDir() + QStringLiteral("/flashsale.db"); }
    static QString problemType(const HttpResult &r) { return r.json().value(QStringLiteral("type")).toString(); }

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        // One attempt per 5 s: a retry after 1 s is refused 429 if the failed attempt counted.
        m_server = std::make_unique<TestServer>([](ServerConfig &c) {
            c.purchase.rateLimitSeconds = 5;
            c.purchase.retireAfterEndSeconds = 0; // an ended sale's keys leave memory at the next tick
        });
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        HttpClient admin(m_server->baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 100);
        QVERIFY(product > 0);
        m_sale = SaleFixture::scheduleSale(admin, product, 10, 2).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(m_sale > 0);
    }

    void a503DoesNotCountAgainstTheRateLimit()
    {
        HttpClient s(m_server->baseUrl());
        s.setBearer(s.registerAndLogin(QStringLiteral("retry@retries.test")));
        QVERIFY2(WriteFault::inject(databaseUrl(), QStringLiteral("reservations"), QStringLiteral("1 = 1")).isEmpty(), "inject");
        const HttpResult failed = buy(s, m_sale, "retry-1", 1);
        QCOMPARE(failed.status, 503);
        QVERIFY(failed.isProblem());
        QVERIFY(failed.header("retry-after").toInt() >= 1);
        QVERIFY2(WriteFault::clear(databaseUrl(), QStringLiteral("reservations")).isEmpty(), "clear");

        QTest::qWait(1000); // as the 503 asks
        const HttpResult retried = buy(s, m_sale, "retry-1", 1);
        QCOMPARE(retried.status, 202);
        const QString orderId = retried.json().value(QStringLiteral("orderId")).toString();
        QVERIFY(!orderId.isEmpty());
        // The rate limit still holds for a new attempt: the 202 took the slot.
        const HttpResult tooSoon = buy(s, m_sale, "retry-2", 1);
        QCOMPARE(tooSoon.status, 429);

        const SaleAudit audit = auditSale(databaseUrl(), m_sale, {orderId});
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reservations, 1); // the failed attempt left no row
        QCOMPARE(audit.reserved, 1);
    }

    void theSameKeyWithADifferentBodyIs422()
    {
        HttpClient s(m_server->baseUrl());
        s.setBearer(s.registerAndLogin(QStringLiteral("reuse@retries.test")));
        const HttpResult first = buy(s, m_sale, "reuse-1", 2);
        QCOMPARE(first.status, 202);
        const QString orderId = first.json().value(QStringLiteral("orderId")).toString();

        const HttpResult reused = buy(s, m_sale, "reuse-1", 1);
        QCOMPARE(reused.status, 422);
        QVERIFY(reused.isProblem());
        QCOMPARE(problemType(reused), QStringLiteral("/problems/idempotency-key-reused"));
        QCOMPARE(reused.json().value(QStringLiteral("firstQuantity")).toInt(), 2);

        const HttpResult replay = buy(s, m_sale, "reuse-1", 2); // the same request is still a replay
        QCOMPARE(replay.status, 202);
        QCOMPARE(replay.json().value(QStringLiteral("orderId")).toString(), orderId);
        QCOMPARE(replay.header("idempotent-replayed"), QByteArray("true"));

        // The journal remembers the first body across a restart.
        m_server->stop();
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        HttpClient again(m_server->baseUrl());
        again.setBearer(again.login(QStringLiteral("reuse@retries.test"), QStringLiteral("correct horse 42")));
        QCOMPARE(problemType(buy(again, m_sale, "reuse-1", 1)), QStringLiteral("/problems/idempotency-key-reused"));
        QCOMPARE(buy(again, m_sale, "reuse-1", 2).json().value(QStringLiteral("orderId")).toString(), orderId);

        const SaleAudit audit = auditSale(databaseUrl(), m_sale);
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 3); // 1 from the retry test, 2 here: the 422s reserved nothing
    }

    // An ended sale's keys leave memory (purchase/retireAfterEndSeconds): a replay is then
    // answered from the journal, the same 202 as before, and so is a reused key's 422;
    // a new key gets sale-ended. Before and after a restart, which retires at load.
    void anEndedSaleStillReplaysFromTheJournal()
    {
        HttpClient admin(m_server->baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 50);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 10, 2).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);
        HttpClient s(m_server->baseUrl());
        s.setBearer(s.registerAndLogin(QStringLiteral("ended@retries.test")));
        const HttpResult first = buy(s, sale, "ended-1", 2);
        QCOMPARE(first.status, 202);
        const QString orderId = first.json().value(QStringLiteral("orderId")).toString();

        QCOMPARE(admin.post(QStringLiteral("/sales/%1/end").arg(sale), {}).status, 200);
        const auto retiredSales = [](HttpClient &operatorClient) {
            const HttpResult metrics = operatorClient.get(QStringLiteral("/metrics"));
            for (const QByteArray &line : metrics.body.split('\n')) {
                if (line.startsWith("flashsale_sales_retired "))
                    return line.mid(int(qstrlen("flashsale_sales_retired "))).toInt();
            }
            return -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(retiredSales(admin), 1, 10000);

        const auto expectReplay = [&](HttpClient &c) {
            const HttpResult replay = buy(c, sale, "ended-1", 2);
            QCOMPARE(replay.status, 202);
            QCOMPARE(replay.json(), first.json());
            QCOMPARE(replay.header("idempotent-replayed"), QByteArray("true"));
            QCOMPARE(replay.header("location"), "/orders/" + orderId.toLatin1());
            const HttpResult reused = buy(c, sale, "ended-1", 1);
            QCOMPARE(reused.status, 422);
            QCOMPARE(problemType(reused), QStringLiteral("/problems/idempotency-key-reused"));
            const HttpResult fresh = buy(c, sale, "ended-2", 1);
            QCOMPARE(fresh.status, 403);
            QCOMPARE(problemType(fresh), QStringLiteral("/problems/sale-ended"));
        };
        expectReplay(s);
        if (QTest::currentTestFailed())
            return;

        m_server->stop();
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        HttpClient again(m_server->baseUrl());
        again.setBearer(again.login(QStringLiteral("ended@retries.test"), QStringLiteral("correct horse 42")));
        HttpClient admin2(m_server->baseUrl());
        admin2.setBearer(SaleFixture::adminToken(admin2));
        QCOMPARE(retiredSales(admin2), 1); // retired as it was loaded
        expectReplay(again);
        if (QTest::currentTestFailed())
            return;

        const SaleAudit audit = auditSale(databaseUrl(), sale, {orderId});
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reservations, 1); // the replays, the 422s and the 403s reserved nothing
        QCOMPARE(audit.reserved, 2);
    }

    void cleanupTestCase() { m_server.reset(); }

private:
    std::unique_ptr<TestServer> m_server;
    qint64 m_sale = 0;
};

QTEST_MAIN(TestPurchaseRetries)
#include "tst_purchaseretries.moc"
