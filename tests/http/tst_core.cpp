// The HTTP layer against a real server on loopback: health, metrics, problem details
// for unknown routes and methods, the body cap, request ids and trace context.
#include "httpclient.h"
#include "testserver.h"

#include <QtTest>

class TestCore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>([](ServerConfig &c) { c.http.maxBodyBytes = 1024; });
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_client = std::make_unique<HttpClient>(m_server->baseUrl());
    }

    void healthLiveAndReady()
    {
        const HttpResult live = m_client->get(QStringLiteral("/health/live"));
        QCOMPARE(live.status, 200);
        QCOMPARE(live.json().value(QStringLiteral("status")).toString(), QStringLiteral("live"));
        const HttpResult ready = m_client->get(QStringLiteral("/health/ready"));
        QCOMPARE(ready.status, 200);
        QCOMPARE(ready.json().value(QStringLiteral("database")).toString(), QStringLiteral("up"));
    }

    void unknownRouteIsProblem404()
    {
        const HttpResult r = m_client->get(QStringLiteral("/no/such/thing"));
        QCOMPARE(r.status, 404);
        QVERIFY(r.isProblem());
    }

    void wrongMethodIsProblem405WithAllow()
    {
        const HttpResult r = m_client->request("DELETE", QStringLiteral("/health/live"), {});
        QCOMPARE(r.status, 405);
        QVERIFY(r.isProblem());
        QCOMPARE(r.header("allow"), QByteArray("GET"));
    }

    void oversizedBodyIs413()
    {
        const HttpResult r = m_client->request("POST", QStringLiteral("/health/live"), QByteArray(4096, 'x'));
        QCOMPARE(r.status, 413);
        QVERIFY(r.isProblem());
    }

    void requestIdAndTraceparentAreHonoured()
    {
        const QByteArray trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        const HttpResult r = m_client->get(QStringLiteral("/health/live"), {{"traceparent", trace}, {"X-Request-Id", "abc-123"}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-request-id"), QByteArray("abc-123"));
        const QByteArray answered = r.header("traceparent");
        QVERIFY2(answered.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"), answered.constData());
        QVERIFY(!answered.contains("00f067aa0ba902b7")); // our own span id, same trace
        const HttpResult fresh = m_client->get(QStringLiteral("/health/live"), {{"traceparent", "garbage"}});
        QVERIFY(fresh.header("traceparent").startsWith("00-"));
        QCOMPARE(fresh.header("traceparent").size(), 55);
    }

    void metricsArePrometheusText()
    {
        m_client->get(QStringLiteral("/health/live"));
        const HttpResult r = m_client->get(QStringLiteral("/metrics"));
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("content-type").startsWith("text/plain"));
        QVERIFY(r.body.contains("flashsale_http_requests_total{route=\"GET /health/live\",status=\"200\"}"));
        QVERIFY(r.body.contains("flashsale_http_request_duration_seconds_bucket{route=\"GET /health/live\",le=\"+Inf\"}"));
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

QTEST_GUILESS_MAIN(TestCore)
#include "tst_core.moc"
