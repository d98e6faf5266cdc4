// The waiting room one shopper at a time, against a real server: tickets in arrival
// order, a second join returns the same ticket, admission in ticket order, the purchase
// rules for missing, forged, expired and borrowed admission tokens, the merchant's rate
// and pause, the overbooking hold and the sold-out notice, proof of work, the
// low-priority lane, account gates, join limits, a shuffled pre-queue, and a restart.
#include "httpclient.h"
#include "salefixture.h"
#include "testserver.h"

#include "waitingroom/proofofwork.h"

#include <QJsonDocument>
#include <QtTest>

namespace {

QString queuePath(qint64 sale) { return QStringLiteral("/sales/%1/queue").arg(sale); }
QString ticketPath(qint64 sale, qint64 ticket) { return QStringLiteral("/sales/%1/queue/%2").arg(sale).arg(ticket); }

HttpResult join(HttpClient &c, qint64 sale, const QJsonObject &body = {})
{
    return c.post(queuePath(sale), body);
}

HttpResult buy(HttpClient &c, qint64 sale, const QByteArray &key, const QByteArray &admissionToken)
{
    QHash<QByteArray, QByteArray> headers{{"Idempotency-Key", key}};
    if (!admissionToken.isEmpty())
        headers.insert("Admission-Token", admissionToken);
    return c.request("POST", QStringLiteral("/sales/%1/purchase").arg(sale), "{\"quantity\":1}", headers);
}

QByteArray solve(const QByteArray &challenge, int bits)
{
    for (int i = 0;; ++i) {
        const QByteArray nonce = QByteArray::number(i);
        if (ProofOfWork::solves(challenge, nonce, bits))
            return nonce;
    }
}

QByteArray wrongNonce(const QByteArray &challenge, int bits)
{
    for (int i = 0;; ++i) {
        const QByteArray nonce = "x" + QByteArray::number(i);
        if (!ProofOfWork::solves(challenge, nonce, bits))
            return nonce;
    }
}

// A server with the waiting room on, admitting fast.
TestServer::Tweak queueOn(const std::function<void(ServerConfig::WaitingRoom &)> &more = {})
{
    return [more](ServerConfig &c) {
        c.purchase.rateLimitSeconds = 0;
        c.waitingRoom.required = true;
        c.waitingRoom.admissionRatePerSecond = 1000;
        c.waitingRoom.admissionIntervalMs = 20;
        c.waitingRoom.overbookingFactor = 1.0;
        c.waitingRoom.humanMinMs = 0;
        if (more)
            more(c.waitingRoom);
    };
}

struct Shop
{
    std::unique_ptr<TestServer> server;
    std::unique_ptr<HttpClient> admin;
    qint64 product = 0;

    bool start(const TestServer::Tweak &tweak)
    {
        server = std::make_unique<TestServer>(tweak);
        if (!server->start())
            return false;
        admin = std::make_unique<HttpClient>(server->baseUrl());
        admin->setBearer(SaleFixture::adminToken(*admin));
        product = SaleFixture::createProduct(*admin, 100000);
        return product > 0;
    }
    qint64 sale(qint64 quantity, qint64 startInMs = -1000, int perUserLimit = 1)
    {
        return SaleFixture::scheduleSale(*admin, product, quantity, perUserLimit, startInMs).value(QStringLiteral("saleId")).toInteger();
    }
    std::unique_ptr<HttpClient> shopper(const QString &name)
    {
        auto c = std::make_unique<HttpClient>(server->baseUrl());
        c->setBearer(c->registerAndLogin(name + QStringLiteral("@queue.test")));
        return c;
    }
    HttpResult settings(qint64 sale, const QJsonObject &body)
    {
        return admin->request("PUT", queuePath(sale) + QStringLiteral("/settings"), QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
};

} // namespace

class TestWaitingRoom : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        QVERIFY2(m_shop.start(queueOn()), qPrintable(m_shop.server->error()));
    }

