// SaleStock on its own, without a server: every outcome of tryReserve with its exact
// numbers, the per-user limit, idempotent replays, the rate limit, release returning
// units exactly once, the lease operations (addUnits, takeUnits, drain), restore from
// the journal, and many shoppers racing on one stock from several threads.
#include "inventory/salestock.h"

#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

using Outcome = SaleStock::Outcome;

class TestSaleStock : public QObject
{
    Q_OBJECT

private:
    // A reservation in an open sale without a rate limit.
    static SaleStock::Result reserve(SaleStock &stock, qint64 userId, const QByteArray &key, int quantity,
                                     const QString &orderId)
    {
        return stock.tryReserve(userId, key, quantity, orderId, true, 1000, 0);
    }

    // The answer names this order and quantity, with this outcome.
    static void expectOrder(const SaleStock::Result &r, Outcome outcome, const QString &orderId, int quantity)
    {
        QCOMPARE(r.outcome, outcome);
        QCOMPARE(r.orderId, orderId);
        QCOMPARE(r.quantity, quantity);
    }

private Q_SLOTS:
    void aRetiredStockForgetsItsKeysButKeepsItsUnits()
    {
        SaleStock stock(10, 3);
        QCOMPARE(reserve(stock, 7, "k1", 2, QStringLiteral("order-1")).outcome, Outcome::Reserved);
        stock.settle(2);
        QCOMPARE(stock.tryReserve(8, "k2", 1, QStringLiteral("order-2"), true, 1000, 60000).outcome, Outcome::Reserved);
        stock.settle(1);
        QVERIFY(!stock.isRetired());
        stock.retire();
        QVERIFY(stock.isRetired());
        QCOMPARE(stock.remaining(), qint64(7));
        // Every attempt, a known key included, is sent to the journal: memory knows nothing now.
        QCOMPARE(stock.tryReserve(7, "k1", 2, QStringLiteral("order-3"), false, 2000, 0).outcome, Outcome::Retired);
        QCOMPARE(stock.tryReserve(9, "k9", 1, QStringLiteral("order-4"), false, 2000, 0).outcome, Outcome::Retired);
        QVERIFY(!stock.knows(7, "k1"));
        QCOMPARE(stock.heldBy(7), 0);
        // A failed order's units come back without its key: release finds nothing and
        // changes nothing; the caller counts them back with addUnits.
        QVERIFY(!stock.release(7, "k1", false));
        QCOMPARE(stock.remaining(), qint64(7));
        stock.addUnits(2);
        QCOMPARE(stock.remaining(), qint64(9));
        QCOMPARE(stock.inFlight(), qint64(0));
    }

    void reservesAndTakesTheUnits()
    {
        SaleStock stock(10, 3);
        expectOrder(reserve(stock, 7, "k1", 2, QStringLiteral("order-1")), Outcome::Reserved, QStringLiteral("order-1"), 2);
        QCOMPARE(stock.remaining(), qint64(8));
        QCOMPARE(stock.heldBy(7), 2);
        QCOMPARE(stock.heldBy(8), 0);
        QVERIFY(stock.knows(7, "k1"));
        QVERIFY(!stock.knows(7, "k2"));
        QVERIFY(!stock.knows(8, "k1")); // keys are per shopper
        QCOMPARE(stock.quantity(), qint64(10));
        QCOMPARE(stock.perUserLimit(), 3);
    }

    void sameKeyReplaysTheFirstAnswer()
    {
        SaleStock stock(10, 5);
        QCOMPARE(reserve(stock, 7, "k1", 2, QStringLiteral("order-1")).outcome, Outcome::Reserved);
        // A retry carries a new order id and even another quantity: the first answer wins.
        expectOrder(reserve(stock, 7, "k1", 1, QStringLiteral("order-2")), Outcome::Replayed, QStringLiteral("order-1"), 2);
        QCOMPARE(stock.remaining(), qint64(8));
        QCOMPARE(stock.heldBy(7), 2);
        // The same key from another shopper is another purchase.
        QCOMPARE(reserve(stock, 8, "k1", 1, QStringLiteral("order-3")).outcome, Outcome::Reserved);
        QCOMPARE(stock.remaining(), qint64(7));
    }

