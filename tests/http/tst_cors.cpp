// CORS against a real server: a page on an allowed origin may call the API (its answers
// carry Access-Control-Allow-Origin, never with credentials), its preflight is answered
// with the path's methods and the API's headers; another origin gets no CORS header and
// its preflight is refused with problem details; "*" allows any origin, still without
// credentials; with no allow-list (the default) nothing changes.
#include "httpclient.h"
#include "testserver.h"

#include <QtTest>

class TestCors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>([](ServerConfig &c) {
            c.http.corsAllowedOrigins = {QStringLiteral("https://shop.example.com"), QStringLiteral("http://localhost:3000")};
        });
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_client = std::make_unique<HttpClient>(m_server->baseUrl());
    }

    void allowedOriginReadsAnswers()
    {
        const HttpResult r = m_client->get(QStringLiteral("/sales"), {{"Origin", "https://shop.example.com"}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("access-control-allow-origin"), QByteArray("https://shop.example.com"));
        QVERIFY(r.header("vary").contains("Origin"));
        QVERIFY(r.header("access-control-expose-headers").contains("Retry-After"));
        QVERIFY(r.header("access-control-allow-credentials").isEmpty());
        // Errors too: a page must be able to read the problem details.
        const HttpResult missing = m_client->get(QStringLiteral("/sales/999999"), {{"Origin", "http://localhost:3000"}});
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.header("access-control-allow-origin"), QByteArray("http://localhost:3000"));
    }

    void otherOriginsGetNoCorsHeader()
    {
        for (const QByteArray &origin : {QByteArray("https://evil.example.com"), QByteArray("https://shop.example.com.evil.net"),
                                         QByteArray("null"), QByteArray("http://shop.example.com")}) {
            const HttpResult r = m_client->get(QStringLiteral("/sales"), {{"Origin", origin}});
            QCOMPARE(r.status, 200);
            QVERIFY2(r.header("access-control-allow-origin").isEmpty(), origin.constData());
        }
    }

    void preflightIsAnswered()
    {
        const HttpResult r = m_client->request("OPTIONS", QStringLiteral("/sales/1/purchase"), {},
                                               {{"Origin", "https://shop.example.com"},
                                                {"Access-Control-Request-Method", "POST"},
                                                {"Access-Control-Request-Headers", "authorization, content-type, idempotency-key, admission-token"}});
        QCOMPARE(r.status, 204);
        QCOMPARE(r.header("access-control-allow-origin"), QByteArray("https://shop.example.com"));
        QVERIFY(r.header("access-control-allow-methods").contains("POST"));
        const QByteArray headers = r.header("access-control-allow-headers").toLower();
        for (const QByteArray &h : {QByteArray("authorization"), QByteArray("content-type"), QByteArray("idempotency-key"), QByteArray("admission-token")})
            QVERIFY2(headers.contains(h), headers.constData());
        QVERIFY(!r.header("access-control-max-age").isEmpty());
        QVERIFY(r.header("access-control-allow-credentials").isEmpty());
    }

    void preflightFromAnotherOriginIsRefused()
    {
        const HttpResult r = m_client->request("OPTIONS", QStringLiteral("/sales/1/purchase"), {},
                                               {{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "POST"}});
        QCOMPARE(r.status, 403);
        QVERIFY(r.isProblem());
        QVERIFY(r.header("access-control-allow-origin").isEmpty());
    }

    void preflightForAnUnknownPathIs404()
    {
        const HttpResult r = m_client->request("OPTIONS", QStringLiteral("/no/such/thing"), {},
                                               {{"Origin", "https://shop.example.com"}, {"Access-Control-Request-Method", "GET"}});
        QCOMPARE(r.status, 404);
        QVERIFY(r.isProblem());
    }

    void starAllowsAnyOriginWithoutCredentials()
    {
        TestServer open([](ServerConfig &c) { c.http.corsAllowedOrigins = {QStringLiteral("*")}; });
        QVERIFY2(open.start(), qPrintable(open.error()));
        HttpClient client(open.baseUrl());
        const HttpResult r = client.get(QStringLiteral("/sales"), {{"Origin", "https://anyone.example.org"}});
        QCOMPARE(r.header("access-control-allow-origin"), QByteArray("*"));
        QVERIFY(r.header("access-control-allow-credentials").isEmpty());
    }

    void noListNoCors()
    {
        TestServer plain;
        QVERIFY2(plain.start(), qPrintable(plain.error()));
        HttpClient client(plain.baseUrl());
        const HttpResult r = client.get(QStringLiteral("/sales"), {{"Origin", "https://shop.example.com"}});
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("access-control-allow-origin").isEmpty());
        const HttpResult preflight = client.request("OPTIONS", QStringLiteral("/sales"), {},
                                                    {{"Origin", "https://shop.example.com"}, {"Access-Control-Request-Method", "GET"}});
        QCOMPARE(preflight.status, 403);
    }

    void configurationParsesTheList()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.ini"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[server]\ncorsAllowedOrigins=https://shop.example.com, http://localhost:3000, not an origin, https://x.example/path\n");
        f.close();
        QStringList warnings;
        const ServerConfig c = ServerConfig::fromIni(path, &warnings);
        QCOMPARE(c.http.corsAllowedOrigins, (QStringList{QStringLiteral("https://shop.example.com"), QStringLiteral("http://localhost:3000")}));
        QCOMPARE(warnings.size(), 2);
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

QTEST_MAIN(TestCors)
#include "tst_cors.moc"
