// Restart safety: the server process is killed with SIGKILL in the middle of a purchase
// burst and started again on the same database. Every purchase that got a 202 is still
// there, memory is rebuilt from the journal (stock, per-user counts, idempotency
// answers), nothing is sold twice, and stock + reserved = allocation.
#include "concurrentclient.h"
#include "httpclient.h"
#include "invariants.h"
#include "salefixture.h"
#include "testserver.h"

#include <QFile>
#include <QtTest>


class TestCrashRestart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
    }

    void killedMidBurstLosesNothing()
    {
        QTemporaryDir configDir;
        const QString ini = configDir.filePath(QStringLiteral("test.ini"));
        QFile f(ini);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[purchase]\nrateLimitSeconds=0\n[auth]\nargon2OpsLimit=1\nargon2MemLimitKiB=8\ntokenRateLimitAttempts=0\nregistrationRateLimitAttempts=0\nhashingQueue=4096\n[waitingRoom]\nrequired=false\n");
        f.close();
        const QStringList args = {QStringLiteral("--config"), ini, QStringLiteral("--no-demo"), QStringLiteral("--threads"), QStringLiteral("2")};

        ServerProcess server;
        QString error;
        QVERIFY2(server.start(args, &error), qPrintable(error));
        HttpClient admin(server.baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 1000);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 300, 1).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);
        ConcurrentClient setup(QHostAddress::LocalHost, server.baseUrl().port(), 50);
        const QList<QByteArray> tokens = SaleFixture::registerShoppers(setup, 1500, QStringLiteral("crash"));

        QList<RawRequest> burst;
        for (int i = 0; i < tokens.size(); ++i)
            burst.append(SaleFixture::purchase(sale, tokens[i], "crash-key-" + QByteArray::number(i), 1));
        ConcurrentClient crowd(QHostAddress::LocalHost, server.baseUrl().port(), 300);
        int acceptedSoFar = 0;
        bool killed = false;
        crowd.setOnAnswer([&](int, const RawResponse &answer) {
            if (answer.status == 202 && ++acceptedSoFar == 100 && !killed) {
                killed = true;
                server.kill(); // SIGKILL: no clean-up, no flush beyond what was committed
            }
        });
        const QList<RawResponse> answers = crowd.run(burst, 60000);
        QVERIFY2(killed, "the burst ended before the kill");

        QHash<int, QString> acceptedByShopper;
        int noAnswer = 0;
        for (int i = 0; i < answers.size(); ++i) {
            if (answers[i].status == 202)
                acceptedByShopper.insert(i, answers[i].json().value(QStringLiteral("orderId")).toString());
            else if (answers[i].status == 0)
                ++noAnswer;
            else
                QVERIFY2(answers[i].status == 409, qPrintable(QString::fromUtf8(answers[i].body)));
        }
        qInfo() << "before the kill:" << acceptedByShopper.size() << "accepted," << noAnswer << "without an answer";
        QVERIFY(noAnswer > 0); // the kill really cut the burst

        const QString db = QStringLiteral("sqlite:") + server.dataDir() + QStringLiteral("/flashsale.db");
        QSet<QString> accepted(acceptedByShopper.cbegin(), acceptedByShopper.cend());
        SaleAudit afterCrash = auditSale(db, sale, accepted);
        QVERIFY2(afterCrash.violations.isEmpty(), qPrintable(afterCrash.violations.join(QLatin1Char('\n'))));

        // Start again on the same data: memory comes back from the journal.
        QVERIFY2(server.start(args, &error), qPrintable(error));
        HttpClient reader(server.baseUrl());
        const QJsonObject restarted = reader.get(QStringLiteral("/sales/%1").arg(sale)).json();
        QCOMPARE(restarted.value(QStringLiteral("remainingStock")).toInteger(), 300 - afterCrash.reserved);

        // Everyone retries with the same key: accepted ones get their order back, the
        // others are served now; nobody gets a second order.
        ConcurrentClient retryCrowd(QHostAddress::LocalHost, server.baseUrl().port(), 300);
        const QList<RawResponse> retries = retryCrowd.run(burst, 60000);
        QSet<QString> allOrders;
        for (int i = 0; i < retries.size(); ++i) {
            QVERIFY2(retries[i].status == 202 || retries[i].status == 409,
                     qPrintable(QStringLiteral("%1 %2").arg(retries[i].status).arg(QString::fromUtf8(retries[i].body))));
            if (acceptedByShopper.contains(i)) {
                QCOMPARE(retries[i].status, 202);
                QCOMPARE(retries[i].json().value(QStringLiteral("orderId")).toString(), acceptedByShopper.value(i));
            }
            if (retries[i].status == 202)
                allOrders.insert(retries[i].json().value(QStringLiteral("orderId")).toString());
        }
        QCOMPARE(allOrders.size(), 300); // 1,500 shoppers wanted one each: all 300 sold, once
        const SaleAudit final = auditSale(db, sale, allOrders);
        QVERIFY2(final.violations.isEmpty(), qPrintable(final.violations.join(QLatin1Char('\n'))));
        QCOMPARE(final.reserved, 300);
        QCOMPARE(final.reservations, 300);
        server.terminate();
    }
};

QTEST_GUILESS_MAIN(TestCrashRestart)
#include "tst_crashrestart.moc"
