// Cluster mode (issue 8): three nodes on one PostgreSQL behind nginx. A burst of 5,000
// purchases from 2,000 shoppers on 300 units sells exactly 300, nobody above the limit,
// while one node is killed with SIGKILL in the middle: the others keep selling, its
// lease comes back after expiry, and every 202 it gave is still there. Idempotency keys
// and per-user limits hold across nodes. Everything is checked from PostgreSQL.
#include "clusterfixture.h"
#include "concurrentclient.h"
#include "httpclient.h"
#include "invariants.h"
#include "pushlistener.h"
#include "salefixture.h"
#include "storage/database.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QtTest>

#include <algorithm>

namespace {

struct LeaseBooks
{
    qint64 unleased = 0;
    qint64 granted = 0;
    qint64 leaseReserved = 0;
    QHash<QString, QString> stateByNode;
    QHash<QString, qint64> reservedByNode;       // units of live reservations, by node
    QHash<QString, qint64> reservedAfterByNode;  // rows created after `sinceMs`, by node
};

LeaseBooks readBooks(const QString &url, qint64 saleId, qint64 sinceMs)
{
    LeaseBooks b;
    const QString error = readDatabase(url, [&](const QSqlDatabase &db) {
        QSqlQuery pool = execOrThrow(db, QStringLiteral("SELECT unleased FROM sale_stock_pool WHERE sale_id = ?"), {saleId});
        if (pool.next())
            b.unleased = pool.value(0).toLongLong();
        QSqlQuery leases = execOrThrow(db, QStringLiteral("SELECT node_id, granted, reserved, state FROM stock_leases WHERE sale_id = ?"), {saleId});
        while (leases.next()) {
            b.granted += leases.value(1).toLongLong();
            b.leaseReserved += leases.value(2).toLongLong();
            b.stateByNode.insert(leases.value(0).toString(), leases.value(3).toString());
        }
        QSqlQuery byNode = execOrThrow(db, QStringLiteral("SELECT node_id, SUM(quantity), SUM(CASE WHEN created_at > ? THEN 1 ELSE 0 END) "
                                                          "FROM reservations WHERE sale_id = ? AND units_released = 0 GROUP BY node_id"),
                                       {sinceMs, saleId});
        while (byNode.next()) {
            b.reservedByNode.insert(byNode.value(0).toString(), byNode.value(1).toLongLong());
            b.reservedAfterByNode.insert(byNode.value(0).toString(), byNode.value(2).toLongLong());
        }
    });
    if (!error.isEmpty())
        qWarning() << error;
    return b;
}

QByteArray ini()
{
    return ClusterFixture::defaultIni();
}

} // namespace

