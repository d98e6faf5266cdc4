// The Reconciler on its own, against a migrated temporary SQLite database: a consistent
// sale reads 0, and each finding it has is set up with rows (or memory) and reported
// with its exact units and wording: allocation, memory against the database (only when
// the same difference is seen twice in a row), order against reservation status,
// finished reservations holding units, confirmed orders without (or with wrong) sold
// units, sold units of unconfirmed orders, units released without a refund, master
// stock in memory, and on a cluster node the pool, the leases and the node's lease.
#include "inventory/masterstock.h"
#include "orders/reconciler.h"
#include "sales/saleregistry.h"
#include "telemetry/metrics.h"
#include "temporarydatabase.h"

#include <QJsonArray>
#include <QtTest>

#include <memory>

namespace {

constexpr qint64 saleId = 1;
constexpr qint64 productId = 1;
constexpr qint64 allocated = 10;
constexpr qint64 masterLevel = 100;

QStringList issueTexts(const QJsonObject &report)
{
    QStringList texts;
    for (const QJsonValue &v : report.value(QStringLiteral("issues")).toArray())
        texts.append(QStringLiteral("%1: %2").arg(v[QStringLiteral("units")].toInteger()).arg(v[QStringLiteral("issue")].toString()));
    return texts;
}

} // namespace

class TestReconciler : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TemporaryDatabase> m_db;
    SaleRegistry m_sales; // one sale, added once: the registry never removes sales
    std::shared_ptr<Sale> m_sale;
    std::unique_ptr<MasterStock> m_master;

    void exec(const QString &sql, const QVariantList &bind = {}) { m_db->exec(sql, bind); }

    void addReservation(const QString &id, qint64 userId, int quantity, const QString &status, bool released,
                        qint64 expiresAt = 4102444800000, const QVariant &nodeId = {})
    {
        exec(QStringLiteral("INSERT INTO reservations(reservation_id, sale_id, user_id, quantity, idempotency_key, status, "
                            "units_released, created_at, expires_at, updated_at, node_id) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?)"),
             {id, saleId, userId, quantity, id, status, int(released), expiresAt, nodeId});
        exec(QStringLiteral("INSERT INTO orders(order_id, user_id, sale_id, order_date, order_total_cents, status, updated_at) "
                            "VALUES (?, ?, ?, 0, ?, ?, 0)"),
             {id, userId, saleId, quantity * 500, status});
    }
    void setStatus(const QString &id, const QString &reservationStatus, const QString &orderStatus)
    {
        exec(QStringLiteral("UPDATE reservations SET status = ? WHERE reservation_id = ?"), {reservationStatus, id});
        exec(QStringLiteral("UPDATE orders SET status = ? WHERE order_id = ?"), {orderStatus, id});
    }
    void addCommitment(const QString &id, int quantity, const QVariant &returnedTo = {})
    {
        exec(QStringLiteral("INSERT INTO stock_commitments(order_id, sale_id, product_id, quantity, committed_at, returned_to) "
                            "VALUES (?, ?, ?, ?, 0, ?)"),
             {id, saleId, productId, quantity, returnedTo});
    }
    // The sale's available units, in the database and in memory alike.
    void setAvailable(qint64 units)
    {
        exec(QStringLiteral("UPDATE flash_sale_items SET available_sale_quantity = ? WHERE sale_id = ?"), {units, saleId});
        setAvailableInMemory(units);
    }
    void setAvailableInMemory(qint64 units)
    {
        m_sale->stock().drain();
        m_sale->stock().addUnits(units);
    }

