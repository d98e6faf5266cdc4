// Live messages over WebSocket against a real server: the upgrade works on the HTTP
// threads, a shopper hears about their own order and never another's, a bad token is
// refused, and neither an upgrade nor a refused one disturbs the server.
#include "httpclient.h"
#include "pushlistener.h"
#include "salefixture.h"
#include "testserver.h"

#include <QJsonDocument>
#include <QWebSocket>
#include <QtTest>

class TestPush : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        m_server = std::make_unique<TestServer>([](ServerConfig &c) { c.purchase.rateLimitSeconds = 0; });
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
    }

    void shopperHearsOwnOrderOnly()
    {
        HttpClient admin(m_server->baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 10);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 5, 1).value(QStringLiteral("saleId")).toInteger();
        HttpClient alice(m_server->baseUrl());
        const QByteArray aliceToken = alice.registerAndLogin(QStringLiteral("alice@push.test"));
        alice.setBearer(aliceToken);
        HttpClient bob(m_server->baseUrl());
        const QByteArray bobToken = bob.registerAndLogin(QStringLiteral("bob@push.test"));

        PushListener aliceHears(m_server->baseUrl(), aliceToken);
        PushListener bobHears(m_server->baseUrl(), bobToken);
        QTRY_VERIFY_WITH_TIMEOUT(aliceHears.has(QStringLiteral("welcome")), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(bobHears.has(QStringLiteral("welcome")), 5000);

        const HttpResult bought = alice.request("POST", QStringLiteral("/sales/%1/purchase").arg(sale), "{\"quantity\":1}",
                                                {{"Idempotency-Key", "push-1"}});
        QCOMPARE(bought.status, 202);
        const QString orderId = bought.json().value(QStringLiteral("orderId")).toString();
        QTRY_VERIFY_WITH_TIMEOUT(aliceHears.has(QStringLiteral("OrderConfirmed"), orderId)
                                     || aliceHears.has(QStringLiteral("OrderFailed"), orderId), 15000);
        QTest::qWait(300);
        for (const QJsonObject &m : std::as_const(bobHears.messages))
            QVERIFY2(m.value(QStringLiteral("orderId")).toString() != orderId, "bob was told about alice's order");
        QVERIFY(!aliceHears.closed);
    }

    void queuePositionsArePushed()
    {
        HttpClient admin(m_server->baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 10);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 5, 1).value(QStringLiteral("saleId")).toInteger();
        HttpClient carol(m_server->baseUrl());
        const QByteArray token = carol.registerAndLogin(QStringLiteral("carol@push.test"));
        carol.setBearer(token);
        PushListener carolHears(m_server->baseUrl(), token);
        QTRY_VERIFY_WITH_TIMEOUT(carolHears.has(QStringLiteral("welcome")), 5000);
        const HttpResult joined = carol.post(QStringLiteral("/sales/%1/queue").arg(sale), {});
        QVERIFY2(joined.status == 201 || joined.status == 200, joined.body.constData());
        const qint64 ticket = joined.json().value(QStringLiteral("ticket")).toInteger();
        // The push says how far admission got; the shopper's position follows from the ticket.
        auto admittedPast = [&] {
            for (const QJsonObject &m : std::as_const(carolHears.messages)) {
                if (m.value(QStringLiteral("type")).toString() == QLatin1String("QueuePositions")
                    && m.value(QStringLiteral("saleId")).toInteger() == sale
                    && m.value(QStringLiteral("normalAdmitted")).toInteger() >= ticket)
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(admittedPast(), 10000);
    }

    void badTokenIsRefusedAndServerStaysUp()
    {
        PushListener stranger(m_server->baseUrl(), "not-a-token");
        QTRY_VERIFY_WITH_TIMEOUT(stranger.closed, 5000);
        QVERIFY(!stranger.has(QStringLiteral("welcome")));
        for (int i = 0; i < 20; ++i) { // upgrades opened and dropped at once
            QWebSocket s;
            QUrl url = m_server->baseUrl();
            url.setScheme(QStringLiteral("ws"));
            s.open(url);
            s.abort();
        }
        HttpClient probe(m_server->baseUrl());
        QCOMPARE(probe.get(QStringLiteral("/health/live")).status, 200);
    }

    void cleanupTestCase() { m_server.reset(); }

private:
    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(TestPush)
#include "tst_push.moc"