    void ticketsInArrivalOrderAndASecondJoinKeepsTheTicket()
    {
        const qint64 sale = m_shop.sale(10, 3600 * 1000); // pre-queue: starts in an hour
        auto a = m_shop.shopper(QStringLiteral("order-a"));
        auto b = m_shop.shopper(QStringLiteral("order-b"));
        const HttpResult first = join(*a, sale);
        QCOMPARE(first.status, 201);
        QCOMPARE(first.json().value(QStringLiteral("ticket")).toInteger(), 1);
        QCOMPARE(first.json().value(QStringLiteral("position")).toInteger(), 1);
        QCOMPARE(first.json().value(QStringLiteral("ahead")).toInteger(), 0);
        QCOMPARE(first.json().value(QStringLiteral("admitted")).toBool(), false);
        QVERIFY(first.json().value(QStringLiteral("admissionToken")).isNull());
        QCOMPARE(first.json().value(QStringLiteral("status")).toString(), QStringLiteral("waiting"));
        QVERIFY(first.json().value(QStringLiteral("estimatedWaitSeconds")).toInteger() >= 3500); // the start is an hour away
        const HttpResult second = join(*b, sale);
        QCOMPARE(second.status, 201);
        QCOMPARE(second.json().value(QStringLiteral("ticket")).toInteger(), 2);
        QCOMPARE(second.json().value(QStringLiteral("ahead")).toInteger(), 1);

        const HttpResult again = join(*a, sale); // a reload
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(QStringLiteral("ticket")).toInteger(), 1);

        const HttpResult poll = a->get(ticketPath(sale, 1));
        QCOMPARE(poll.status, 200);
        QCOMPARE(poll.json().value(QStringLiteral("position")).toInteger(), 1);
        QCOMPARE(poll.header("cache-control"), QByteArray("no-store"));
        QCOMPARE(b->get(ticketPath(sale, 1)).status, 404); // someone else's ticket
        QCOMPARE(a->get(ticketPath(sale, 99)).status, 404);
        QCOMPARE(HttpClient(m_shop.server->baseUrl()).post(queuePath(sale), {}).status, 401);
        QCOMPARE(join(*a, 999999).status, 404);

