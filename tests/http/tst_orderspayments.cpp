// Payments through the HTTP adapter, against a small gateway this test runs on
// loopback (LoopbackGateway: it counts every charge): a charge whose answer is lost is retried with the
// same key and charged once; a failing gateway opens the circuit, orders then fail fast
// without reaching it and their units return; after the open time a healthy gateway
// closes it again.
#include "invariants.h"
#include "loopbackgateway.h"
#include "ordersfixture.h"

using namespace OrdersFixture;

namespace {

void httpPayments(ServerConfig &c, const QUrl &url)
{
    fastPayments(c);
    c.payments.gateway = QStringLiteral("http");
    c.payments.url = url.toString();
    c.payments.timeoutMs = 600;
}

} // namespace

class TestOrdersPayments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { SaleFixture::provideAdminFromEnvironment(); }

    void aLostAnswerIsRetriedAndChargedOnce()
    {
        LoopbackGateway fake;
        fake.dropAnswers = 2; // the first two attempts time out; the third gets the first charge's answer
        OwnSale own([&fake](ServerConfig &c) { httpPayments(c, fake.url()); });
        QVERIFY2(own.start(2), qPrintable(own.server.error()));
        HttpClient shopper(own.server.baseUrl());
        shopper.setBearer(shopper.registerAndLogin(QStringLiteral("retry@payments.test")));
        const QString orderId = buy(shopper, own.saleId, "retry-1");
        QVERIFY(!orderId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(shopper, orderId), QStringLiteral("Confirmed"), 15000);
        QCOMPARE(fake.chargeRequests, 3);
        QCOMPARE(fake.moneyMoved.value(orderId), 1);
        QCOMPARE(order(shopper, orderId).value(QStringLiteral("paymentId")).toString(), fake.charges.value(orderId));
        // A refund goes through the gateway once, however often it is asked for.
        QCOMPARE(own.admin->post(QStringLiteral("/orders/%1/refund").arg(orderId), {}).status, 200);
        QCOMPARE(own.admin->post(QStringLiteral("/orders/%1/refund").arg(orderId), {}).status, 200);
        QCOMPARE(fake.refundRequests, 1);
        QCOMPARE(fake.refunds.size(), 1);
    }

    void aFailingGatewayOpensTheCircuitThenItCloses()
    {
        LoopbackGateway fake;
        fake.down = true;
        OwnSale own([&fake](ServerConfig &c) {
            httpPayments(c, fake.url());
            c.payments.maxRetries = 1;
            c.payments.breakerFailureThreshold = 5;
            c.payments.breakerWindowSeconds = 30;
            c.payments.breakerOpenSeconds = 2;
            c.orders.workers = 1; // one order at a time: the count is exact
        });
        QVERIFY2(own.start(20, 20), qPrintable(own.server.error()));
        HttpClient shopper(own.server.baseUrl());
        shopper.setBearer(shopper.registerAndLogin(QStringLiteral("breaker@payments.test")));

        // Failures until the circuit opens (each failed order is a failed charge and a failed void).
        QStringList failed;
        for (int i = 0; i < 5 && own.resilient().circuitState() == CircuitBreaker::State::Closed; ++i) {
            const QString id = buy(shopper, own.saleId, "down-" + QByteArray::number(i));
            QVERIFY(!id.isEmpty());
            QTRY_COMPARE_WITH_TIMEOUT(statusOf(shopper, id), QStringLiteral("Failed"), 10000);
            failed << id;
        }
        QCOMPARE(own.resilient().circuitState(), CircuitBreaker::State::Open);
        QVERIFY(HttpClient(own.server.baseUrl()).get(QStringLiteral("/metrics")).body.contains("flashsale_payment_circuit_open 1"));

        // While open: orders fail at once, the gateway is not called, units come back.
        const int callsBefore = fake.chargeRequests;
        QElapsedTimer fast;
        fast.start();
        const QString rejected = buy(shopper, own.saleId, "while-open");
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(shopper, rejected), QStringLiteral("Failed"), 1500);
        QVERIFY2(fast.elapsed() < 1500, qPrintable(QString::number(fast.elapsed())));
        QVERIFY(order(shopper, rejected).value(QStringLiteral("failureReason")).toString().contains(QStringLiteral("circuit open")));
        QCOMPARE(fake.chargeRequests, callsBefore);
        QCOMPARE(fake.moneyMoved.size(), 0);
        QTRY_COMPARE(own.remaining(), 20);

        // The gateway recovers; after the open time one trial closes the circuit.
        fake.down = false;
        QTest::qWait(2100);
        const QString healed = buy(shopper, own.saleId, "healed");
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(shopper, healed), QStringLiteral("Confirmed"), 10000);
        QCOMPARE(own.resilient().circuitState(), CircuitBreaker::State::Closed);
        QCOMPARE(fake.moneyMoved.value(healed), 1);
        // The failed orders' uncertain charges are voided by key once the gateway answers.
        QTRY_COMPARE_WITH_TIMEOUT(scalar(own.server, QStringLiteral("SELECT COUNT(*) FROM payments WHERE status IN ('Uncertain', 'Charging')")), 0, 10000);
        QCOMPARE(fake.moneyMoved.size(), 1);
        const SaleAudit audit = auditSale(databaseUrl(own.server), own.saleId);
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 1);
    }
};

QTEST_GUILESS_MAIN(TestOrdersPayments)
#include "tst_orderspayments.moc"
