#pragma once

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

class SaleRegistry;

// GET /admin/cluster: every node (alive or not, its figures), and per sale the pool, each
// node's lease and the totals. Any node answers for the whole cluster; a single node
// answers "clustered": false with its sales' totals. Runs on a database thread.
namespace ClusterStatus {

// `nodeId` empty: not clustered. Throws DatabaseError.
QJsonObject read(const QSqlDatabase &db, const SaleRegistry &registry, const QString &nodeId, qint64 leaseTtlMs);

} // namespace ClusterStatus