class TestClusterPurchase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        QString error;
        QVERIFY2(m_cluster.start(&error), qPrintable(error));
        HttpClient admin(m_cluster.balancerUrl());
        m_adminToken = SaleFixture::adminToken(admin);
        QVERIFY(!m_adminToken.isEmpty());
    }

    void burstThroughNginxSurvivesAKilledNode()
    {
        const qint64 sale = newSale(300, 2);
        QVERIFY(sale > 0);
        const QList<QByteArray> tokens = shoppers(2000, QStringLiteral("cluster"));
        QCOMPARE(tokens.size(), 2000);
        QVERIFY(!tokens.contains(QByteArray()));

        // Every node learns the sale (created on one of them) within a heartbeat or two.
        for (int i = 0; i < m_cluster.nodeCount(); ++i) {
            HttpClient node(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_cluster.nodePort(i))));
            QTRY_COMPARE_WITH_TIMEOUT(node.get(QStringLiteral("/sales/%1").arg(sale)).status, 200, 5000);
        }

        QList<RawRequest> burst;
        for (int i = 0; i < 5000; ++i)
            burst.append(SaleFixture::purchase(sale, tokens[i % tokens.size()], "cluster-" + QByteArray::number(i), 1));
        std::shuffle(burst.begin(), burst.end(), *QRandomGenerator::global());

        // The burst in two parts so that the kill falls in the middle of the selling: the
        // first 100 attempts (at most 100 units), then the other 4,900 over 50 connections
        // (each sends its next attempt when it has its answer), during which node-2 is
        // killed after 10 answers, when at most 60 more units can have been sold.
        const QList<RawRequest> before = burst.mid(0, 100);
        const QList<RawRequest> after = burst.mid(100);
        QElapsedTimer timer;
        timer.start();
        QList<RawResponse> answers = ConcurrentClient(QHostAddress::LocalHost, m_cluster.balancerPort(), 100).run(before, 60000);
        ConcurrentClient crowd(QHostAddress::LocalHost, m_cluster.balancerPort(), 50);
        int answered = 0;
        qint64 killedAtMs = 0;
        crowd.setOnAnswer([&](int, const RawResponse &) {
            if (++answered == 10 && !killedAtMs) {
                killedAtMs = QDateTime::currentMSecsSinceEpoch();
                m_cluster.node(1).kill(); // SIGKILL node-2 in the middle of the burst
            }
        });
        answers += crowd.run(after, 120000);
        QVERIFY2(killedAtMs > 0, "the burst ended before the kill");
        QSet<QString> acceptedOrders;
        QHash<int, int> byStatus;
        for (const RawResponse &a : answers) {
            ++byStatus[a.status];
            if (a.status == 202)
                acceptedOrders.insert(a.json().value(QStringLiteral("orderId")).toString());
        }
        qInfo() << "burst of" << burst.size() << "in" << timer.elapsed() << "ms; answers by status:" << byStatus;
        for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it) {
            // 202, 409 (sold out, limit); 503 or no answer only for requests caught by the kill.
            QVERIFY2(it.key() == 202 || it.key() == 409 || it.key() == 503 || it.key() == 502 || it.key() == 0,
                     qPrintable(QStringLiteral("unexpected status %1").arg(it.key())));
        }

        // Shoppers who were told "sold out" try again while the dead node's lease expires
        // and its unsold units come back: the sale sells out exactly, on the live nodes.
        QDeadlineTimer deadline(45000);
        int wave = 0;
        SaleAudit audit;
        LeaseBooks books;
        for (;;) {
            audit = auditSale(m_cluster.databaseUrl(), sale, acceptedOrders);
            QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
            books = readBooks(m_cluster.databaseUrl(), sale, killedAtMs);
            const bool deadLeaseBack = books.stateByNode.value(QStringLiteral("node-2")) == QLatin1String("expired");
            if ((audit.reserved == 300 && deadLeaseBack) || deadline.hasExpired())
                break;
            if (audit.reserved == 300) {
                QTest::qWait(200); // sold out; the dead node's lease is not reaped yet
                continue;
            }
            QList<RawRequest> retries;
            for (int i = 0; i < 600; ++i)
                retries.append(SaleFixture::purchase(sale, tokens[(i * 7 + wave * 600) % tokens.size()],
                                                     "cluster-retry-" + QByteArray::number(wave) + "-" + QByteArray::number(i), 1));
            ConcurrentClient again(QHostAddress::LocalHost, m_cluster.balancerPort(), 100);
            for (const RawResponse &a : again.run(retries, 60000)) {
                QVERIFY2(a.status == 202 || a.status == 409, qPrintable(QStringLiteral("%1 %2").arg(a.status).arg(QString::fromUtf8(a.body))));
                if (a.status == 202)
                    acceptedOrders.insert(a.json().value(QStringLiteral("orderId")).toString());
            }
            ++wave;
            QTest::qWait(500);
        }
        qInfo() << "after" << wave << "retry waves:" << audit.reserved << "units reserved," << audit.reservations << "reservations,"
                << acceptedOrders.size() << "orders answered 202, most held by one shopper:" << audit.maxHeldByOneUser;
        QCOMPARE(audit.reserved, 300);
        QVERIFY(audit.maxHeldByOneUser <= 2);

        qInfo() << "leases:" << books.stateByNode << "units by node:" << books.reservedByNode
                << "reservations after the kill by node:" << books.reservedAfterByNode;
        QCOMPARE(books.unleased + books.granted, 300); // the books balance
        QCOMPARE(books.leaseReserved, 300);
        QCOMPARE(books.stateByNode.value(QStringLiteral("node-2")), QStringLiteral("expired"));
        QVERIFY2(books.reservedByNode.value(QStringLiteral("node-2")) > 0, "the killed node sold nothing before it died");
        QVERIFY2(books.reservedAfterByNode.value(QStringLiteral("node-1")) + books.reservedAfterByNode.value(QStringLiteral("node-3")) > 0,
                 "the live nodes sold nothing after the kill");

        // Every 202 is honoured, the dead node's too: the live nodes' sagas take each
        // order to a final state.
        auto pending = [&] {
            qint64 n = -1;
            readDatabase(m_cluster.databaseUrl(), [&](const QSqlDatabase &db) {
                QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT COUNT(*) FROM reservations WHERE sale_id = ? AND status = 'Pending'"), {sale});
                n = q.next() ? q.value(0).toLongLong() : -1;
            });
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(pending(), 0, 30000);
        const SaleAudit final = auditSale(m_cluster.databaseUrl(), sale, acceptedOrders);
        QVERIFY2(final.violations.isEmpty(), qPrintable(final.violations.join(QLatin1Char('\n'))));
        QCOMPARE(final.reserved, 300); // no payment fails here: all 300 confirmed

        // The live nodes' reconcilers agree: leases, pool, reservations and memory add up.
        for (int i : {0, 2}) {
            HttpClient node(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_cluster.nodePort(i))));
            node.setBearer(m_adminToken);
            QJsonObject report;
            for (int run = 0; run < 2; ++run) // a difference counts when two runs in a row see it
                report = node.get(QStringLiteral("/admin/reconciliation")).json();
            QVERIFY2(report.value(QStringLiteral("discrepancy")).toInteger() == 0,
                     QJsonDocument(report.value(QStringLiteral("issues")).toArray()).toJson().constData());
        }
    }

    void keysLimitsAndPushesHoldAcrossNodes()
    {
        const qint64 sale = newSale(50, 2);
        QVERIFY(sale > 0);
        const QList<QByteArray> tokens = shoppers(3, QStringLiteral("across"));
        const QUrl firstUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_cluster.nodePort(0)));
        const QUrl thirdUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_cluster.nodePort(2)));
        HttpClient first(firstUrl);
        HttpClient third(thirdUrl);
        QTRY_COMPARE_WITH_TIMEOUT(first.get(QStringLiteral("/sales/%1").arg(sale)).status, 200, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(third.get(QStringLiteral("/sales/%1").arg(sale)).status, 200, 5000);

        auto buy = [&](HttpClient &node, const QByteArray &token, const QByteArray &key, int quantity) {
            node.setBearer(token);
            return node.post(QStringLiteral("/sales/%1/purchase").arg(sale), QJsonObject{{QStringLiteral("quantity"), quantity}},
                             {{"Idempotency-Key", key}});
        };
        // The same key on two nodes: one order, the second answer replays the first.
        const auto one = buy(first, tokens[0], "same-key", 1);
        QCOMPARE(one.status, 202);
        const auto replay = buy(third, tokens[0], "same-key", 1);
        QCOMPARE(replay.status, 202);
        QCOMPARE(replay.json().value(QStringLiteral("orderId")), one.json().value(QStringLiteral("orderId")));
        // The limit counts units bought through every node.
        QCOMPARE(buy(third, tokens[0], "second-key", 1).status, 202);
        const auto over = buy(first, tokens[0], "third-key", 1);
        QCOMPARE(over.status, 409);
        QCOMPARE(over.json().value(QStringLiteral("type")).toString().endsWith(QLatin1String("purchase-limit")), true);
        // Limit 2 across nodes, even when each node's memory saw only one unit.
        QCOMPARE(buy(first, tokens[1], "b-1", 1).status, 202);
        QCOMPARE(buy(third, tokens[1], "b-2", 1).status, 202);
        QCOMPARE(buy(first, tokens[1], "b-3", 1).status, 409);

        // The shopper listens on node 3 and bought on node 1: the order's Confirmed
        // message reaches them anyway; the other shopper hears nothing of it.
        PushListener listener(thirdUrl, tokens[2]);
        PushListener other(firstUrl, tokens[1]);
        QTRY_VERIFY_WITH_TIMEOUT(listener.socket.state() == QAbstractSocket::ConnectedState, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(other.socket.state() == QAbstractSocket::ConnectedState, 5000);
        const auto pushed = buy(first, tokens[2], "pushed-key", 1);
        QCOMPARE(pushed.status, 202);
        const QString pushedOrder = pushed.json().value(QStringLiteral("orderId")).toString();
        QTRY_VERIFY_WITH_TIMEOUT(listener.has(QStringLiteral("OrderConfirmed"), pushedOrder), 10000);
        QVERIFY(!other.has(QStringLiteral("OrderConfirmed"), pushedOrder));

        const SaleAudit audit = auditSale(m_cluster.databaseUrl(), sale);
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 5);
        QCOMPARE(audit.maxHeldByOneUser, 2);

        // Ended early on one node: every node hands back what it holds, so the 45 unsold
        // units are all in the pool again (for the merchant to see, or a later sale).
        HttpClient ender(thirdUrl);
        ender.setBearer(m_adminToken);
        QCOMPARE(ender.post(QStringLiteral("/sales/%1/end").arg(sale), QJsonObject{}).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(readBooks(m_cluster.databaseUrl(), sale, 0).unleased, qint64(45), 5000);
        const LeaseBooks ended = readBooks(m_cluster.databaseUrl(), sale, 0);
        QCOMPARE(ended.granted - ended.leaseReserved, qint64(0)); // no node holds an unsold unit

        // Each live node's own count of units sold (GET /admin/cluster, from its heartbeat)
        // is what PostgreSQL holds for it, over both sales.
        HttpClient admin(firstUrl);
        admin.setBearer(m_adminToken);
        for (int i : {0, 2}) {
            auto sold = [&] {
                const QJsonArray nodes = admin.get(QStringLiteral("/admin/cluster")).json().value(QStringLiteral("nodes")).toArray();
                for (const QJsonValue &n : nodes) {
                    if (n[QStringLiteral("nodeId")].toString() == m_cluster.nodeId(i))
                        return n[QStringLiteral("acceptedTotal")].toInteger();
                }
                return qint64(-1);
            };
            qint64 inDatabase = -1;
            readDatabase(m_cluster.databaseUrl(), [&](const QSqlDatabase &db) {
                QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT COALESCE(SUM(quantity), 0) FROM reservations WHERE node_id = ?"), {m_cluster.nodeId(i)});
                inDatabase = q.next() ? q.value(0).toLongLong() : -1;
            });
            QVERIFY(inDatabase > 0);
            QTRY_COMPARE_WITH_TIMEOUT(sold(), inDatabase, 5000);
        }
    }

    // Buyers on one node only: the units the quiet nodes leased before the start are not
    // stranded there; they hand them back and the busy node sells every unit.
    void quietNodesHandBackTheLastUnits()
    {
        const qint64 sale = newSale(60, 1);
        QVERIFY(sale > 0);
        const QList<QByteArray> tokens = shoppers(60, QStringLiteral("quiet"));
        HttpClient busy(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_cluster.nodePort(0))));
        busy.setBearer(m_adminToken);
        auto heldBy = [&](const QString &nodeId) {
            const QJsonArray sales = busy.get(QStringLiteral("/admin/cluster")).json().value(QStringLiteral("sales")).toArray();
            for (const QJsonValue &s : sales) {
                if (s[QStringLiteral("saleId")].toInteger() != sale)
                    continue;
                for (const QJsonValue &l : s[QStringLiteral("leases")].toArray()) {
                    if (l[QStringLiteral("nodeId")].toString() == nodeId)
                        return l[QStringLiteral("held")].toInteger();
                }
            }
            return qint64(0);
        };
        // The live quiet node (node-3; node-2 was killed above) holds stock before anyone buys.
        QTRY_VERIFY_WITH_TIMEOUT(heldBy(m_cluster.nodeId(2)) > 0, 5000);

        QSet<int> bought;
        QElapsedTimer timer;
        timer.start();
        QDeadlineTimer deadline(20000);
        int rounds = 0;
        while (bought.size() < tokens.size() && !deadline.hasExpired()) {
            QList<RawRequest> attempts;
            QList<int> who;
            for (int i = 0; i < tokens.size(); ++i) {
                if (!bought.contains(i)) {
                    attempts.append(SaleFixture::purchase(sale, tokens[i], "quiet-" + QByteArray::number(i), 1));
                    who.append(i);
                }
            }
            const QList<RawResponse> answers = ConcurrentClient(QHostAddress::LocalHost, m_cluster.nodePort(0), 30).run(attempts, 30000);
            for (int k = 0; k < answers.size(); ++k) {
                QVERIFY2(answers[k].status == 202 || answers[k].status == 409, qPrintable(QString::number(answers[k].status)));
                if (answers[k].status == 202)
                    bought.insert(who[k]);
            }
            ++rounds;
            if (bought.size() < tokens.size())
                QTest::qWait(200);
        }
        qInfo() << "all" << bought.size() << "units sold through node-1 in" << timer.elapsed() << "ms," << rounds << "rounds";
        QCOMPARE(bought.size(), tokens.size());
        QTRY_COMPARE_WITH_TIMEOUT(heldBy(m_cluster.nodeId(2)), qint64(0), 5000);
        const SaleAudit audit = auditSale(m_cluster.databaseUrl(), sale);
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, 60);
    }

private:
    // A sale through the balancer (so on any node), started a second ago.
    qint64 newSale(qint64 quantity, int perUserLimit)
    {
        HttpClient admin(m_cluster.balancerUrl());
        admin.setBearer(m_adminToken);
        const qint64 product = SaleFixture::createProduct(admin, quantity * 2);
        return SaleFixture::scheduleSale(admin, product, quantity, perUserLimit).value(QStringLiteral("saleId")).toInteger();
    }

    QList<QByteArray> shoppers(int count, const QString &prefix)
    {
        ConcurrentClient setup(QHostAddress::LocalHost, m_cluster.balancerPort(), 50);
        return SaleFixture::registerShoppers(setup, count, prefix);
    }

    ClusterFixture m_cluster{3, ini()};
    QByteArray m_adminToken;
};

QTEST_GUILESS_MAIN(TestClusterPurchase)
#include "tst_clusterpurchase.moc"
