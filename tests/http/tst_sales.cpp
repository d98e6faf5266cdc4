// Catalog, master stock and sale scheduling against a real server on loopback:
// products with ETag/304, allocation from master stock, validation as problem details,
// states that follow the clock.
#include "httpclient.h"
#include "salefixture.h"
#include "testserver.h"

#include <QtTest>

class TestSales : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        m_server = std::make_unique<TestServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
        m_admin->setBearer(SaleFixture::adminToken(*m_admin));
        m_shopper = std::make_unique<HttpClient>(m_server->baseUrl());
        m_shopper->setBearer(m_shopper->registerAndLogin(QStringLiteral("shopper@sales.test")));
        m_anonymous = std::make_unique<HttpClient>(m_server->baseUrl());
    }

    void productsHaveETagAnd304()
    {
        const qint64 id = SaleFixture::createProduct(*m_admin, 50, 199.99);
        QVERIFY(id > 0);
        const HttpResult one = m_anonymous->get(QStringLiteral("/products/%1").arg(id));
        QCOMPARE(one.status, 200);
        QCOMPARE(one.json().value(QStringLiteral("regularPrice")).toDouble(), 199.99);
        QVERIFY(one.header("cache-control").contains("max-age=3600"));
        const QByteArray etag = one.header("etag");
        QVERIFY(!etag.isEmpty());
        const HttpResult again = m_anonymous->get(QStringLiteral("/products/%1").arg(id), {{"If-None-Match", etag}});
        QCOMPARE(again.status, 304);
        QVERIFY(again.body.isEmpty());
        const HttpResult list = m_anonymous->get(QStringLiteral("/products"));
        QCOMPARE(list.status, 200);
        QVERIFY(!list.jsonArray().isEmpty());
        QCOMPARE(m_anonymous->get(QStringLiteral("/products"), {{"If-None-Match", list.header("etag")}}).status, 304);
        QCOMPARE(m_anonymous->get(QStringLiteral("/products/999999")).status, 404);
        QCOMPARE(m_anonymous->get(QStringLiteral("/products/abc")).status, 404);
        // An edit changes the ETag.
        const HttpResult edited = m_admin->request("PUT", QStringLiteral("/products/%1").arg(id), R"({"name":"Phone Y"})");
        QCOMPARE(edited.status, 200);
        QCOMPARE(m_anonymous->get(QStringLiteral("/products/%1").arg(id), {{"If-None-Match", etag}}).status, 200);
    }

    void productWritesNeedAdmin()
    {
        QCOMPARE(m_anonymous->post(QStringLiteral("/products"), {{QStringLiteral("name"), QStringLiteral("x")}}).status, 401);
        const HttpResult r = m_shopper->post(QStringLiteral("/products"), {{QStringLiteral("name"), QStringLiteral("x")}});
        QCOMPARE(r.status, 403);
        QVERIFY(r.isProblem());
        const HttpResult bad = m_admin->post(QStringLiteral("/products"), {{QStringLiteral("name"), 5}, {QStringLiteral("regularPrice"), -1}});
        QCOMPARE(bad.status, 422);
        QVERIFY(bad.json().value(QStringLiteral("errors")).toObject().contains(QStringLiteral("name")));
        QVERIFY(bad.json().value(QStringLiteral("errors")).toObject().contains(QStringLiteral("regularPrice")));
    }

    void scheduleAllocatesFromMasterStock()
    {
        const qint64 product = SaleFixture::createProduct(*m_admin, 100);
        QCOMPARE(m_anonymous->get(QStringLiteral("/stock/%1").arg(product)).json().value(QStringLiteral("stockLevel")).toInt(), 100);
        const QJsonObject sale = SaleFixture::scheduleSale(*m_admin, product, 60, 2, 60000);
        QVERIFY(!sale.isEmpty());
        QCOMPARE(sale.value(QStringLiteral("status")).toString(), QStringLiteral("Scheduled"));
        QCOMPARE(sale.value(QStringLiteral("remainingStock")).toInt(), 60);
        QVERIFY(sale.value(QStringLiteral("saleId")).toInteger() > 0);
        const HttpResult stock = m_anonymous->get(QStringLiteral("/stock/%1").arg(product));
        QCOMPARE(stock.json().value(QStringLiteral("stockLevel")).toInt(), 40);
        QCOMPARE(stock.json().value(QStringLiteral("productId")).toInteger(), product);
        // 41 more cannot be covered by the 40 left: refused, and nothing changes.
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(60);
        const HttpResult refused = m_admin->post(QStringLiteral("/sales"), {{QStringLiteral("name"), QStringLiteral("Too big")},
                                                                           {QStringLiteral("productId"), product},
                                                                           {QStringLiteral("salePrice"), 1.5},
                                                                           {QStringLiteral("quantity"), 41},
                                                                           {QStringLiteral("perUserLimit"), 1},
                                                                           {QStringLiteral("startTime"), start.toString(Qt::ISODate)},
                                                                           {QStringLiteral("endTime"), start.addSecs(60).toString(Qt::ISODate)}});
        QCOMPARE(refused.status, 409);
        QVERIFY(refused.isProblem());
        QCOMPARE(m_anonymous->get(QStringLiteral("/stock/%1").arg(product)).json().value(QStringLiteral("stockLevel")).toInt(), 40);
        // Listed, and readable alone.
        const qint64 id = sale.value(QStringLiteral("saleId")).toInteger();
        const HttpResult list = m_anonymous->get(QStringLiteral("/sales"));
        QCOMPARE(list.status, 200);
        QVERIFY(list.header("cache-control").contains("max-age"));
        bool listed = false;
        for (const QJsonValue &v : list.jsonArray())
            listed = listed || v.toObject().value(QStringLiteral("saleId")).toInteger() == id;
        QVERIFY(listed);
        const HttpResult one = m_anonymous->get(QStringLiteral("/sales/%1").arg(id));
        QCOMPARE(one.status, 200);
        QVERIFY(one.json().contains(QStringLiteral("serverTime")));
        QCOMPARE(m_anonymous->get(QStringLiteral("/sales/424242")).status, 404);
    }

    void scheduleValidatesEveryField()
    {
        const HttpResult r = m_admin->post(QStringLiteral("/sales"), {{QStringLiteral("name"), QString()},
                                                                     {QStringLiteral("productId"), 987654},
                                                                     {QStringLiteral("salePrice"), QStringLiteral("cheap")},
                                                                     {QStringLiteral("quantity"), 0},
                                                                     {QStringLiteral("perUserLimit"), 1.5},
                                                                     {QStringLiteral("startTime"), QStringLiteral("tomorrow")},
                                                                     {QStringLiteral("endTime"), QStringLiteral("2020-01-01T00:00:00Z")}});
        QCOMPARE(r.status, 422);
        QVERIFY(r.isProblem());
        const QJsonObject errors = r.json().value(QStringLiteral("errors")).toObject();
        for (const char *field : {"name", "productId", "salePrice", "quantity", "perUserLimit", "startTime"})
            QVERIFY2(errors.contains(QLatin1String(field)), field);
        QCOMPARE(m_admin->request("POST", QStringLiteral("/sales"), "{not json").status, 400);
        QCOMPARE(m_admin->request("POST", QStringLiteral("/sales"), "[1,2]").status, 400);
        QCOMPARE(m_admin->request("POST", QStringLiteral("/sales"), "").status, 400);
        QCOMPARE(m_shopper->post(QStringLiteral("/sales"), {}).status, 403);
        QCOMPARE(m_anonymous->post(QStringLiteral("/sales"), {}).status, 401);
    }

    void statesFollowTheClock()
    {
        const qint64 product = SaleFixture::createProduct(*m_admin, 10);
        const QJsonObject sale = SaleFixture::scheduleSale(*m_admin, product, 5, 1, 1200, 1500);
        QVERIFY(!sale.isEmpty());
        const QString path = QStringLiteral("/sales/%1").arg(sale.value(QStringLiteral("saleId")).toInteger());
        QCOMPARE(m_anonymous->get(path).json().value(QStringLiteral("status")).toString(), QStringLiteral("Scheduled"));
        QTRY_COMPARE_WITH_TIMEOUT(m_anonymous->get(path).json().value(QStringLiteral("status")).toString(), QStringLiteral("Active"), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(m_anonymous->get(path).json().value(QStringLiteral("status")).toString(), QStringLiteral("Ended"), 5000);
        // Ended sales leave the default list but stay in ?all=true.
        bool inDefault = false;
        for (const QJsonValue &v : m_anonymous->get(QStringLiteral("/sales")).jsonArray())
            inDefault = inDefault || v.toObject().value(QStringLiteral("saleId")) == sale.value(QStringLiteral("saleId"));
        QVERIFY(!inDefault);
        bool inAll = false;
        for (const QJsonValue &v : m_anonymous->get(QStringLiteral("/sales?all=true")).jsonArray())
            inAll = inAll || v.toObject().value(QStringLiteral("saleId")) == sale.value(QStringLiteral("saleId"));
        QVERIFY(inAll);
    }

    void operatorControlsAreAudited()
    {
        const qint64 product = SaleFixture::createProduct(*m_admin, 10);
        const qint64 id = SaleFixture::scheduleSale(*m_admin, product, 5, 1, 3600 * 1000).value(QStringLiteral("saleId")).toInteger();
        const QString sale = QStringLiteral("/sales/%1").arg(id);
        QCOMPARE(m_shopper->post(sale + QStringLiteral("/start"), {}).status, 403);
        const HttpResult started = m_admin->post(sale + QStringLiteral("/start"), {});
        QCOMPARE(started.status, 200);
        QCOMPARE(started.json().value(QStringLiteral("status")).toString(), QStringLiteral("Active"));
        QCOMPARE(m_admin->post(sale + QStringLiteral("/start"), {}).status, 409); // already started
        const HttpResult paused = m_admin->request("PUT", sale + QStringLiteral("/queue/settings"), R"({"paused":true,"admissionRatePerSecond":7})");
        QCOMPARE(paused.status, 200);
        const HttpResult ended = m_admin->post(sale + QStringLiteral("/end"), {});
        QCOMPARE(ended.status, 200);
        QCOMPARE(ended.json().value(QStringLiteral("status")).toString(), QStringLiteral("Ended"));
        QCOMPARE(m_admin->post(sale + QStringLiteral("/end"), {}).status, 409);
        const HttpResult audit = m_admin->get(QStringLiteral("/admin/audit?saleId=%1").arg(id));
        QCOMPARE(audit.status, 200);
        const QJsonArray entries = audit.jsonArray();
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries[0].toObject().value(QStringLiteral("action")).toString(), QStringLiteral("sale.endEarly"));
        QCOMPARE(entries[1].toObject().value(QStringLiteral("action")).toString(), QStringLiteral("queue.settings"));
        QCOMPARE(entries[1].toObject().value(QStringLiteral("details")).toObject().value(QStringLiteral("to")).toObject()
                     .value(QStringLiteral("admissionRatePerSecond")).toDouble(), 7.0);
        QCOMPARE(entries[2].toObject().value(QStringLiteral("action")).toString(), QStringLiteral("sale.startNow"));
        QCOMPARE(entries[2].toObject().value(QStringLiteral("actorEmail")).toString(), SaleFixture::adminEmail);
        QCOMPARE(m_shopper->get(QStringLiteral("/admin/audit")).status, 403);
    }

    void cleanupTestCase()
    {
        m_admin.reset();
        m_shopper.reset();
        m_anonymous.reset();
        m_server.reset();
    }

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_admin;
    std::unique_ptr<HttpClient> m_shopper;
    std::unique_ptr<HttpClient> m_anonymous;
};

QTEST_GUILESS_MAIN(TestSales)
#include "tst_sales.moc"
