// The order pipeline against a real server on loopback and a real SQLite file: every
// 202 becomes an order that ends Confirmed or Failed; the outbox holds each event once,
// written with its change and delivered; shoppers see only their own orders; failed
// units go back once and sell again; refund and compensate are idempotent; a
// reservation that expires while its charge is in flight is refunded.
#include "invariants.h"
#include "ordersfixture.h"

using namespace OrdersFixture;

class TestOrders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        m_server = std::make_unique<TestServer>(fastPayments);
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
        m_admin->setBearer(SaleFixture::adminToken(*m_admin));
        m_product = SaleFixture::createProduct(*m_admin, 1000);
        QVERIFY(m_product > 0);
    }

    void purchaseBecomesConfirmedOrderWithItsEvents()
    {
        const QJsonObject sale = SaleFixture::scheduleSale(*m_admin, m_product, 5, 1);
        const qint64 saleId = sale.value(QStringLiteral("saleId")).toInteger();
        HttpClient alice(m_server->baseUrl());
        alice.setBearer(alice.registerAndLogin(QStringLiteral("alice@orders.test")));
        const QString orderId = buy(alice, saleId, "alice-1");
        QVERIFY(!orderId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(alice, orderId), QStringLiteral("Confirmed"), 10000);

        const QJsonObject order = alice.get(QStringLiteral("/orders/") + orderId).json();
        QCOMPARE(order.value(QStringLiteral("orderId")).toString(), orderId);
        QCOMPARE(order.value(QStringLiteral("saleId")).toInteger(), saleId);
        QCOMPARE(order.value(QStringLiteral("productId")).toInteger(), m_product);
        QCOMPARE(order.value(QStringLiteral("quantity")).toInt(), 1);
        QCOMPARE(order.value(QStringLiteral("total")).toDouble(), 499.5);
        QVERIFY(!order.value(QStringLiteral("paymentId")).toString().isEmpty());
        QVERIFY(!order.value(QStringLiteral("createdAt")).toString().isEmpty());
        QVERIFY(!order.value(QStringLiteral("updatedAt")).toString().isEmpty());

        // Another shopper: 404, never 403 (existence is not revealed); their list is empty.
        HttpClient bob(m_server->baseUrl());
        bob.setBearer(bob.registerAndLogin(QStringLiteral("bob@orders.test")));
        const HttpResult foreign = bob.get(QStringLiteral("/orders/") + orderId);
        QCOMPARE(foreign.status, 404);
        QVERIFY(foreign.isProblem());
        QCOMPARE(bob.get(QStringLiteral("/orders")).jsonArray().size(), 0);
        QCOMPARE(bob.get(QStringLiteral("/orders?all=true")).status, 403);
        QCOMPARE(alice.get(QStringLiteral("/orders")).jsonArray().size(), 1);
        QCOMPARE(HttpClient(m_server->baseUrl()).get(QStringLiteral("/orders/") + orderId).status, 401);
        // The console's view: every order, filtered.
        const QJsonArray confirmed = m_admin->get(QStringLiteral("/orders?all=true&status=Confirmed")).jsonArray();
        QVERIFY(!confirmed.isEmpty());
        for (const QJsonValue &o : confirmed)
            QCOMPARE(o.toObject().value(QStringLiteral("status")).toString(), QStringLiteral("Confirmed"));
        QCOMPARE(m_admin->get(QStringLiteral("/orders?all=true&status=Bogus")).status, 400);

        // The outbox: each event of this order once, every one delivered.
        for (const char *type : {"PurchaseAttempted", "InventoryReserved", "PaymentProcessed", "OrderConfirmed"})
            QCOMPARE(scalar(*m_server, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE aggregate_id = ? AND event_type = ?"), {orderId, QString::fromLatin1(type)}), 1);
        QTRY_COMPARE_WITH_TIMEOUT(scalar(*m_server, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE event_type = 'FlashSaleStarted' AND aggregate_id = ?"),
                                         {QString::number(saleId)}), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(scalar(*m_server, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")), 0, 5000);
        QCOMPARE(scalar(*m_server, QStringLiteral("SELECT COUNT(*) FROM stock_commitments WHERE order_id = ?"), {orderId}), 1);
        const SaleAudit audit = auditSale(databaseUrl(*m_server), saleId, {orderId});
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
    }

    void declinedPaymentFailsAndTheUnitSellsAgain()
    {
        OwnSale own([](ServerConfig &c) { fastPayments(c); c.payments.simulatedFailureRate = 1.0; });
        QVERIFY2(own.start(1), qPrintable(own.server.error()));
        TestServer &declining = own.server;
        HttpClient &admin = *own.admin;
        const qint64 saleId = own.saleId;
        HttpClient a(declining.baseUrl());
        a.setBearer(a.registerAndLogin(QStringLiteral("a@declined.test")));
        const QString first = buy(a, saleId, "a-1");
        QVERIFY(!first.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(a, first), QStringLiteral("Failed"), 10000);
        QCOMPARE(scalar(declining, QStringLiteral("SELECT units_released FROM reservations WHERE reservation_id = ?"), {first}), 1);
        QCOMPARE(scalar(declining, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE aggregate_id = ? AND event_type = 'StockReleased'"), {first}), 1);
        QCOMPARE(scalar(declining, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE aggregate_id = ? AND event_type = 'OrderFailed'"), {first}), 1);
        // The unit is back: the sale shows it and another shopper gets it.
        QTRY_COMPARE(own.remaining(), 1);
        HttpClient b(declining.baseUrl());
        b.setBearer(b.registerAndLogin(QStringLiteral("b@declined.test")));
        const QString second = buy(b, saleId, "b-1");
        QVERIFY(!second.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(b, second), QStringLiteral("Failed"), 10000);
        // Compensating a failed order changes nothing and answers the same.
        const HttpResult c1 = admin.post(QStringLiteral("/orders/%1/compensate").arg(first), {});
        QCOMPARE(c1.status, 200);
        QCOMPARE(c1.json().value(QStringLiteral("status")).toString(), QStringLiteral("Failed"));
        QCOMPARE(scalar(declining, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE aggregate_id = ? AND event_type = 'StockReleased'"), {first}), 1);
        const SaleAudit audit = auditSale(databaseUrl(declining), saleId, {first, second});
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 0);
        QCOMPARE(audit.available, 1);
        QVERIFY(own.gateway());
        QCOMPARE(own.gateway()->chargeCount(), 0);
    }

    void refundIsIdempotentAndReturnsTheUnitToTheRunningSale()
    {
        const qint64 saleId = SaleFixture::scheduleSale(*m_admin, m_product, 3, 1).value(QStringLiteral("saleId")).toInteger();
        HttpClient carol(m_server->baseUrl());
        carol.setBearer(carol.registerAndLogin(QStringLiteral("carol@orders.test")));
        const QString orderId = buy(carol, saleId, "carol-1");
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(carol, orderId), QStringLiteral("Confirmed"), 10000);
        QCOMPARE(carol.post(QStringLiteral("/orders/%1/refund").arg(orderId), {}).status, 403); // admins only
        const HttpResult first = m_admin->post(QStringLiteral("/orders/%1/refund").arg(orderId), {});
        QCOMPARE(first.status, 200);
        QCOMPARE(first.json().value(QStringLiteral("refunded")).toBool(), true);
        const HttpResult again = m_admin->post(QStringLiteral("/orders/%1/refund").arg(orderId), {});
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(QStringLiteral("refundId")).toString(), first.json().value(QStringLiteral("refundId")).toString());
        auto *gateway = dynamic_cast<SimulatedGateway *>(&m_server->server().module<OrdersModule>()->gateway().inner());
        QCOMPARE(gateway->chargesFor(orderId), 1);
        QCOMPARE(scalar(*m_server, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE aggregate_id = ? AND event_type = 'OrderRefunded'"), {orderId}), 1);
        QCOMPARE(scalar(*m_server, QStringLiteral("SELECT units_released FROM reservations WHERE reservation_id = ?"), {orderId}), 1);
        QCOMPARE(HttpClient(m_server->baseUrl()).get(QStringLiteral("/sales/%1").arg(saleId)).json().value(QStringLiteral("remainingStock")).toInt(), 3);
        // Compensating a confirmed order is refused; refunding a missing one is 404.
        QCOMPARE(m_admin->post(QStringLiteral("/orders/%1/compensate").arg(orderId), {}).status, 409);
        QCOMPARE(m_admin->post(QStringLiteral("/orders/no-such-order/refund"), {}).status, 404);
        const SaleAudit audit = auditSale(databaseUrl(*m_server), saleId, {orderId});
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
    }

    void refundAfterTheSaleEndedGoesToMasterStock()
    {
        const qint64 product = SaleFixture::createProduct(*m_admin, 10);
        const qint64 saleId = SaleFixture::scheduleSale(*m_admin, product, 2, 1, -100, 2500).value(QStringLiteral("saleId")).toInteger();
        HttpClient dave(m_server->baseUrl());
        dave.setBearer(dave.registerAndLogin(QStringLiteral("dave@orders.test")));
        const QString orderId = buy(dave, saleId, "dave-1");
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(dave, orderId), QStringLiteral("Confirmed"), 10000);
        QCOMPARE(HttpClient(m_server->baseUrl()).get(QStringLiteral("/stock/%1").arg(product)).json().value(QStringLiteral("stockLevel")).toInt(), 8);
        QTRY_COMPARE_WITH_TIMEOUT(HttpClient(m_server->baseUrl()).get(QStringLiteral("/sales/%1").arg(saleId)).json().value(QStringLiteral("status")).toString(),
                                  QStringLiteral("Ended"), 5000);
        QCOMPARE(m_admin->post(QStringLiteral("/orders/%1/refund").arg(orderId), {}).status, 200);
        QCOMPARE(m_admin->post(QStringLiteral("/orders/%1/refund").arg(orderId), {}).status, 200);
        QCOMPARE(HttpClient(m_server->baseUrl()).get(QStringLiteral("/stock/%1").arg(product)).json().value(QStringLiteral("stockLevel")).toInt(), 9);
        QCOMPARE(scalar(*m_server, QStringLiteral("SELECT stock_quantity FROM inventory WHERE product_id = ?"), {product}), 9);
        const QJsonObject report = m_admin->get(QStringLiteral("/admin/reconciliation")).json();
        QCOMPARE(report.value(QStringLiteral("discrepancy")).toInt(), 0);
    }

    void compensateReleasesAStuckReservationOnceAndALateChargeIsRefunded()
    {
        // A slow gateway keeps the order pending ("stuck") while its charge is in flight.
        OwnSale own([](ServerConfig &c) {
            fastPayments(c);
            c.payments.simulatedLatencyMs = 2500;
            c.payments.maxRetries = 0;
        });
        QVERIFY2(own.start(2), qPrintable(own.server.error()));
        TestServer &stuck = own.server;
        HttpClient &admin = *own.admin;
        const qint64 saleId = own.saleId;
        HttpClient erin(stuck.baseUrl());
        erin.setBearer(erin.registerAndLogin(QStringLiteral("erin@orders.test")));
        const QString orderId = buy(erin, saleId, "erin-1");
        QVERIFY(!orderId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(scalar(stuck, QStringLiteral("SELECT COUNT(*) FROM payments WHERE order_id = ?"), {orderId}), 1, 2000);
        QCOMPARE(statusOf(erin, orderId), QStringLiteral("Pending"));

        const HttpResult first = admin.post(QStringLiteral("/orders/%1/compensate").arg(orderId), {});
        QCOMPARE(first.status, 200);
        QCOMPARE(first.json().value(QStringLiteral("status")).toString(), QStringLiteral("Failed"));
        const HttpResult second = admin.post(QStringLiteral("/orders/%1/compensate").arg(orderId), {});
        QCOMPARE(second.status, 200);
        QCOMPARE(second.json().value(QStringLiteral("status")).toString(), QStringLiteral("Failed"));
        QCOMPARE(own.remaining(), 2);

        // The charge then succeeds at the gateway: the saga lost the race, so it refunds.
        SimulatedGateway *gateway = own.gateway();
        QVERIFY(gateway);
        QTRY_COMPARE_WITH_TIMEOUT(gateway->refundCount(), 1, 10000);
        QCOMPARE(gateway->chargesFor(orderId), 1);
        QTRY_COMPARE_WITH_TIMEOUT(scalar(stuck, QStringLiteral("SELECT COUNT(*) FROM payments WHERE order_id = ? AND status = 'Refunded'"), {orderId}), 1, 5000);
        QCOMPARE(statusOf(erin, orderId), QStringLiteral("Failed"));
        QCOMPARE(scalar(stuck, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE aggregate_id = ? AND event_type = 'StockReleased'"), {orderId}), 1);
        QCOMPARE(scalar(stuck, QStringLiteral("SELECT COUNT(*) FROM stock_commitments WHERE order_id = ?"), {orderId}), 0);
        const SaleAudit audit = auditSale(databaseUrl(stuck), saleId, {orderId});
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 0);
    }

    void expiryReturnsUnitsOnceAndRefundsALateCharge()
    {
        OwnSale own([](ServerConfig &c) {
            fastPayments(c);
            c.purchase.reservationTtlSeconds = 1;
            c.payments.simulatedLatencyMs = 2500;
            c.payments.maxRetries = 0;
        });
        QVERIFY2(own.start(3), qPrintable(own.server.error()));
        TestServer &expiring = own.server;
        HttpClient &admin = *own.admin;
        const qint64 saleId = own.saleId;
        HttpClient frank(expiring.baseUrl());
        frank.setBearer(frank.registerAndLogin(QStringLiteral("frank@orders.test")));
        const QString orderId = buy(frank, saleId, "frank-1");
        QVERIFY(!orderId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(frank, orderId), QStringLiteral("Expired"), 5000);
        QCOMPARE(own.remaining(), 3);
        SimulatedGateway *gateway = own.gateway();
        QTRY_COMPARE_WITH_TIMEOUT(gateway->refundCount(), 1, 10000);
        QCOMPARE(gateway->chargesFor(orderId), 1);
        QCOMPARE(statusOf(frank, orderId), QStringLiteral("Expired"));
        QCOMPARE(scalar(expiring, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE aggregate_id = ? AND event_type = 'ReservationExpired'"), {orderId}), 1);
        QCOMPARE(scalar(expiring, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE aggregate_id = ? AND event_type = 'StockReleased'"), {orderId}), 1);
        const SaleAudit audit = auditSale(databaseUrl(expiring), saleId, {orderId});
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.available, 3);
        const QJsonObject report = admin.get(QStringLiteral("/admin/reconciliation")).json();
        QCOMPARE(report.value(QStringLiteral("discrepancy")).toInt(), 0);
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

QTEST_GUILESS_MAIN(TestOrders)
#include "tst_orders.moc"
