// The API's OpenAPI document against a real server: GET /openapi.json answers the
// compiled-in document with an ETag (304 on If-None-Match), and it documents exactly the
// routes the server has, no more and no fewer (the routes as /metrics names them). Also
// the single-node cluster view, which no other http suite asks for, so that the contract
// test (tests/contract) has its answer on record.
#include "httpclient.h"
#include "salefixture.h"
#include "testserver.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

class TestOpenApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        m_server = std::make_unique<TestServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_client = std::make_unique<HttpClient>(m_server->baseUrl());
    }

    void documentIsServed()
    {
        const HttpResult r = m_client->get(QStringLiteral("/openapi.json"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        QCOMPARE(r.header("cache-control"), QByteArray("public, max-age=60"));
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(r.body, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(doc.object().value(QStringLiteral("openapi")).toString(), QStringLiteral("3.1.0"));
        QVERIFY(doc.object().value(QStringLiteral("paths")).toObject().contains(QStringLiteral("/openapi.json")));
    }

    void etagGivesNotModified()
    {
        const HttpResult first = m_client->get(QStringLiteral("/openapi.json"));
        const QByteArray etag = first.header("etag");
        QVERIFY(etag.startsWith('"') && etag.endsWith('"'));
        const HttpResult again = m_client->get(QStringLiteral("/openapi.json"), {{"If-None-Match", etag}});
        QCOMPARE(again.status, 304);
        QVERIFY(again.body.isEmpty());
        QCOMPARE(again.header("etag"), etag);
        const HttpResult changed = m_client->get(QStringLiteral("/openapi.json"), {{"If-None-Match", "\"something else\""}});
        QCOMPARE(changed.status, 200);
        QCOMPARE(changed.body, first.body);
    }

    void documentsEveryRouteAndNoOther()
    {
        const QJsonObject paths = m_client->get(QStringLiteral("/openapi.json")).json().value(QStringLiteral("paths")).toObject();
        QSet<QString> documented;
        for (auto path = paths.constBegin(); path != paths.constEnd(); ++path) {
            const QJsonObject item = path.value().toObject();
            for (auto it = item.constBegin(); it != item.constEnd(); ++it) {
                if (it.key() != QLatin1String("parameters"))
                    documented.insert(it.key().toUpper() + QLatin1Char(' ') + path.key());
            }
        }
        // Every route has a latency histogram in /metrics, named "METHOD /pattern" (the
        // others there, "unmatched" and "journal commit", are not routes).
        const QByteArray metrics = m_client->get(QStringLiteral("/metrics")).body;
        static const QRegularExpression count(QStringLiteral("^flashsale_http_request_duration_seconds_count\\{route=\"([A-Z]+ /[^\"]*)\"\\}"),
                                              QRegularExpression::MultilineOption);
        QSet<QString> routed;
        for (auto it = count.globalMatch(QString::fromUtf8(metrics)); it.hasNext();)
            routed.insert(it.next().captured(1));
        QVERIFY2(routed.size() >= 30, qPrintable(QStringLiteral("only %1 routes in /metrics").arg(routed.size())));
        const QStringList undocumented = QSet<QString>(routed).subtract(documented).values();
        const QStringList unrouted = QSet<QString>(documented).subtract(routed).values();
        QVERIFY2(undocumented.isEmpty(), qPrintable(QStringLiteral("routed, not in openapi.json: ") + undocumented.join(QStringLiteral(", "))));
        QVERIFY2(unrouted.isEmpty(), qPrintable(QStringLiteral("in openapi.json, not routed: ") + unrouted.join(QStringLiteral(", "))));
    }

    void singleNodeClusterView()
    {
        HttpClient admin(m_server->baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 10);
        QVERIFY(product > 0);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 4, 1).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);
        const HttpResult r = admin.get(QStringLiteral("/admin/cluster"));
        QCOMPARE(r.status, 200);
        const QJsonObject view = r.json();
        QCOMPARE(view.value(QStringLiteral("clustered")).toBool(true), false);
        QVERIFY(view.value(QStringLiteral("nodeId")).isNull());
        QVERIFY(view.value(QStringLiteral("nodes")).toArray().isEmpty());
        const QJsonArray sales = view.value(QStringLiteral("sales")).toArray();
        QCOMPARE(sales.size(), 1);
        QCOMPARE(sales.first().toObject().value(QStringLiteral("remaining")).toInteger(), 4);
        QCOMPARE(m_client->get(QStringLiteral("/admin/cluster")).status, 401);
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_client;
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"
