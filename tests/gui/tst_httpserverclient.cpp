// HttpServerClient, the console's one way to the server, against a real server on
// loopback: problem details (with the 422 field errors) handed back to the caller, the
// access token refreshed before it expires, answers dropped for callers that are gone,
// and no answer at all reported as such.
#include "client/httpserverclient.h"

#include "httpclient.h"
#include "testserver.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

#include <optional>

namespace {

const QString adminEmail = QStringLiteral("client-admin@example.com");
const QString adminPassword = QStringLiteral("client admin password 42");
constexpr int accessTokenTtlSeconds = 3;

// Starts a call and waits for its answer.
template<typename T, typename Call>
Api::Result<T> await(Call call)
{
    std::optional<Api::Result<T>> answer;
    call([&answer](const Api::Result<T> &r) { answer = r; });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 20000))
        return Api::Result<T>::failure(Api::Error::network(QStringLiteral("test timed out")));
    return *answer;
}

Api::ProductDraft phone()
{
    Api::ProductDraft d;
    d.name = QStringLiteral("Phone Y");
    d.description = QStringLiteral("A phone");
    d.regularPriceCents = 59900;
    d.stock = 100;
    return d;
}

} // namespace

class TestHttpServerClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("FLASHSALE_ADMIN_EMAIL", adminEmail.toUtf8());
        qputenv("FLASHSALE_ADMIN_PASSWORD", adminPassword.toUtf8());
        m_server = std::make_unique<TestServer>([](ServerConfig &c) { c.auth.accessTokenTtlSeconds = accessTokenTtlSeconds; });
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_client = std::make_unique<HttpServerClient>(m_server->baseUrl());
    }

    void wrongPasswordIsAProblemWithStatus401()
    {
        const auto r = await<Api::Session>([this](auto done) { m_client->login(adminEmail, QStringLiteral("nope"), nullptr, done); });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, Api::Error::Kind::Http);
        QCOMPARE(r.error().status, 401);
        QVERIFY(!r.error().title.isEmpty());
        QVERIFY(!m_client->isLoggedIn());
    }

    void adminCallsWithoutSignInAre401()
    {
        const auto r = await<Api::Product>([this](auto done) { m_client->createProduct(phone(), nullptr, done); });
        QCOMPARE(r.error().status, 401);
    }

    void signsIn()
    {
        QSignalSpy changed(m_client.get(), &ServerClient::sessionChanged);
        const auto r = await<Api::Session>([this](auto done) { m_client->login(adminEmail, adminPassword, nullptr, done); });
        QVERIFY2(r.ok(), qPrintable(r.error().message()));
        QCOMPARE(r.value().email, adminEmail);
        QVERIFY(r.value().accessTokenExpiry > QDateTime::currentDateTimeUtc());
        QCOMPARE(m_client->userEmail(), adminEmail);
        QCOMPARE(changed.count(), 1);
    }

    void validationErrorsComeBackFieldByField()
    {
        Api::ProductDraft bad = phone();
        bad.name.clear();
        bad.regularPriceCents = -5;
        const auto r = await<Api::Product>([this, bad](auto done) { m_client->createProduct(bad, nullptr, done); });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().status, 422);
        QVERIFY(r.error().isValidation());
        QVERIFY2(r.error().fieldErrors.contains(QStringLiteral("name")), qPrintable(r.error().fieldErrors.keys().join(u',')));
        QVERIFY(r.error().fieldErrors.contains(QStringLiteral("regularPrice")));
    }

    void createsListsAndUpdatesProducts()
    {
        const auto created = await<Api::Product>([this](auto done) { m_client->createProduct(phone(), nullptr, done); });
        QVERIFY2(created.ok(), qPrintable(created.error().message()));
        QCOMPARE(created.value().name, QStringLiteral("Phone Y"));
        QCOMPARE(created.value().regularPriceCents, 59900);
        QCOMPARE(created.value().stock, 100);
        m_productId = created.value().id;

        Api::ProductDraft edit = phone();
        edit.stock = 80;
        edit.regularPriceCents = 54900;
        const auto updated = await<Api::Product>([this, edit](auto done) { m_client->updateProduct(m_productId, edit, nullptr, done); });
        QVERIFY2(updated.ok(), qPrintable(updated.error().message()));
        QCOMPARE(updated.value().regularPriceCents, 54900);

        const auto stock = await<Api::StockLevel>([this](auto done) { m_client->getStock(m_productId, nullptr, done); });
        QVERIFY(stock.ok());
        QCOMPARE(stock.value().level, 80);

        const auto list = await<QList<Api::Product>>([this](auto done) { m_client->listProducts(nullptr, done); });
        QVERIFY(list.ok());
        QCOMPARE(list.value().size(), 1);
    }

    void schedulesAndReadsASale()
    {
        Api::SaleDraft d;
        d.name = QStringLiteral("Client sale");
        d.productId = m_productId;
        d.salePriceCents = 29950;
        d.quantity = 30;
        d.perUserLimit = 3;
        d.startTime = QDateTime::currentDateTimeUtc().addSecs(600);
        d.endTime = d.startTime.addSecs(3600);
        const auto created = await<Api::Sale>([this, d](auto done) { m_client->createSale(d, nullptr, done); });
        QVERIFY2(created.ok(), qPrintable(created.error().message()));
        QCOMPARE(created.value().status, Api::Sale::Status::Scheduled);
        QCOMPARE(created.value().remainingStock, 30);
        QCOMPARE(created.value().salePriceCents, 29950);
        QCOMPARE(created.value().startTime.toSecsSinceEpoch(), d.startTime.toSecsSinceEpoch());

        const auto one = await<Api::Sale>([this, &created](auto done) { m_client->getSale(created.value().id, nullptr, done); });
        QVERIFY(one.ok());
        QCOMPARE(one.value().name, d.name);
        QCOMPARE(one.value().productName, QStringLiteral("Phone Y"));

        d.quantity = 1000; // more than the 50 left in master stock
        const auto tooMany = await<Api::Sale>([this, d](auto done) { m_client->createSale(d, nullptr, done); });
        QCOMPARE(tooMany.error().status, 409);
        QVERIFY(!tooMany.error().detail.isEmpty());

        const auto all = await<QList<Api::Sale>>([this](auto done) { m_client->listSales(nullptr, done); });
        QVERIFY(all.ok());
        QCOMPARE(all.value().size(), 1);
        m_saleId = created.value().id;
    }

    void operatorCallsAnswerAndFailWithProblemDetails()
    {
        QVERIFY(m_saleId > 0);
        const auto queue = await<Api::QueueStats>([this](auto done) { m_client->getQueueStats(m_saleId, nullptr, done); });
        QVERIFY2(queue.ok(), qPrintable(queue.error().message()));
        QCOMPARE(queue.value().saleId, m_saleId);
        Api::QueueSettingsChange change;
        change.paused = true;
        change.admissionRatePerSecond = 12.5;
        const auto changed = await<Api::QueueStats>([this, change](auto done) { m_client->changeQueueSettings(m_saleId, change, nullptr, done); });
        QVERIFY2(changed.ok(), qPrintable(changed.error().message()));
        QVERIFY(changed.value().paused);
        QCOMPARE(changed.value().admissionRatePerSecond, 12.5);
        change.admissionRatePerSecond = -1;
        const auto invalid = await<Api::QueueStats>([this, change](auto done) { m_client->changeQueueSettings(m_saleId, change, nullptr, done); });
        QVERIFY(invalid.error().isValidation());
        QVERIFY(invalid.error().fieldErrors.contains(QStringLiteral("admissionRatePerSecond")));

        const auto started = await<Api::Sale>([this](auto done) { m_client->startSaleNow(m_saleId, nullptr, done); });
        QVERIFY2(started.ok(), qPrintable(started.error().message()));
        QCOMPARE(started.value().status, Api::Sale::Status::Active);
        const auto again = await<Api::Sale>([this](auto done) { m_client->startSaleNow(m_saleId, nullptr, done); });
        QCOMPARE(again.error().status, 409);
        QVERIFY(!again.error().title.isEmpty());
        const auto audit = await<QList<Api::AuditEntry>>([this](auto done) { m_client->listAudit(m_saleId, nullptr, done); });
        QVERIFY(audit.ok());
        QCOMPARE(audit.value().size(), 2); // newest first; the refused change left no entry
        QCOMPARE(audit.value().first().action, QStringLiteral("sale.startNow"));
        QCOMPARE(audit.value().first().actorEmail, adminEmail);
        QCOMPARE(audit.value().at(1).action, QStringLiteral("queue.settings"));

        const auto orders = await<QList<Api::Order>>([this](auto done) { m_client->listOrders({}, nullptr, done); });
        QVERIFY(orders.ok());
        QVERIFY(orders.value().isEmpty());
        const auto missing = await<Api::Order>([this](auto done) { m_client->refundOrder(QStringLiteral("no-such-order"), nullptr, done); });
        QCOMPARE(missing.error().status, 404);
        const auto reconciliation = await<Api::Reconciliation>([this](auto done) { m_client->getReconciliation(nullptr, done); });
        QVERIFY2(reconciliation.ok(), qPrintable(reconciliation.error().message()));
        QCOMPARE(reconciliation.value().discrepancy, 0);
        const auto metrics = await<Api::MetricsSnapshot>([this](auto done) { m_client->getMetrics(nullptr, done); });
        QVERIFY(metrics.ok());
        QVERIFY(metrics.value().size() > 10);
        QVERIFY(m_client->notificationsUrl().toString().startsWith(QStringLiteral("ws://")));
        QVERIFY(m_client->notificationsUrl().query().startsWith(QStringLiteral("access_token=")));
    }

    void refreshesTheAccessTokenBeforeItExpires()
    {
        QSignalSpy refreshed(m_client.get(), &ServerClient::accessTokenRenewed);
        QSignalSpy expired(m_client.get(), &ServerClient::sessionExpired);
        QTest::qWait((accessTokenTtlSeconds + 1) * 1000 + 500); // past the first token's expiry
        QVERIFY(refreshed.count() >= 1);
        QCOMPARE(expired.count(), 0);
        const auto r = await<Api::Product>([this](auto done) { m_client->createProduct(phone(), nullptr, done); });
        QVERIFY2(r.ok(), qPrintable(r.error().message()));
        QVERIFY(m_client->isLoggedIn());
    }

    void answersForADestroyedContextAreDropped()
    {
        bool called = false;
        auto *context = new QObject;
        m_client->listSales(context, [&called](const Api::Result<QList<Api::Sale>> &) { called = true; });
        delete context;
        bool control = false;
        m_client->listSales(nullptr, [&control](const Api::Result<QList<Api::Sale>> &) { control = true; });
        QTRY_VERIFY(control);
        QTest::qWait(100);
        QVERIFY(!called);
    }

    void healthIsReady()
    {
        const auto r = await<Api::Health>([this](auto done) { m_client->checkHealth(nullptr, done); });
        QVERIFY(r.ok());
        QCOMPARE(r.value().status, QStringLiteral("ready"));
    }

    void noServerIsANetworkError()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        HttpServerClient nowhere(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
        const auto r = await<Api::Health>([&nowhere](auto done) { nowhere.checkHealth(nullptr, done); });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, Api::Error::Kind::Network);
        QCOMPARE(r.error().status, 0);
        QVERIFY(!r.error().message().isEmpty());
    }

    void signingOutEndsTheSession()
    {
        m_client->logout();
        QVERIFY(!m_client->isLoggedIn());
        const auto r = await<Api::Product>([this](auto done) { m_client->createProduct(phone(), nullptr, done); });
        QCOMPARE(r.error().status, 401);
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpServerClient> m_client;
    qint64 m_saleId = 0;
    qint64 m_productId = 0;
};

QTEST_MAIN(TestHttpServerClient)
#include "tst_httpserverclient.moc"