    void replaysEvenWhenClosedOrRateLimited()
    {
        SaleStock stock(10, 5);
        QCOMPARE(stock.tryReserve(7, "k1", 1, QStringLiteral("order-1"), true, 1000, 500).outcome, Outcome::Reserved);
        expectOrder(stock.tryReserve(7, "k1", 1, QStringLiteral("order-2"), false, 1100, 500), Outcome::Replayed,
                    QStringLiteral("order-1"), 1); // closed
        expectOrder(stock.tryReserve(7, "k1", 1, QStringLiteral("order-3"), true, 1001, 500), Outcome::Replayed,
                    QStringLiteral("order-1"), 1); // within the rate limit
    }

    void closedSaleTakesNothing()
    {
        SaleStock stock(10, 5);
        const SaleStock::Result r = stock.tryReserve(7, "k1", 1, QStringLiteral("order-1"), false, 1000, 0);
        QCOMPARE(r.outcome, Outcome::Closed);
        QVERIFY(r.orderId.isEmpty());
        QCOMPARE(stock.remaining(), qint64(10));
        QCOMPARE(stock.heldBy(7), 0);
        QVERIFY(!stock.knows(7, "k1"));
    }

    void soldOutAndNotEnoughStock()
    {
        SaleStock stock(3, 5);
        QCOMPARE(reserve(stock, 1, "a", 2, QStringLiteral("o1")).outcome, Outcome::Reserved);
        const SaleStock::Result tooMany = reserve(stock, 2, "b", 2, QStringLiteral("o2"));
        QCOMPARE(tooMany.outcome, Outcome::NotEnoughStock);
        QCOMPARE(stock.remaining(), qint64(1));
        QVERIFY(!stock.knows(2, "b"));
        QCOMPARE(reserve(stock, 2, "c", 1, QStringLiteral("o3")).outcome, Outcome::Reserved);
        QCOMPARE(stock.remaining(), qint64(0));
        const SaleStock::Result none = reserve(stock, 3, "d", 1, QStringLiteral("o4"));
        QCOMPARE(none.outcome, Outcome::SoldOut);
        QCOMPARE(stock.remaining(), qint64(0));
        QCOMPARE(stock.heldBy(3), 0);
        QVERIFY(!stock.knows(3, "d"));
        // Sold out beats not enough: asking for two of none is SoldOut.
        QCOMPARE(reserve(stock, 3, "e", 2, QStringLiteral("o5")).outcome, Outcome::SoldOut);
    }

    void perUserLimit()
    {
        SaleStock stock(100, 3);
        QCOMPARE(reserve(stock, 7, "a", 2, QStringLiteral("o1")).outcome, Outcome::Reserved);
        const SaleStock::Result over = reserve(stock, 7, "b", 2, QStringLiteral("o2"));
        QCOMPARE(over.outcome, Outcome::LimitReached);
        QCOMPARE(over.heldByUser, 2);
        QCOMPARE(stock.remaining(), qint64(98));
        QCOMPARE(reserve(stock, 7, "c", 1, QStringLiteral("o3")).outcome, Outcome::Reserved); // exactly the limit
        const SaleStock::Result full = reserve(stock, 7, "d", 1, QStringLiteral("o4"));
        QCOMPARE(full.outcome, Outcome::LimitReached);
        QCOMPARE(full.heldByUser, 3);
        QCOMPARE(stock.heldBy(7), 3);
        QCOMPARE(stock.remaining(), qint64(97));
        // One request above the limit on its own is refused too.
        const SaleStock::Result big = reserve(stock, 8, "a", 4, QStringLiteral("o5"));
        QCOMPARE(big.outcome, Outcome::LimitReached);
        QCOMPARE(big.heldByUser, 0);
    }

