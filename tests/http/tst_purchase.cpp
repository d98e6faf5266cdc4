// The purchase rules one request at a time, against a real server: 202 with an
// orderId, the same answer for the same Idempotency-Key, 409 sold out and limit, 400
// for a bad quantity or a missing key, 403 outside the window, 429 with Retry-After.
#include "httpclient.h"
#include "invariants.h"
#include "salefixture.h"
#include "testserver.h"

#include <QtTest>

class TestPurchase : public QObject
{
    Q_OBJECT

    QString purchasePath(qint64 saleId) const { return QStringLiteral("/sales/%1/purchase").arg(saleId); }
    HttpResult buy(HttpClient &c, qint64 saleId, const QByteArray &key, const QByteArray &body = "{\"quantity\":1}")
    {
        QHash<QByteArray, QByteArray> headers;
        if (!key.isEmpty())
            headers.insert("Idempotency-Key", key);
        return c.request("POST", purchasePath(saleId), body, headers);
    }

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        m_server = std::make_unique<TestServer>([](ServerConfig &c) { c.purchase.rateLimitSeconds = 0; });
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
        m_admin->setBearer(SaleFixture::adminToken(*m_admin));
        m_product = SaleFixture::createProduct(*m_admin, 1000);
        QVERIFY(m_product > 0);
    }

    void acceptedThenReplayedThenSoldOut()
    {
        const qint64 sale = SaleFixture::scheduleSale(*m_admin, m_product, 2, 1).value(QStringLiteral("saleId")).toInteger();
        HttpClient a(m_server->baseUrl());
        a.setBearer(a.registerAndLogin(QStringLiteral("a@purchase.test")));
        HttpClient b(m_server->baseUrl());
        b.setBearer(b.registerAndLogin(QStringLiteral("b@purchase.test")));
        HttpClient c(m_server->baseUrl());
        c.setBearer(c.registerAndLogin(QStringLiteral("c@purchase.test")));

        const HttpResult first = buy(a, sale, "key-a-1");
        QCOMPARE(first.status, 202);
        const QString orderId = first.json().value(QStringLiteral("orderId")).toString();
        QVERIFY(!orderId.isEmpty());
        QCOMPARE(first.json().value(QStringLiteral("status")).toString(), QStringLiteral("Pending"));

        const HttpResult replay = buy(a, sale, "key-a-1");
        QCOMPARE(replay.status, 202);
        QCOMPARE(replay.json().value(QStringLiteral("orderId")).toString(), orderId);

        const HttpResult overLimit = buy(a, sale, "key-a-2");
        QCOMPARE(overLimit.status, 409);
        QCOMPARE(overLimit.json().value(QStringLiteral("type")).toString(), QStringLiteral("/problems/purchase-limit"));

        QCOMPARE(buy(b, sale, "key-b-1").status, 202);
        const HttpResult soldOut = buy(c, sale, "key-c-1");
        QCOMPARE(soldOut.status, 409);
        QVERIFY(soldOut.isProblem());
        QCOMPARE(soldOut.json().value(QStringLiteral("type")).toString(), QStringLiteral("/problems/sold-out"));
        QTRY_COMPARE(HttpClient(m_server->baseUrl()).get(QStringLiteral("/sales/%1").arg(sale)).json().value(QStringLiteral("status")).toString(),
                     QStringLiteral("SoldOut"));

        const SaleAudit audit = auditSale(QStringLiteral("sqlite:") + m_server->dataDir() + QStringLiteral("/flashsale.db"), sale, {orderId});
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 2);
        QCOMPARE(audit.available, 0);
    }

    void badRequestsChangeNothing()
    {
        const qint64 sale = SaleFixture::scheduleSale(*m_admin, m_product, 5, 2).value(QStringLiteral("saleId")).toInteger();
        HttpClient s(m_server->baseUrl());
        s.setBearer(s.registerAndLogin(QStringLiteral("bad@purchase.test")));
        QCOMPARE(buy(s, sale, QByteArray()).status, 400);                       // no key
        QCOMPARE(buy(s, sale, "k1", "{\"quantity\":0}").status, 400);
        QCOMPARE(buy(s, sale, "k2", "{\"quantity\":3}").status, 400);           // above the per-user limit
        QCOMPARE(buy(s, sale, "k3", "{\"quantity\":\"one\"}").status, 400);
        QCOMPARE(buy(s, sale, "k4", "{\"quantity\":1.5}").status, 400);
        QCOMPARE(buy(s, sale, "k5", "not json").status, 400);
        QCOMPARE(buy(s, sale, "k6", "{}").status, 400);
        const HttpResult spaces = buy(s, sale, "has spaces in it");
        QCOMPARE(spaces.status, 400);
        QVERIFY(spaces.isProblem());
        QCOMPARE(buy(s, 999999, "k7").status, 404);
        HttpClient anonymous(m_server->baseUrl());
        QCOMPARE(buy(anonymous, sale, "k8").status, 401);
        QCOMPARE(HttpClient(m_server->baseUrl()).get(QStringLiteral("/sales/%1").arg(sale)).json().value(QStringLiteral("remainingStock")).toInt(), 5);
        // The shopper id comes from the token, never the body.
        const HttpResult ok = buy(s, sale, "k9", "{\"quantity\":1,\"userId\":1}");
        QCOMPARE(ok.status, 202);
    }

    void outsideTheWindowIs403()
    {
        const qint64 later = SaleFixture::scheduleSale(*m_admin, m_product, 5, 1, 3600 * 1000).value(QStringLiteral("saleId")).toInteger();
        HttpClient s(m_server->baseUrl());
        s.setBearer(s.registerAndLogin(QStringLiteral("early@purchase.test")));
        const HttpResult early = buy(s, later, "early-1");
        QCOMPARE(early.status, 403);
        QCOMPARE(early.json().value(QStringLiteral("type")).toString(), QStringLiteral("/problems/sale-not-started"));
        const qint64 brief = SaleFixture::scheduleSale(*m_admin, m_product, 5, 1, -100, 1000).value(QStringLiteral("saleId")).toInteger();
        QTest::qWait(1200);
        const HttpResult late = buy(s, brief, "late-1");
        QCOMPARE(late.status, 403);
        QCOMPARE(late.json().value(QStringLiteral("type")).toString(), QStringLiteral("/problems/sale-ended"));
    }

    void rateLimitAnswers429WithRetryAfter()
    {
        TestServer limited([](ServerConfig &c) { c.purchase.rateLimitSeconds = 5; });
        QVERIFY2(limited.start(), qPrintable(limited.error()));
        HttpClient admin(limited.baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 10);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 10, 3).value(QStringLiteral("saleId")).toInteger();
        HttpClient s(limited.baseUrl());
        s.setBearer(s.registerAndLogin(QStringLiteral("fast@purchase.test")));
        QCOMPARE(buy(s, sale, "r1").status, 202);
        const HttpResult second = buy(s, sale, "r2");
        QCOMPARE(second.status, 429);
        QVERIFY(second.isProblem());
        QVERIFY(second.header("retry-after").toInt() >= 1);
        QCOMPARE(buy(s, sale, "r1").status, 202); // a replay is not a new attempt
    }

    void cleanupTestCase()
    {
        m_admin.reset();
        m_server.reset();
    }

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_admin;
    qint64 m_product = 0;
};

QTEST_GUILESS_MAIN(TestPurchase)
#include "tst_purchase.moc"