        // Not started: nobody is admitted, and nobody may buy.
        QTest::qWait(100);
        QCOMPARE(a->get(ticketPath(sale, 1)).json().value(QStringLiteral("admitted")).toBool(), false);
    }

    // purchase/retireAfterEndSeconds after a sale ends, its waiting room leaves memory:
    // a poll is answered 410, a join still sale-ended, and the merchant's counts stay.
    void anEndedSalesWaitingRoomLeavesMemory()
    {
        Shop shop;
        QVERIFY(shop.start([](ServerConfig &c) {
            queueOn()(c);
            c.purchase.retireAfterEndSeconds = 0; // closed at the next admission round
        }));
        const qint64 scheduled = shop.sale(10, 3600 * 1000);
        const HttpResult early = shop.admin->post(QStringLiteral("/sales/%1/end").arg(scheduled), {});
        QCOMPARE(early.status, 409); // its window would end before it starts: refused, nothing changed
        QVERIFY(early.json().value(QStringLiteral("type")).toString().endsWith(QStringLiteral("not-started")));
        const qint64 sale = shop.sale(10);
        auto a = shop.shopper(QStringLiteral("closed-a"));
        auto b = shop.shopper(QStringLiteral("closed-b"));
        QCOMPARE(join(*a, sale).status, 201);
        QCOMPARE(join(*b, sale).status, 201);
        QCOMPARE(a->get(ticketPath(sale, 1)).status, 200);

        const HttpResult ended = shop.admin->post(QStringLiteral("/sales/%1/end").arg(sale), {});
        QVERIFY2(ended.status == 200, ended.body.constData());
        QTRY_COMPARE_WITH_TIMEOUT(a->get(ticketPath(sale, 1)).status, 410, 10000);
        const HttpResult closed = b->get(ticketPath(sale, 2));
        QCOMPARE(closed.status, 410);
        QVERIFY(closed.isProblem());
        QVERIFY(closed.json().value(QStringLiteral("type")).toString().endsWith(QStringLiteral("waiting-room-closed")));
        QCOMPARE(b->get(ticketPath(sale, 99)).status, 410); // no ticket is read: the same for any number
        const HttpResult rejoin = join(*a, sale);
        QCOMPARE(rejoin.status, 409);
        QVERIFY(rejoin.json().value(QStringLiteral("type")).toString().endsWith(QStringLiteral("sale-ended")));
        const HttpResult stats = shop.admin->get(queuePath(sale));
        QCOMPARE(stats.status, 200);
        QCOMPARE(stats.json().value(QStringLiteral("length")).toInteger(), 2);
    }

    void admissionInTicketOrderAndThePurchaseRules()
    {
        const qint64 sale = m_shop.sale(10);
        QVERIFY(m_shop.settings(sale, {{QStringLiteral("paused"), true}}).status == 200);
        auto a = m_shop.shopper(QStringLiteral("rules-a"));
        auto b = m_shop.shopper(QStringLiteral("rules-b"));
        auto c = m_shop.shopper(QStringLiteral("rules-c"));
        QCOMPARE(join(*a, sale).json().value(QStringLiteral("ticket")).toInteger(), 1);
        QCOMPARE(join(*b, sale).json().value(QStringLiteral("ticket")).toInteger(), 2);
        QCOMPARE(join(*c, sale).json().value(QStringLiteral("ticket")).toInteger(), 3);

        // Not admitted yet: 403 without a token.
        const HttpResult none = buy(*a, sale, "rules-a-1", {});
        QCOMPARE(none.status, 403);
        QVERIFY(none.isProblem());
        QCOMPARE(none.json().value(QStringLiteral("type")).toString(), QStringLiteral("/problems/not-admitted"));

        // One per second: the order shows.
        QCOMPARE(m_shop.settings(sale, {{QStringLiteral("paused"), false}, {QStringLiteral("admissionRatePerSecond"), 4}}).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(a->get(ticketPath(sale, 1)).json().value(QStringLiteral("admitted")).toBool(), 5000);
        QCOMPARE(c->get(ticketPath(sale, 3)).json().value(QStringLiteral("admitted")).toBool(), false);
        QTRY_VERIFY_WITH_TIMEOUT(b->get(ticketPath(sale, 2)).json().value(QStringLiteral("admitted")).toBool(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(c->get(ticketPath(sale, 3)).json().value(QStringLiteral("admitted")).toBool(), 5000);

        const QJsonObject statusA = a->get(ticketPath(sale, 1)).json();
        QCOMPARE(statusA.value(QStringLiteral("status")).toString(), QStringLiteral("admitted"));
        QCOMPARE(statusA.value(QStringLiteral("position")).toInteger(), 0);
        const QByteArray tokenA = statusA.value(QStringLiteral("admissionToken")).toString().toLatin1();
        const QByteArray tokenB = b->get(ticketPath(sale, 2)).json().value(QStringLiteral("admissionToken")).toString().toLatin1();
        QVERIFY(!tokenA.isEmpty());
        QCOMPARE(a->get(ticketPath(sale, 1)).json().value(QStringLiteral("admissionToken")).toString().toLatin1(), tokenA); // stable

        QCOMPARE(buy(*a, sale, "rules-a-2", {}).status, 403);           // missing
        QByteArray forged = tokenA;
        forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
        QCOMPARE(buy(*a, sale, "rules-a-3", forged).status, 403);       // forged signature
        QByteArray otherPayload = tokenB.left(tokenB.indexOf('.')) + tokenA.mid(tokenA.indexOf('.'));
        QCOMPARE(buy(*a, sale, "rules-a-4", otherPayload).status, 403); // spliced
        const HttpResult borrowed = buy(*a, sale, "rules-a-5", tokenB);
        QCOMPARE(borrowed.status, 403);                                 // another shopper's
        QVERIFY(borrowed.json().value(QStringLiteral("detail")).toString().contains(QStringLiteral("another shopper")));
        const qint64 otherSale = m_shop.sale(10);
        QCOMPARE(buy(*a, otherSale, "rules-a-6", tokenA).status, 403);  // another sale's
        QCOMPARE(buy(*a, sale, "rules-a-7", tokenA).status, 202);       // the real one
        QCOMPARE(buy(*b, sale, "rules-b-1", tokenB).status, 202);

        const QJsonObject stats = m_shop.admin->get(queuePath(sale)).json();
        QCOMPARE(stats.value(QStringLiteral("length")).toInteger(), 3);
        QCOMPARE(stats.value(QStringLiteral("admitted")).toInteger(), 3);
        QCOMPARE(stats.value(QStringLiteral("waiting")).toInteger(), 0);
        QCOMPARE(stats.value(QStringLiteral("admissionRatePerSecond")).toDouble(), 4.0);
        QCOMPARE(a->get(queuePath(sale)).status, 403); // the stats are the merchant's
    }

    void expiredTokensAreRefused()
    {
        Shop shop;
        QVERIFY(shop.start(queueOn([](ServerConfig::WaitingRoom &w) { w.admissionTokenTtlSeconds = 1; })));
        const qint64 sale = shop.sale(10);
        auto a = shop.shopper(QStringLiteral("expiry-a"));
        QCOMPARE(join(*a, sale).status, 201);
        QTRY_VERIFY_WITH_TIMEOUT(a->get(ticketPath(sale, 1)).json().value(QStringLiteral("admitted")).toBool(), 5000);
        const QByteArray token = a->get(ticketPath(sale, 1)).json().value(QStringLiteral("admissionToken")).toString().toLatin1();
        QVERIFY(!token.isEmpty());
        QTest::qWait(1100);
        const HttpResult late = buy(*a, sale, "expiry-1", token);
        QCOMPARE(late.status, 403);
        QVERIFY(late.json().value(QStringLiteral("detail")).toString().contains(QStringLiteral("expired")));
        const QJsonObject status = a->get(ticketPath(sale, 1)).json();
        QCOMPARE(status.value(QStringLiteral("status")).toString(), QStringLiteral("expired"));
        QVERIFY(status.value(QStringLiteral("admissionToken")).isNull());
    }

    void pauseRateAndRequiredAreTheMerchants()
    {
        const qint64 sale = m_shop.sale(10);
        auto s = m_shop.shopper(QStringLiteral("pause-s"));
        QCOMPARE(s->request("PUT", queuePath(sale) + QStringLiteral("/settings"), "{\"paused\":true}").status, 403);
        const HttpResult paused = m_shop.settings(sale, {{QStringLiteral("paused"), true}});
        QCOMPARE(paused.status, 200);
        QCOMPARE(paused.json().value(QStringLiteral("paused")).toBool(), true);
        QCOMPARE(join(*s, sale).status, 201);
        QTest::qWait(200);
        const QJsonObject waiting = s->get(ticketPath(sale, 1)).json();
        QCOMPARE(waiting.value(QStringLiteral("admitted")).toBool(), false);
        QVERIFY(waiting.value(QStringLiteral("estimatedWaitSeconds")).isNull()); // paused: no promise
        QCOMPARE(m_shop.settings(sale, {{QStringLiteral("admissionRatePerSecond"), -1}}).status, 422);
        QCOMPARE(m_shop.settings(sale, {{QStringLiteral("preQueueOrder"), QStringLiteral("shuffled")}}).status, 422); // started already
        QCOMPARE(m_shop.settings(sale, {{QStringLiteral("paused"), false}}).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(s->get(ticketPath(sale, 1)).json().value(QStringLiteral("admitted")).toBool(), 5000);

        // A sale without the waiting room: no token needed.
        const qint64 open = m_shop.sale(10);
        QCOMPARE(buy(*s, open, "open-1", {}).status, 403);
        const HttpResult off = m_shop.settings(open, {{QStringLiteral("required"), false}});
        QCOMPARE(off.status, 200);
        QCOMPARE(off.json().value(QStringLiteral("required")).toBool(), false);
        QCOMPARE(buy(*s, open, "open-2", {}).status, 202);
    }

    void admissionHoldsWhileAdmittedShoppersCouldTakeTheStockThenSoldOutTellsEveryone()
    {
        const qint64 sale = m_shop.sale(3); // overbooking factor 1 on this server
        QList<std::shared_ptr<HttpClient>> shoppers;
        for (int i = 0; i < 5; ++i) {
            shoppers.append(m_shop.shopper(QStringLiteral("hold-%1").arg(i)));
            QCOMPARE(join(*shoppers.last(), sale).json().value(QStringLiteral("ticket")).toInteger(), i + 1);
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_shop.admin->get(queuePath(sale)).json().value(QStringLiteral("admitted")).toInteger(), 3, 5000);
        QTest::qWait(300);
        QJsonObject stats = m_shop.admin->get(queuePath(sale)).json();
        QCOMPARE(stats.value(QStringLiteral("admitted")).toInteger(), 3); // three units, three shoppers who may buy
        QCOMPARE(stats.value(QStringLiteral("admittedUnfinished")).toInteger(), 3);
        QCOMPARE(shoppers[3]->get(ticketPath(sale, 4)).json().value(QStringLiteral("ahead")).toInteger(), 0);
        for (int i = 0; i < 3; ++i) {
            const QByteArray token = shoppers[i]->get(ticketPath(sale, i + 1)).json().value(QStringLiteral("admissionToken")).toString().toLatin1();
            QCOMPARE(buy(*shoppers[i], sale, "hold-" + QByteArray::number(i), token).status, 202);
        }
        for (int i = 3; i < 5; ++i) {
            const QJsonObject status = shoppers[i]->get(ticketPath(sale, i + 1)).json();
            QCOMPARE(status.value(QStringLiteral("status")).toString(), QStringLiteral("soldOut"));
            QCOMPARE(status.value(QStringLiteral("admitted")).toBool(), false);
        }
        QCOMPARE(m_shop.admin->get(queuePath(sale)).json().value(QStringLiteral("soldOut")).toBool(), true);
        auto late = m_shop.shopper(QStringLiteral("hold-late"));
        QCOMPARE(join(*late, sale).status, 409);
    }

    void proofOfWorkIsCheckedOnTheServer()
    {
        Shop shop;
        QVERIFY(shop.start(queueOn([](ServerConfig::WaitingRoom &w) {
            w.proofOfWork = true;
            w.proofOfWorkBits = 10;
        })));
        const qint64 sale = shop.sale(10);
        auto s = shop.shopper(QStringLiteral("pow-s"));
        const HttpResult without = join(*s, sale);
        QCOMPARE(without.status, 403);
        QCOMPARE(without.json().value(QStringLiteral("type")).toString(), QStringLiteral("/problems/proof-of-work"));

        const QJsonObject issued = s->get(queuePath(sale) + QStringLiteral("/challenge")).json();
        QCOMPARE(issued.value(QStringLiteral("difficulty")).toInt(), 10);
        const QByteArray challenge = issued.value(QStringLiteral("challenge")).toString().toLatin1();
        QVERIFY(!challenge.isEmpty());
        const HttpResult wrong = join(*s, sale, {{QStringLiteral("challenge"), QString::fromLatin1(challenge)},
                                                 {QStringLiteral("nonce"), QString::fromLatin1(wrongNonce(challenge, 10))}});
        QCOMPARE(wrong.status, 403);
        QVERIFY(wrong.json().value(QStringLiteral("detail")).toString().contains(QStringLiteral("does not solve")));
        QByteArray tampered = challenge;
        tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
        QCOMPARE(join(*s, sale, {{QStringLiteral("challenge"), QString::fromLatin1(tampered)},
                                 {QStringLiteral("nonce"), QString::fromLatin1(solve(tampered, 10))}}).status, 403);
        auto other = shop.shopper(QStringLiteral("pow-other"));
        QCOMPARE(join(*other, sale, {{QStringLiteral("challenge"), QString::fromLatin1(challenge)},
                                     {QStringLiteral("nonce"), QString::fromLatin1(solve(challenge, 10))}}).status, 403); // not his
        const HttpResult right = join(*s, sale, {{QStringLiteral("challenge"), QString::fromLatin1(challenge)},
                                                 {QStringLiteral("nonce"), QString::fromLatin1(solve(challenge, 10))}});
        QCOMPARE(right.status, 201);
        QCOMPARE(right.json().value(QStringLiteral("ticket")).toInteger(), 1);
    }

    void fasterThanAHumanGoesToTheLowLane()
    {
        Shop shop;
        QVERIFY(shop.start(queueOn([](ServerConfig::WaitingRoom &w) { w.humanMinMs = 60000; })));
        const qint64 sale = shop.sale(10);
        QCOMPARE(shop.settings(sale, {{QStringLiteral("paused"), true}}).status, 200);
        auto bot = shop.shopper(QStringLiteral("lane-bot"));
        auto human = shop.shopper(QStringLiteral("lane-human"));
        const QByteArray challenge = bot->get(queuePath(sale) + QStringLiteral("/challenge")).json().value(QStringLiteral("challenge")).toString().toLatin1();
        const HttpResult fast = join(*bot, sale, {{QStringLiteral("challenge"), QString::fromLatin1(challenge)}, {QStringLiteral("nonce"), QStringLiteral("0")}});
        QCOMPARE(fast.status, 201);
        QCOMPARE(fast.json().value(QStringLiteral("ticket")).toInteger(), 1);
        QCOMPARE(join(*human, sale).json().value(QStringLiteral("ticket")).toInteger(), 2);
        QCOMPARE(bot->get(ticketPath(sale, 1)).json().value(QStringLiteral("ahead")).toInteger(), 1); // behind the normal lane
        QCOMPARE(human->get(ticketPath(sale, 2)).json().value(QStringLiteral("ahead")).toInteger(), 0);
        const QJsonObject stats = shop.admin->get(queuePath(sale)).json();
        QCOMPARE(stats.value(QStringLiteral("lowLane")).toObject().value(QStringLiteral("length")).toInteger(), 1);
        QCOMPARE(shop.settings(sale, {{QStringLiteral("paused"), false}, {QStringLiteral("admissionRatePerSecond"), 2}}).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(human->get(ticketPath(sale, 2)).json().value(QStringLiteral("admitted")).toBool(), 5000);
        QCOMPARE(bot->get(ticketPath(sale, 1)).json().value(QStringLiteral("admitted")).toBool(), false);
        QTRY_VERIFY_WITH_TIMEOUT(bot->get(ticketPath(sale, 1)).json().value(QStringLiteral("admitted")).toBool(), 5000);
    }

    void accountGatesAndJoinLimits()
    {
        Shop shop;
        QVERIFY(shop.start(queueOn([](ServerConfig::WaitingRoom &w) {
            w.requireVerifiedAccount = true;
        })));
        const qint64 sale = shop.sale(10);
        auto s = shop.shopper(QStringLiteral("gate-s"));
        const HttpResult unverified = join(*s, sale);
        QCOMPARE(unverified.status, 403);
        QCOMPARE(unverified.json().value(QStringLiteral("type")).toString(), QStringLiteral("/problems/account-not-verified"));

        Shop young;
        QVERIFY(young.start(queueOn([](ServerConfig::WaitingRoom &w) { w.minAccountAgeSeconds = 3600; })));
        const qint64 youngSale = young.sale(10);
        auto y = young.shopper(QStringLiteral("gate-young"));
        QCOMPARE(join(*y, youngSale).json().value(QStringLiteral("type")).toString(), QStringLiteral("/problems/account-too-new"));

        Shop limited;
        QVERIFY(limited.start(queueOn([](ServerConfig::WaitingRoom &w) {
            w.joinLimitPerShopper = 3;
            w.joinLimitPerAddress = 5;
            w.joinLimitWindowSeconds = 60;
        })));
        const qint64 limitedSale = limited.sale(10);
        auto r = limited.shopper(QStringLiteral("limit-r"));
        for (int i = 0; i < 3; ++i)
            QVERIFY(join(*r, limitedSale).status / 100 == 2);
        const HttpResult tooMany = join(*r, limitedSale);
        QCOMPARE(tooMany.status, 429);
        QVERIFY(tooMany.header("retry-after").toInt() >= 1);
        for (int i = 0; i < 2; ++i)
            QCOMPARE(join(*limited.shopper(QStringLiteral("limit-%1").arg(i)), limitedSale).status, 201);
        QCOMPARE(join(*limited.shopper(QStringLiteral("limit-x")), limitedSale).status, 429); // the address's sixth
    }

    void shuffledPreQueueIsAPermutationKeptAcrossARestart()
    {
        QTemporaryDir data;
        Shop shop;
        QVERIFY(shop.start([&](ServerConfig &c) {
            queueOn([](ServerConfig::WaitingRoom &w) { w.preQueueOrder = QStringLiteral("shuffled"); })(c);
            c.dataDir = data.path();
        }));
        QList<std::shared_ptr<HttpClient>> shoppers;
        for (int i = 0; i < 12; ++i)
            shoppers.append(shop.shopper(QStringLiteral("shuffle-%1").arg(i)));
        auto late = shop.shopper(QStringLiteral("shuffle-late"));
        const qint64 sale = shop.sale(100, 1500);
        for (int i = 0; i < 12; ++i) {
            QCOMPARE(join(*shoppers[i], sale).json().value(QStringLiteral("ticket")).toInteger(), i + 1);
            QCOMPARE(shoppers[i]->get(ticketPath(sale, i + 1)).json().value(QStringLiteral("ahead")).toInteger(), i);
        }
        QCOMPARE(shop.settings(sale, {{QStringLiteral("paused"), true}}).status, 200);
        QTest::qWait(1600); // past the start: the controller shuffles once
        auto positions = [&] {
            QList<qint64> ahead;
            for (int i = 0; i < shoppers.size(); ++i)
                ahead.append(shoppers[i]->get(ticketPath(sale, i + 1)).json().value(QStringLiteral("ahead")).toInteger());
            return ahead;
        };
        QList<qint64> shuffled;
        QTRY_VERIFY_WITH_TIMEOUT((shuffled = positions()) != QList<qint64>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}), 5000);
        QList<qint64> sorted = shuffled;
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(sorted, QList<qint64>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
        QCOMPARE(join(*late, sale).json().value(QStringLiteral("ahead")).toInteger(), 12); // after the pre-queue

        shop.server->stop();
        QVERIFY2(shop.server->start(), qPrintable(shop.server->error()));
        for (int i = 0; i < shoppers.size(); ++i) { // the port changed: log in again
            shoppers[i] = std::make_shared<HttpClient>(shop.server->baseUrl());
            shoppers[i]->setBearer(shoppers[i]->login(QStringLiteral("shuffle-%1@queue.test").arg(i), QStringLiteral("correct horse 42")));
        }
        QCOMPARE(positions(), shuffled);
    }

    void ticketsAndAdmissionSurviveARestart()
    {
        QTemporaryDir data;
        Shop shop;
        QVERIFY(shop.start([&](ServerConfig &c) {
            queueOn()(c);
            c.dataDir = data.path();
        }));
        const qint64 sale = shop.sale(100);
        QCOMPARE(shop.settings(sale, {{QStringLiteral("admissionRatePerSecond"), 3}}).status, 200);
        auto a = shop.shopper(QStringLiteral("restart-a"));
        auto b = shop.shopper(QStringLiteral("restart-b"));
        QCOMPARE(join(*a, sale).json().value(QStringLiteral("ticket")).toInteger(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(a->get(ticketPath(sale, 1)).json().value(QStringLiteral("admitted")).toBool(), 5000);
        QCOMPARE(shop.settings(sale, {{QStringLiteral("paused"), true}}).status, 200);
        QCOMPARE(join(*b, sale).json().value(QStringLiteral("ticket")).toInteger(), 2);
        const QByteArray token = a->get(ticketPath(sale, 1)).json().value(QStringLiteral("admissionToken")).toString().toLatin1();

        shop.server->stop();
        QVERIFY2(shop.server->start(), qPrintable(shop.server->error()));
        HttpClient a2(shop.server->baseUrl());
        a2.setBearer(a2.login(QStringLiteral("restart-a@queue.test"), QStringLiteral("correct horse 42")));
        HttpClient b2(shop.server->baseUrl());
        b2.setBearer(b2.login(QStringLiteral("restart-b@queue.test"), QStringLiteral("correct horse 42")));
        const QJsonObject afterA = a2.get(ticketPath(sale, 1)).json();
        QCOMPARE(afterA.value(QStringLiteral("admitted")).toBool(), true);
        QCOMPARE(afterA.value(QStringLiteral("admissionToken")).toString().toLatin1(), token);
        QCOMPARE(b2.get(ticketPath(sale, 2)).json().value(QStringLiteral("admitted")).toBool(), false);
        QCOMPARE(join(b2, sale).json().value(QStringLiteral("ticket")).toInteger(), 2);
        HttpClient admin(shop.server->baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const QJsonObject stats = admin.get(queuePath(sale)).json();
        QCOMPARE(stats.value(QStringLiteral("paused")).toBool(), true);
        QCOMPARE(stats.value(QStringLiteral("admissionRatePerSecond")).toDouble(), 3.0);
        QCOMPARE(stats.value(QStringLiteral("admitted")).toInteger(), 1);
        auto c = std::make_unique<HttpClient>(shop.server->baseUrl());
        c->setBearer(c->registerAndLogin(QStringLiteral("restart-c@queue.test")));
        QCOMPARE(join(*c, sale).json().value(QStringLiteral("ticket")).toInteger(), 3); // no gap, no reuse
        QCOMPARE(buy(a2, sale, "restart-a-1", token).status, 202);
    }

private:
    Shop m_shop;
};

QTEST_GUILESS_MAIN(TestWaitingRoom)
#include "tst_waitingroom.moc"