private Q_SLOTS:
    void initTestCase()
    {
        Sale::Terms terms;
        terms.id = saleId;
        terms.productId = productId;
        terms.quantity = allocated;
        terms.perUserLimit = 5;
        m_sale = std::make_shared<Sale>(terms);
        m_sales.add(m_sale);
    }

    // A fresh database per test: one sale of 10 units, of which r1 (user 1, 2 units,
    // Pending) holds 2; memory agrees.
    void init()
    {
        m_db = std::make_unique<TemporaryDatabase>();
        QString error;
        QVERIFY2(m_db->migrate(&error), qPrintable(error));
        m_db->addUsers(2);
        exec(QStringLiteral("INSERT INTO products(product_id, name, regular_price_cents, updated_at) VALUES (?, 'p', 1000, 0)"), {productId});
        exec(QStringLiteral("INSERT INTO inventory(product_id, stock_quantity) VALUES (?, ?)"), {productId, masterLevel});
        exec(QStringLiteral("INSERT INTO flash_sales(sale_id, name, start_time, end_time, status, created_at) VALUES (?, 's', 0, 1, 'Active', 0)"), {saleId});
        exec(QStringLiteral("INSERT INTO flash_sale_items(sale_id, product_id, sale_price_cents, total_sale_quantity, "
                            "available_sale_quantity, per_user_limit) VALUES (?, ?, 500, ?, ?, 5)"),
             {saleId, productId, allocated, allocated - 2});
        addReservation(QStringLiteral("r1"), 1, 2, QStringLiteral("Pending"), false);
        setAvailableInMemory(allocated - 2);
        m_master = std::make_unique<MasterStock>();
        m_master->set(productId, masterLevel);
    }

    void cleanup()
    {
        m_db.reset();
    }

    void consistentSaleReadsZero()
    {
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        reconciler.run();
        const QJsonObject report = reconciler.run();
        QCOMPARE(report.value(QStringLiteral("discrepancy")).toInteger(), qint64(0));
        QCOMPARE(issueTexts(report), QStringList());
        QCOMPARE(report.value(QStringLiteral("overduePendingReservations")).toInteger(), qint64(0));
        const QJsonObject sale = report.value(QStringLiteral("sales")).toArray().at(0).toObject();
        QCOMPARE(sale.value(QStringLiteral("saleId")).toInteger(), saleId);
        QCOMPARE(sale.value(QStringLiteral("allocated")).toInteger(), allocated);
        QCOMPARE(sale.value(QStringLiteral("available")).toInteger(), qint64(allocated - 2));
        QCOMPARE(sale.value(QStringLiteral("held")).toInteger(), qint64(2));
        QCOMPARE(sale.value(QStringLiteral("pendingUnits")).toInteger(), qint64(2));
        QCOMPARE(sale.value(QStringLiteral("availableInMemory")).toInteger(), qint64(allocated - 2));
        const QJsonObject product = report.value(QStringLiteral("products")).toArray().at(0).toObject();
        QCOMPARE(product.value(QStringLiteral("masterStock")).toInteger(), masterLevel);
        QCOMPARE(product.value(QStringLiteral("masterStockInMemory")).toInteger(), masterLevel);
        QCOMPARE(reconciler.discrepancy(), qint64(0));
        const QByteArray text = metrics.renderPrometheus();
        QVERIFY2(text.contains("flashsale_reconciliation_discrepancy 0\n"), text.constData());
        QVERIFY2(text.contains("flashsale_reconciliation_runs_total 2\n"), text.constData());
    }

    void allocationDiffersFromAvailablePlusHeld()
    {
        setAvailable(allocated - 3); // one unit vanished from the database's count
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        const QJsonObject report = reconciler.run();
        QCOMPARE(issueTexts(report), QStringList{QStringLiteral("1: sale 1: allocated 10 != available 7 + held 2")});
        QCOMPARE(report.value(QStringLiteral("discrepancy")).toInteger(), qint64(1));
        QCOMPARE(reconciler.discrepancy(), qint64(1));
        QVERIFY(metrics.renderPrometheus().contains("flashsale_reconciliation_discrepancy 1\n"));
        setAvailable(allocated - 2);
        QCOMPARE(reconciler.run().value(QStringLiteral("discrepancy")).toInteger(), qint64(0));
        QCOMPARE(reconciler.discrepancy(), qint64(0));
    }

    // A purchase between its atomic step and its commit differs once; only the same
    // difference on two runs in a row counts.
    void memoryCountsOnlyWhenTheSameDifferenceRepeats()
    {
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        setAvailableInMemory(6);
        QJsonObject report = reconciler.run();
        QCOMPARE(report.value(QStringLiteral("discrepancy")).toInteger(), qint64(0));
        QCOMPARE(report.value(QStringLiteral("sales")).toArray().at(0)[QStringLiteral("availableInMemory")].toInteger(), qint64(6));
        report = reconciler.run();
        QCOMPARE(issueTexts(report), QStringList{QStringLiteral("2: sale 1: 6 units in memory, 8 in the database")});
        setAvailableInMemory(7); // another difference: not yet counted
        QCOMPARE(reconciler.run().value(QStringLiteral("discrepancy")).toInteger(), qint64(0));
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("1: sale 1: 7 units in memory, 8 in the database")});
        setAvailableInMemory(8);
        QCOMPARE(reconciler.run().value(QStringLiteral("discrepancy")).toInteger(), qint64(0));
    }

    void orderStatusDiffersFromReservation()
    {
        exec(QStringLiteral("UPDATE orders SET status = 'Confirmed' WHERE order_id = 'r1'"));
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("2: orders whose status differs from their reservation")});
    }

    void failedOrExpiredStillHoldingUnits()
    {
        setStatus(QStringLiteral("r1"), QStringLiteral("Failed"), QStringLiteral("Failed"));
        addReservation(QStringLiteral("r2"), 2, 1, QStringLiteral("Expired"), false);
        setAvailable(allocated - 3); // both still hold their units, so the allocation adds up
        addReservation(QStringLiteral("r3"), 2, 4, QStringLiteral("Failed"), true); // released: fine
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("3: failed or expired reservations still holding units")});
    }

    void confirmedWithoutItsSoldUnits()
    {
        setStatus(QStringLiteral("r1"), QStringLiteral("Confirmed"), QStringLiteral("Confirmed"));
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("2: confirmed orders without their sold units recorded")});
        addCommitment(QStringLiteral("r1"), 1); // recorded, but not all of them
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("2: confirmed orders without their sold units recorded")});
        exec(QStringLiteral("UPDATE stock_commitments SET quantity = 2 WHERE order_id = 'r1'"));
        QCOMPARE(issueTexts(reconciler.run()), QStringList());
    }

    void soldUnitsRecordedForAnUnconfirmedOrder()
    {
        addCommitment(QStringLiteral("r1"), 2); // r1 is still Pending
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("2: sold units recorded for orders that are not confirmed")});
    }

    void unitsLeftAConfirmedOrderWithoutARefund()
    {
        setStatus(QStringLiteral("r1"), QStringLiteral("Confirmed"), QStringLiteral("Confirmed"));
        addCommitment(QStringLiteral("r1"), 2);
        exec(QStringLiteral("UPDATE reservations SET units_released = 1 WHERE reservation_id = 'r1'"));
        setAvailable(allocated); // the units are back in the sale, so the allocation adds up
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        const QString finding = QStringLiteral("2: confirmed orders whose units left without a refund (or a refund whose units did not)");
        QCOMPARE(issueTexts(reconciler.run()), QStringList{finding});
        exec(QStringLiteral("UPDATE stock_commitments SET returned_to = 'master' WHERE order_id = 'r1'"));
        QCOMPARE(issueTexts(reconciler.run()), QStringList{finding});
        exec(QStringLiteral("UPDATE stock_commitments SET returned_to = 'sale' WHERE order_id = 'r1'")); // a refund to the sale
        QCOMPARE(issueTexts(reconciler.run()), QStringList());
        // The other way round: a refund to the sale whose units never came back.
        exec(QStringLiteral("UPDATE reservations SET units_released = 0 WHERE reservation_id = 'r1'"));
        setAvailable(allocated - 2);
        QCOMPARE(issueTexts(reconciler.run()), QStringList{finding});
    }

    // Overdue pending reservations are reported, not counted as a discrepancy.
    void overduePendingReservationsAreReported()
    {
        addReservation(QStringLiteral("r2"), 2, 1, QStringLiteral("Pending"), false, 1000);
        setAvailable(allocated - 3);
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        const QJsonObject report = reconciler.run();
        QCOMPARE(report.value(QStringLiteral("overduePendingReservations")).toInteger(), qint64(1));
        QCOMPARE(report.value(QStringLiteral("discrepancy")).toInteger(), qint64(0));
    }

    void masterStockInMemoryDiffers()
    {
        m_master->set(productId, masterLevel - 1);
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics);
        QJsonObject report = reconciler.run();
        QCOMPARE(report.value(QStringLiteral("discrepancy")).toInteger(), qint64(0));
        QCOMPARE(report.value(QStringLiteral("products")).toArray().at(0)[QStringLiteral("masterStockInMemory")].toInteger(), qint64(masterLevel - 1));
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("1: product 1: master stock 99 in memory, 100 in the database")});
        m_master->set(productId, masterLevel);
        QCOMPARE(reconciler.run().value(QStringLiteral("discrepancy")).toInteger(), qint64(0));
    }

    // A cluster node: 4 units unleased, node-a leased 6 and sold 2 (r1), so its memory
    // holds 4 while the sale has 8 available.
    void clusterPoolLeasesAndTheNodesLease()
    {
        exec(QStringLiteral("UPDATE reservations SET node_id = 'node-a' WHERE reservation_id = 'r1'"));
        exec(QStringLiteral("INSERT INTO sale_stock_pool(sale_id, unleased) VALUES (?, 4)"), {saleId});
        exec(QStringLiteral("INSERT INTO stock_leases(sale_id, node_id, granted, reserved, state, expires_at, updated_at) "
                            "VALUES (?, 'node-a', 6, 2, 'active', 0, 0)"), {saleId});
        setAvailableInMemory(4);
        Metrics metrics;
        Reconciler reconciler(m_db->database(), m_sales, *m_master, metrics, QStringLiteral("node-a"));
        reconciler.run();
        QJsonObject report = reconciler.run();
        QCOMPARE(issueTexts(report), QStringList());
        const QJsonObject sale = report.value(QStringLiteral("sales")).toArray().at(0).toObject();
        QCOMPARE(sale.value(QStringLiteral("unleased")).toInteger(), qint64(4));
        QCOMPARE(sale.value(QStringLiteral("leased")).toInteger(), qint64(6));

        // Another node's lease: counted in the pool's sum, not in this node's memory.
        exec(QStringLiteral("INSERT INTO stock_leases(sale_id, node_id, granted, reserved, state, expires_at, updated_at) "
                            "VALUES (?, 'node-b', 1, 0, 'active', 0, 0)"), {saleId});
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("1: sale 1: pool 4 + leased 7 != allocated 10")});
        exec(QStringLiteral("UPDATE sale_stock_pool SET unleased = 3"));
        QCOMPARE(issueTexts(reconciler.run()), QStringList());

        exec(QStringLiteral("UPDATE stock_leases SET reserved = 3 WHERE node_id = 'node-a'"));
        setAvailableInMemory(3); // this node's unsold lease is now 3
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("1: sale 1: leases count 3 reserved units, the nodes' reservations hold 2")});
        exec(QStringLiteral("UPDATE stock_leases SET reserved = 2 WHERE node_id = 'node-a'"));

        // Memory must hold the lease's unsold 4 units, not the sale's 8.
        setAvailableInMemory(8);
        QCOMPARE(reconciler.run().value(QStringLiteral("discrepancy")).toInteger(), qint64(0));
        QCOMPARE(issueTexts(reconciler.run()), QStringList{QStringLiteral("4: sale 1: 8 units in memory, 4 in the database")});
        // A lease no longer active leaves nothing in this node's memory.
        exec(QStringLiteral("UPDATE stock_leases SET state = 'returned' WHERE node_id = 'node-a'"));
        setAvailableInMemory(0);
        reconciler.run();
        QCOMPARE(issueTexts(reconciler.run()), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestReconciler)
#include "tst_reconciler.moc"
