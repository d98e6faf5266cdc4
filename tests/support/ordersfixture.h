#pragma once
// Helpers shared by the order-pipeline suites (http/tst_orders*.cpp,
// concurrency/tst_orderpipeline.cpp, tst_paymentgatewayfaults.cpp): a server of its own with fast simulated payments, an
// admin, a product and a running sale; buying; reading an order's status; one SQL value
// from the server's SQLite file; the reconciler's discrepancy.
#include "httpclient.h"
#include "salefixture.h"
#include "testserver.h"

#include "orders/ordersmodule.h"
#include "payments/resilientgateway.h"
#include "payments/simulatedgateway.h"
#include "storage/database.h"

#include <QtTest>

namespace OrdersFixture {

inline void fastPayments(ServerConfig &c)
{
    c.purchase.rateLimitSeconds = 0;
    c.payments.simulatedLatencyMs = 5;
    c.payments.backoffBaseMs = 10;
    c.payments.backoffMaxMs = 40;
    c.orders.pollIntervalMs = 100;
    c.orders.outboxPollMs = 50;
    c.orders.reconcileIntervalSeconds = 0;
}

inline QString databaseUrl(TestServer &s)
{
    return QStringLiteral("sqlite:") + s.dataDir() + QStringLiteral("/flashsale.db");
}

inline qint64 scalar(TestServer &s, const QString &sql, const QVariantList &bind = {})
{
    Database database(DatabaseUrl::parse(databaseUrl(s)));
    QSqlQuery q = execOrThrow(database.connection(), sql, bind);
    return q.next() ? q.value(0).toLongLong() : -1;
}

// Returns the orderId of a 202, or an empty string.
inline QString buy(HttpClient &c, qint64 saleId, const QByteArray &key)
{
    const HttpResult r = c.request("POST", QStringLiteral("/sales/%1/purchase").arg(saleId), "{\"quantity\":1}", {{"Idempotency-Key", key}});
    if (r.status != 202)
        qWarning("purchase answered %d: %s", r.status, r.body.constData());
    return r.status == 202 ? r.json().value(QStringLiteral("orderId")).toString() : QString();
}

inline QJsonObject order(HttpClient &c, const QString &orderId)
{
    return c.get(QStringLiteral("/orders/") + orderId).json();
}

inline QString statusOf(HttpClient &c, const QString &orderId)
{
    return order(c, orderId).value(QStringLiteral("status")).toString();
}

// Runs the reconciler twice (a memory/database difference counts once it is seen twice)
// and returns the second run's discrepancy, or -1 when the /metrics gauge disagrees.
inline qint64 reconciliationDiscrepancy(HttpClient &admin)
{
    admin.get(QStringLiteral("/admin/reconciliation"));
    const HttpResult second = admin.get(QStringLiteral("/admin/reconciliation"));
    const qint64 discrepancy = second.status == 200 ? second.json().value(QStringLiteral("discrepancy")).toInteger(-1) : -1;
    if (discrepancy != 0)
        qWarning("reconciliation answered %d: %s", second.status, second.body.constData());
    const QByteArray gauge = "\nflashsale_reconciliation_discrepancy " + QByteArray::number(discrepancy) + '\n';
    return admin.get(QStringLiteral("/metrics")).body.contains(gauge) ? discrepancy : -1;
}

// A server of its own for one test, with an admin, a product and a running sale.
struct OwnSale
{
    explicit OwnSale(const TestServer::Tweak &tweak) : server(tweak) {}
    bool start(qint64 quantity, int perUserLimit = 1)
    {
        if (!server.start())
            return false;
        admin = std::make_unique<HttpClient>(server.baseUrl());
        admin->setBearer(SaleFixture::adminToken(*admin));
        product = SaleFixture::createProduct(*admin, quantity + 10);
        saleId = SaleFixture::scheduleSale(*admin, product, quantity, perUserLimit).value(QStringLiteral("saleId")).toInteger();
        return saleId > 0;
    }
    ResilientGateway &resilient() { return server.server().module<OrdersModule>()->gateway(); }
    SimulatedGateway *gateway() { return dynamic_cast<SimulatedGateway *>(&resilient().inner()); }
    int remaining()
    {
        return HttpClient(server.baseUrl()).get(QStringLiteral("/sales/%1").arg(saleId)).json().value(QStringLiteral("remainingStock")).toInt();
    }

    TestServer server;
    std::unique_ptr<HttpClient> admin;
    qint64 product = 0;
    qint64 saleId = 0;
};

} // namespace OrdersFixture
