// Proof under concurrency: thousands of purchase attempts at once over real
// connections, from 2,000 distinct shoppers, on 100 units, with retries that reuse
// their idempotency keys; then the database is audited. On SQLite and on PostgreSQL.
#include "concurrentclient.h"
#include "invariants.h"
#include "postgresfixture.h"
#include "salefixture.h"
#include "testserver.h"

#include <QRandomGenerator>
#include <QtTest>


class TestPurchaseBurst : public QObject
{
    Q_OBJECT

    void burst(const QString &databaseUrl, int perUserLimit, bool mixedQuantities)
    {
        TestServer server([&](ServerConfig &c) {
            c.purchase.rateLimitSeconds = 0;
            c.database.url = databaseUrl;
        });
        QVERIFY2(server.start(), qPrintable(server.error()));
        const QString url = databaseUrl.isEmpty() ? QStringLiteral("sqlite:") + server.dataDir() + QStringLiteral("/flashsale.db") : databaseUrl;
        HttpClient admin(server.baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        QVERIFY(!admin.login(SaleFixture::adminEmail, SaleFixture::adminPassword).isEmpty());
        const qint64 product = SaleFixture::createProduct(admin, 100);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 100, perUserLimit).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);

        ConcurrentClient setup(QHostAddress::LocalHost, server.baseUrl().port(), 100);
        const QList<QByteArray> tokens = SaleFixture::registerShoppers(setup, 2000, QStringLiteral("burst%1").arg(perUserLimit));
        QCOMPARE(tokens.size(), 2000);
        for (const QByteArray &t : tokens)
            QVERIFY(!t.isEmpty());

        // 5,000 attempts: every shopper once or more, and 1,000 retries of earlier keys.
        QList<RawRequest> requests;
        QList<QByteArray> keys;
        QRandomGenerator random(42);
        for (int i = 0; i < 5000; ++i) {
            const int shopper = i % 2000;
            const QByteArray key = "shopper" + QByteArray::number(shopper) + "-attempt" + QByteArray::number(i / 2000);
            const int quantity = mixedQuantities ? 1 + int(random.bounded(perUserLimit)) : 1;
            requests.append(SaleFixture::purchase(sale, tokens[shopper], key, quantity));
            keys.append(key);
        }
        for (int i = 0; i < 1000; ++i) {
            const int original = int(random.bounded(5000));
            requests.append(requests[original]);
            keys.append(keys[original]);
        }
        ConcurrentClient crowd(QHostAddress::LocalHost, server.baseUrl().port(), 800);
        const QList<RawResponse> answers = crowd.run(requests);

        QHash<QByteArray, QString> orderByKey;
        QSet<QString> accepted;
        qint64 acceptedUnits = 0;
        QMap<int, int> byStatus;
        for (int i = 0; i < answers.size(); ++i) {
            const RawResponse &a = answers[i];
            byStatus[a.status]++;
            QVERIFY2(a.status == 202 || a.status == 409, qPrintable(QStringLiteral("answer %1: %2 %3 %4").arg(i).arg(a.status)
                                                                     .arg(QString::fromUtf8(a.body), a.error)));
            if (a.status != 202)
                continue;
            const QString orderId = a.json().value(QStringLiteral("orderId")).toString();
            const auto known = orderByKey.constFind(keys[i]);
            if (known != orderByKey.constEnd()) {
                QCOMPARE(orderId, *known); // a retry gets the same order
                continue;
            }
            orderByKey.insert(keys[i], orderId);
            QVERIFY(!accepted.contains(orderId));
            accepted.insert(orderId);
            acceptedUnits += a.json().value(QStringLiteral("quantity")).toInt();
        }
        qInfo() << "answers by status" << byStatus << "accepted orders" << accepted.size() << "units" << acceptedUnits;
        QCOMPARE(acceptedUnits, 100); // demand far above supply: exactly all units, never more

        // Retries after the burst (the same request again: the same key with another
        // quantity is refused 422, see tst_purchaseretries) still get their first answer.
        QList<RawRequest> retries;
        QList<QByteArray> retryKeys;
        for (auto it = orderByKey.cbegin(); it != orderByKey.cend() && retries.size() < 50; ++it) {
            retries.append(requests[int(keys.indexOf(it.key()))]);
            retryKeys.append(it.key());
        }
        const QList<RawResponse> again = crowd.run(retries);
        for (int i = 0; i < again.size(); ++i) {
            QCOMPARE(again[i].status, 202);
            QCOMPARE(again[i].json().value(QStringLiteral("orderId")).toString(), orderByKey.value(retryKeys[i]));
        }

        const SaleAudit audit = auditSale(url, sale, accepted);
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 100);
        QCOMPARE(audit.available, 0);
        QCOMPARE(audit.reservations, qint64(accepted.size()));
        QVERIFY(audit.maxHeldByOneUser <= perUserLimit);
    }

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
    }

    void sqliteLimitOne() { burst(QString(), 1, false); }
    void sqliteLimitTwoMixedQuantities() { burst(QString(), 2, true); }

    void postgresLimitOne() { PostgresFixture::runOnFresh([this](const QString &url) { burst(url, 1, false); }); }

    void postgresLimitTwoMixedQuantities() { PostgresFixture::runOnFresh([this](const QString &url) { burst(url, 2, true); }); }
};

QTEST_GUILESS_MAIN(TestPurchaseBurst)
#include "tst_purchaseburst.moc"
