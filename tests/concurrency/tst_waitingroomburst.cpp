// Proof under concurrency: 20,000 shoppers join one sale's waiting room at once over
// real connections, with 2,000 repeated joins mixed in. Every shopper gets one ticket,
// the tickets are exactly 1..20,000 (unique, no gaps), a repeat gets the same ticket,
// admission is a prefix of ticket order at every moment and in the database, and
// tickets and admission survive a restart.
#include "concurrentclient.h"
#include "salefixture.h"
#include "testserver.h"

#include "storage/database.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QtTest>


namespace {

constexpr int shopperCount = 20000;
constexpr int repeatCount = 2000;

RawRequest joinRequest(qint64 sale, const QByteArray &token)
{
    return RawRequest{"POST", "/sales/" + QByteArray::number(sale) + "/queue", {{"Authorization", "Bearer " + token}}, "{}"};
}

RawRequest statusRequest(qint64 sale, qint64 ticket, const QByteArray &token)
{
    return RawRequest{"GET", "/sales/" + QByteArray::number(sale) + "/queue/" + QByteArray::number(ticket),
                      {{"Authorization", "Bearer " + token}}, {}};
}

} // namespace

class TestWaitingRoomBurst : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
    }

    void twentyThousandConcurrentJoins()
    {
        TestServer server([](ServerConfig &c) {
            c.purchase.rateLimitSeconds = 0;
            c.waitingRoom.required = true;
            c.waitingRoom.joinLimitPerAddress = 0; // every shopper comes from 127.0.0.1
            c.waitingRoom.admissionRatePerSecond = 2000;
            c.waitingRoom.admissionIntervalMs = 50;
            c.waitingRoom.overbookingFactor = 1.0;
        });
        QVERIFY2(server.start(), qPrintable(server.error()));
        HttpClient admin(server.baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 100000);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 50000, 1).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);
        const QString settings = QStringLiteral("/sales/%1/queue/settings").arg(sale);
        QCOMPARE(admin.request("PUT", settings, "{\"paused\":true}").status, 200);

        ConcurrentClient setup(QHostAddress::LocalHost, server.baseUrl().port(), 200);
        const QList<QByteArray> tokens = SaleFixture::registerShoppers(setup, shopperCount, QStringLiteral("wr"));
        QCOMPARE(tokens.size(), shopperCount);
        for (const QByteArray &t : tokens)
            QVERIFY(!t.isEmpty());

        // Every shopper once, 2,000 of them twice, in a random order.
        QList<int> who;
        for (int i = 0; i < shopperCount; ++i)
            who.append(i);
        QRandomGenerator random(7);
        for (int i = 0; i < repeatCount; ++i)
            who.append(int(random.bounded(shopperCount)));
        std::shuffle(who.begin(), who.end(), std::mt19937(7));
        QList<RawRequest> joins;
        for (int shopper : who)
            joins.append(joinRequest(sale, tokens[shopper]));
        ConcurrentClient crowd(QHostAddress::LocalHost, server.baseUrl().port(), 1000);
        const QList<RawResponse> answers = crowd.run(joins);

        QHash<int, qint64> ticketOf;
        QSet<qint64> tickets;
        for (int i = 0; i < answers.size(); ++i) {
            const RawResponse &a = answers[i];
            QVERIFY2(a.status == 201 || a.status == 200, qPrintable(QStringLiteral("join %1: %2 %3 %4").arg(i).arg(a.status)
                                                                       .arg(QString::fromUtf8(a.body), a.error)));
            const qint64 ticket = a.json().value(QStringLiteral("ticket")).toInteger();
            const auto known = ticketOf.constFind(who[i]);
            if (known != ticketOf.constEnd()) {
                QCOMPARE(ticket, *known); // the repeat got the same ticket
                continue;
            }
            QVERIFY2(!tickets.contains(ticket), qPrintable(QStringLiteral("ticket %1 given twice").arg(ticket)));
            tickets.insert(ticket);
            ticketOf.insert(who[i], ticket);
        }
        QCOMPARE(ticketOf.size(), shopperCount);
        for (qint64 t = 1; t <= shopperCount; ++t)
            QVERIFY2(tickets.contains(t), qPrintable(QStringLiteral("ticket %1 missing: a gap").arg(t)));
        QHash<qint64, int> ownerOf;
        for (auto it = ticketOf.cbegin(); it != ticketOf.cend(); ++it)
            ownerOf.insert(it.value(), it.key());

        // Admit part of the queue, pause, and look at every ticket: the admitted ones are
        // exactly the first k.
        QCOMPARE(admin.request("PUT", settings, "{\"paused\":false}").status, 200);
        const QString statsPath = QStringLiteral("/sales/%1/queue").arg(sale);
        QTRY_VERIFY_WITH_TIMEOUT(admin.get(statsPath).json().value(QStringLiteral("admitted")).toInteger() >= 5000, 20000);
        QCOMPARE(admin.request("PUT", settings, "{\"paused\":true}").status, 200);
        QTest::qWait(200); // a step already in flight lands
        const qint64 admitted = admin.get(statsPath).json().value(QStringLiteral("admitted")).toInteger();
        QVERIFY(admitted >= 5000 && admitted < shopperCount);
        QList<RawRequest> polls;
        for (qint64 t = 1; t <= shopperCount; ++t)
            polls.append(statusRequest(sale, t, tokens[ownerOf[t]]));
        const QList<RawResponse> statuses = crowd.run(polls);
        for (int i = 0; i < statuses.size(); ++i) {
            const QJsonObject s = statuses[i].json();
            const qint64 ticket = i + 1;
            QCOMPARE(statuses[i].status, 200);
            QCOMPARE(s.value(QStringLiteral("admitted")).toBool(), ticket <= admitted);
            if (ticket > admitted)
                QCOMPARE(s.value(QStringLiteral("ahead")).toInteger(), ticket - admitted - 1);
        }

        // Everyone in, then the database agrees: admission times never go back in ticket order.
        QCOMPARE(admin.request("PUT", settings, "{\"paused\":false,\"admissionRatePerSecond\":20000}").status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(admin.get(statsPath).json().value(QStringLiteral("admitted")).toInteger(), qint64(shopperCount), 30000);
        {
            Database database(DatabaseUrl::parse(QStringLiteral("sqlite:") + server.dataDir() + QStringLiteral("/flashsale.db")));
            QSqlQuery q = execOrThrow(database.connection(), QStringLiteral("SELECT ticket, admitted_at FROM waiting_room_tickets "
                                                                            "WHERE sale_id = ? ORDER BY ticket"), {sale});
            qint64 expected = 1;
            qint64 lastAdmittedAt = 0;
            while (q.next()) {
                QCOMPARE(q.value(0).toLongLong(), expected++);
                QVERIFY(!q.value(1).isNull());
                QVERIFY(q.value(1).toLongLong() >= lastAdmittedAt);
                lastAdmittedAt = q.value(1).toLongLong();
            }
            QCOMPARE(expected - 1, qint64(shopperCount));
        }

        // A restart keeps every ticket and the admission; admitted shoppers can buy.
        server.stop();
        QVERIFY2(server.start(), qPrintable(server.error()));
        HttpClient again(server.baseUrl());
        again.setBearer(SaleFixture::adminToken(again));
        const QJsonObject stats = again.get(statsPath).json();
        QCOMPARE(stats.value(QStringLiteral("length")).toInteger(), qint64(shopperCount));
        QCOMPARE(stats.value(QStringLiteral("admitted")).toInteger(), qint64(shopperCount));
        ConcurrentClient after(QHostAddress::LocalHost, server.baseUrl().port(), 100);
        QList<RawRequest> sample;
        for (qint64 t = 1; t <= shopperCount; t += 97)
            sample.append(statusRequest(sale, t, tokens[ownerOf[t]]));
        QList<RawRequest> purchases;
        const QList<RawResponse> sampled = after.run(sample);
        for (int i = 0; i < sampled.size(); ++i) {
            const qint64 ticket = 1 + qint64(i) * 97;
            QCOMPARE(sampled[i].json().value(QStringLiteral("ticket")).toInteger(), ticket);
            QCOMPARE(sampled[i].json().value(QStringLiteral("status")).toString(), QStringLiteral("admitted"));
            RawRequest buy = SaleFixture::purchase(sale, tokens[ownerOf[ticket]], "burst-" + QByteArray::number(ticket), 1);
            buy.headers.append({"Admission-Token", sampled[i].json().value(QStringLiteral("admissionToken")).toString().toLatin1()});
            purchases.append(buy);
        }
        for (const RawResponse &r : after.run(purchases))
            QCOMPARE(r.status, 202);
    }
};

QTEST_GUILESS_MAIN(TestWaitingRoomBurst)
#include "tst_waitingroomburst.moc"