    void rateLimit()
    {
        SaleStock stock(100, 10);
        QCOMPARE(stock.tryReserve(7, "a", 1, QStringLiteral("o1"), true, 10000, 1000).outcome, Outcome::Reserved);
        const SaleStock::Result limited = stock.tryReserve(7, "b", 1, QStringLiteral("o2"), true, 10300, 1000);
        QCOMPARE(limited.outcome, Outcome::RateLimited);
        QCOMPARE(limited.retryAfterMs, qint64(700));
        QCOMPARE(stock.remaining(), qint64(99));
        QVERIFY(!stock.knows(7, "b"));
        // A refused attempt does not move the window; another shopper is not held up.
        QCOMPARE(stock.tryReserve(7, "c", 1, QStringLiteral("o3"), true, 10999, 1000).retryAfterMs, qint64(1));
        QCOMPARE(stock.tryReserve(8, "a", 1, QStringLiteral("o4"), true, 10300, 1000).outcome, Outcome::Reserved);
        QCOMPARE(stock.tryReserve(7, "d", 1, QStringLiteral("o5"), true, 11000, 1000).outcome, Outcome::Reserved);
        // rateLimitMs 0: no limit at all.
        QCOMPARE(stock.tryReserve(7, "e", 1, QStringLiteral("o6"), true, 11000, 0).outcome, Outcome::Reserved);
        QCOMPARE(stock.remaining(), qint64(96));
    }

    void releaseReturnsUnitsExactlyOnce()
    {
        SaleStock stock(5, 3);
        QCOMPARE(reserve(stock, 7, "a", 2, QStringLiteral("o1")).outcome, Outcome::Reserved);
        QVERIFY(stock.release(7, "a", false));
        QCOMPARE(stock.remaining(), qint64(5));
        QCOMPARE(stock.heldBy(7), 0);
        QVERIFY(!stock.release(7, "a", false)); // already released
        QVERIFY(!stock.release(7, "a", true));
        QCOMPARE(stock.remaining(), qint64(5));
        // The key is kept: a retry still replays the (now failed) order, without units.
        expectOrder(reserve(stock, 7, "a", 2, QStringLiteral("o2")), Outcome::Replayed, QStringLiteral("o1"), 2);
        QCOMPARE(stock.remaining(), qint64(5));
        QVERIFY(!stock.release(7, "unknown", true));
        QVERIFY(!stock.release(8, "a", true)); // another shopper's key
    }

    void releaseThatForgetsTheKey()
    {
        SaleStock stock(5, 3);
        QCOMPARE(reserve(stock, 7, "a", 2, QStringLiteral("o1")).outcome, Outcome::Reserved);
        QVERIFY(stock.release(7, "a", true)); // the commit failed: as if it never happened
        QVERIFY(!stock.knows(7, "a"));
        QVERIFY(!stock.release(7, "a", true));
        QCOMPARE(stock.remaining(), qint64(5));
        expectOrder(reserve(stock, 7, "a", 3, QStringLiteral("o2")), Outcome::Reserved, QStringLiteral("o2"), 3);
        QCOMPARE(stock.heldBy(7), 3);
        QCOMPARE(stock.remaining(), qint64(2));
    }

    void releaseWithoutReturningUnits()
    {
        SaleStock stock(5, 3);
        QCOMPARE(reserve(stock, 7, "a", 2, QStringLiteral("o1")).outcome, Outcome::Reserved);
        QVERIFY(stock.release(7, "a", false, false)); // the units went back to the cluster's pool
        QCOMPARE(stock.heldBy(7), 0);
        QCOMPARE(stock.remaining(), qint64(3));
        QVERIFY(!stock.release(7, "a", false, true));
        QCOMPARE(stock.remaining(), qint64(3));
        // The shopper may buy again up to the limit.
        QCOMPARE(reserve(stock, 7, "b", 3, QStringLiteral("o2")).outcome, Outcome::Reserved);
        QCOMPARE(stock.remaining(), qint64(0));
    }

    void leaseUnits()
    {
        SaleStock stock(0, 2);
        QCOMPARE(reserve(stock, 1, "a", 1, QStringLiteral("o1")).outcome, Outcome::SoldOut);
        stock.addUnits(5);
        QCOMPARE(stock.remaining(), qint64(5));
        QCOMPARE(stock.takeUnits(2), qint64(2));
        QCOMPARE(stock.remaining(), qint64(3));
        QCOMPARE(stock.takeUnits(10), qint64(3)); // never below zero
        QCOMPARE(stock.remaining(), qint64(0));
        QCOMPARE(stock.takeUnits(1), qint64(0));
        QCOMPARE(stock.takeUnits(0), qint64(0));
        stock.addUnits(4);
        QCOMPARE(reserve(stock, 1, "b", 1, QStringLiteral("o2")).outcome, Outcome::Reserved);
        QCOMPARE(stock.drain(), qint64(3));
        QCOMPARE(stock.remaining(), qint64(0));
        QCOMPARE(stock.drain(), qint64(0));
        QCOMPARE(reserve(stock, 2, "c", 1, QStringLiteral("o3")).outcome, Outcome::SoldOut);
        QCOMPARE(stock.quantity(), qint64(0)); // the scheduled quantity does not move
    }

