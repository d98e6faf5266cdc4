#pragma once

#include <QHash>
#include <QJsonObject>
#include <QMutex>

#include <atomic>

class Database;
class QSqlDatabase;
class MasterStock;
class Metrics;
class SaleRegistry;

// Compares what must agree and reports every unit that does not:
//   per sale, in the database: allocated = available + units held by reservations;
//   per sale: the live stock in memory = available_sale_quantity;
//   per order: reservation and order status agree; Failed/Expired hold no units; a
//   confirmed order has its sold units recorded once and holds them unless refunded;
//   per product: master stock in memory = the inventory table;
//   on a cluster node, per sale: the pool and every lease's granted units add up to the
//   allocation, the leases' reserved units are the units the nodes' reservations hold,
//   and this node's memory holds what its lease has unsold (instead of the whole sale).
// Memory is compared only when the same difference is seen on two runs in a row, so
// purchases between their atomic step and their commit are not counted. The sum is the
// gauge flashsale_reconciliation_discrepancy, which must read 0.
class Reconciler
{
public:
    // `nodeId`: this node's id in a cluster, empty on a single node.
    Reconciler(const Database &database, SaleRegistry &registry, MasterStock &masterStock, Metrics &metrics, QString nodeId = {});

    // Runs one reconciliation (database reads only) and returns its report; thread-safe.
    QJsonObject run();
    qint64 discrepancy() const { return m_discrepancy.load(); }

private:
    struct Findings;
    // The steps of run(), each in the run's transaction.
    void checkSales(const QSqlDatabase &db, const QHash<qint64, qint64> &memoryRemaining, Findings &found) const;
    // A cluster node's leases of one sale; returns the units this node's memory must hold.
    qint64 checkLeases(const QSqlDatabase &db, qint64 saleId, qint64 allocated, QJsonObject &sale, Findings &found) const;
    static void checkOrders(const QSqlDatabase &db, Findings &found);
    void checkMasterStock(const QSqlDatabase &db, Findings &found) const;
    void compareMemory(const QString &key, qint64 inMemory, qint64 inDatabase, const QString &issue, Findings &found) const;

    const Database &m_db;
    SaleRegistry &m_registry;
    MasterStock &m_masterStock;
    const QString m_nodeId;
    QMutex m_mutex;
    QHash<QString, QString> m_lastMemoryDiffs; // what differed on the previous run
    std::atomic<qint64> m_discrepancy{0};
    std::atomic<qint64> m_runs{0};
};
