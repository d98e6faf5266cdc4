#pragma once

#include <QHash>
#include <QJsonObject>
#include <QMutex>

#include <atomic>

class Database;
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
    const Database &m_db;
    SaleRegistry &m_registry;
    MasterStock &m_masterStock;
    const QString m_nodeId;
    QMutex m_mutex;
    QHash<QString, QString> m_lastMemoryDiffs; // what differed on the previous run
    std::atomic<qint64> m_discrepancy{0};
    std::atomic<qint64> m_runs{0};
};
