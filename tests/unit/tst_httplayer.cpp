// Pieces of the HTTP layer on their own: routing with captures and 405s, the client
// address behind trusted proxies, JSON field validation, conditional GET.
#include "http/etag.h"
#include "http/httprequest.h"
#include "http/jsonbody.h"
#include "http/router.h"

#include <QtTest>

class TestHttpLayer : public QObject
{
    Q_OBJECT

    static HttpRequest requestWithBody(const QByteArray &body)
    {
        HttpRequest r;
        r.body = body;
        return r;
    }

private Q_SLOTS:
    void routerCapturesAndRefusesMethods()
    {
        Router router;
        router.add("GET", QStringLiteral("/sales/{id}"), Access::Anyone, {});
        router.add("POST", QStringLiteral("/sales/{id}/purchase"), Access::User, {});
        Router::Match m = router.match("GET", {QStringLiteral("sales"), QStringLiteral("7")});
        QVERIFY(m.route);
        QCOMPARE(m.params.value(QStringLiteral("id")), QStringLiteral("7"));
        m = router.match("DELETE", {QStringLiteral("sales"), QStringLiteral("7")});
        QVERIFY(!m.route);
        QCOMPARE(m.allowedMethods, QList<QByteArray>{"GET"});
        QVERIFY(router.match("HEAD", {QStringLiteral("sales"), QStringLiteral("7")}).route);
        QVERIFY(!router.match("GET", {QStringLiteral("nothing")}).route);
    }

    void clientAddressBelievesOnlyTrustedProxies()
    {
        HttpContext context;
        const QHostAddress proxy(QStringLiteral("10.0.0.5"));
        const QHostAddress stranger(QStringLiteral("192.0.2.1"));
        QCOMPARE(context.clientAddress(proxy, "203.0.113.9"), proxy); // nobody trusted
        context.trustedProxies = {proxy};
        QCOMPARE(context.clientAddress(proxy, "203.0.113.9"), QHostAddress(QStringLiteral("203.0.113.9")));
        // The left-most entry is whatever the client claimed; the right-most untrusted hop counts.
        QCOMPARE(context.clientAddress(proxy, "1.2.3.4, 203.0.113.9"), QHostAddress(QStringLiteral("203.0.113.9")));
        QCOMPARE(context.clientAddress(proxy, "203.0.113.9, 10.0.0.5"), QHostAddress(QStringLiteral("203.0.113.9")));
        QCOMPARE(context.clientAddress(stranger, "203.0.113.9"), stranger); // an untrusted peer cannot claim
        QCOMPARE(context.clientAddress(proxy, "garbage"), proxy);
    }

    void jsonBodyCollectsEveryFieldError()
    {
        HttpResponse problem;
        QVERIFY(!JsonBody::parse(requestWithBody("{"), &problem));
        QCOMPARE(problem.status, 400);
        QVERIFY(!JsonBody::parse(requestWithBody("[]"), &problem));
        auto body = JsonBody::parse(requestWithBody(R"({"price": 12.345, "n": "x", "t": "2026-01-01T10:00:00"})"), &problem);
        QVERIFY(body);
        body->requiredMoneyCents(QStringLiteral("price"));
        body->requiredInteger(QStringLiteral("n"), 0, 10);
        body->requiredTime(QStringLiteral("t")); // no offset: refused
        body->requiredString(QStringLiteral("missing"));
        QCOMPARE(body->errors().size(), 4);
        QCOMPARE(body->problem().status, 422);
        auto good = JsonBody::parse(requestWithBody(R"({"price": 499.99, "n": 3, "t": "2026-01-01T10:00:00+02:00"})"), &problem);
        QCOMPARE(good->requiredMoneyCents(QStringLiteral("price")), 49999);
        QCOMPARE(good->requiredInteger(QStringLiteral("n"), 0, 10), 3);
        QCOMPARE(good->requiredTime(QStringLiteral("t")).toString(Qt::ISODate), QStringLiteral("2026-01-01T08:00:00Z"));
        QVERIFY(!good->hasErrors());
    }

    void conditionalGet()
    {
        HttpRequest request;
        const HttpResponse fresh = withETag(request, HttpResponse::json(QJsonObject{{QStringLiteral("a"), 1}}), "public, max-age=60");
        QCOMPARE(fresh.status, 200);
        const QByteArray tag = fresh.headerValue("ETag");
        QVERIFY(tag.startsWith('"'));
        request.headers.insert("if-none-match", "\"other\", W/" + tag);
        const HttpResponse cached = withETag(request, HttpResponse::json(QJsonObject{{QStringLiteral("a"), 1}}), "public, max-age=60");
        QCOMPARE(cached.status, 304);
        QVERIFY(cached.body.isEmpty());
        QCOMPARE(cached.headerValue("ETag"), tag);
    }
};

QTEST_GUILESS_MAIN(TestHttpLayer)
#include "tst_httplayer.moc"