    void restoreFromTheJournal()
    {
        SaleStock stock(10, 3);
        stock.restore(7, "a", QStringLiteral("o1"), 2, true);   // pending: holds its units
        stock.restore(8, "b", QStringLiteral("o2"), 3, false);  // failed: units already back
        QCOMPARE(stock.remaining(), qint64(8));
        QCOMPARE(stock.heldBy(7), 2);
        QCOMPARE(stock.heldBy(8), 0);
        expectOrder(reserve(stock, 8, "b", 1, QStringLiteral("o3")), Outcome::Replayed, QStringLiteral("o2"), 3);
        const SaleStock::Result over = reserve(stock, 7, "c", 2, QStringLiteral("o4"));
        QCOMPARE(over.outcome, Outcome::LimitReached);
        QCOMPARE(over.heldByUser, 2);
        QVERIFY(!stock.release(8, "b", false)); // restored without units: nothing to return
        QVERIFY(stock.release(7, "a", false));
        QCOMPARE(stock.remaining(), qint64(10));
    }

    // Many shoppers on many threads, each trying more than the limit allows and
    // retrying keys: the stock never goes below zero, every unit is accounted for, and
    // no shopper holds more than the limit.
    void raceNeverOversells()
    {
        constexpr int threads = 8;
        constexpr int shoppers = 400;
        constexpr int attemptsPerShopper = 6;
        constexpr qint64 units = 500;
        constexpr int limit = 2;
        SaleStock stock(units, limit);
        std::atomic<qint64> reservedUnits{0};
        std::atomic<int> soldOut{0};
        std::atomic<bool> wrongOutcome{false};
        std::atomic<bool> go{false};
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                while (!go.load())
                    std::this_thread::yield();
                // Each thread walks every shopper, so the same shopper races himself.
                for (int i = 0; i < shoppers; ++i) {
                    const qint64 user = (i + t * 37) % shoppers + 1;
                    for (int a = 0; a < attemptsPerShopper; ++a) {
                        const QByteArray key = QByteArray::number(a % 4); // keys repeat across threads
                        const QString order = QStringLiteral("%1-%2-%3").arg(user).arg(a).arg(t);
                        const SaleStock::Result r = stock.tryReserve(user, key, 1, order, true, 0, 0);
                        switch (r.outcome) {
                        case Outcome::Reserved:
                            reservedUnits.fetch_add(r.quantity);
                            break;
                        case Outcome::SoldOut:
                            soldOut.fetch_add(1);
                            break;
                        case Outcome::Replayed:
                        case Outcome::LimitReached:
                            break;
                        default:
                            wrongOutcome.store(true);
                        }
                    }
                }
            });
        }
        go.store(true);
        for (std::thread &t : pool)
            t.join();
        QVERIFY(!wrongOutcome.load());
        QVERIFY(stock.remaining() >= 0);
        qint64 held = 0;
        for (qint64 user = 1; user <= shoppers; ++user) {
            QVERIFY2(stock.heldBy(user) <= limit, qPrintable(QStringLiteral("user %1 holds %2").arg(user).arg(stock.heldBy(user))));
            held += stock.heldBy(user);
        }
        QCOMPARE(held, reservedUnits.load());
        QCOMPARE(stock.remaining() + reservedUnits.load(), units);
        // 400 shoppers may take 800 units: the 500 are all sold and others were refused.
        QCOMPARE(stock.remaining(), qint64(0));
        QVERIFY(soldOut.load() > 0);
    }
};

QTEST_GUILESS_MAIN(TestSaleStock)
#include "tst_salestock.moc"
