#pragma once

#include <QHash>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

// The SQL of stock leases (PostgreSQL only: cluster mode needs it). Every statement
// that decides about time reads PostgreSQL's clock, so nodes whose clocks disagree
// still agree on which lease expired. Throws DatabaseError.
//
// The books always balance: for each sale, sale_stock_pool.unleased plus the granted
// units of every lease is the sale's allocation, and a lease's reserved units (held by
// durable reservations) never exceed its granted units.
namespace LeaseStore {

void registerNode(const QSqlDatabase &db, const QString &nodeId, const QString &advertiseUrl);
void markStopped(const QSqlDatabase &db, const QString &nodeId);

// Writes the node's heartbeat and figures, and extends its active leases by `ttlMs`.
// Returns the sales whose lease is still active (a lease missing here was reaped).
QSet<qint64> heartbeat(const QSqlDatabase &db, const QString &nodeId, qint64 ttlMs, qint64 acceptedTotal, double rate,
                       bool starved);

// Creates the sale's pool from its unsold units the first time a node needs it.
void ensurePool(const QSqlDatabase &db, qint64 saleId);

// Takes up to `wanted` units from the pool into the node's lease, atomically (the pool
// row is locked). Returns the units granted (0 if the pool is empty).
qint64 take(const QSqlDatabase &db, qint64 saleId, const QString &nodeId, qint64 wanted, qint64 ttlMs);

// Hands `units` of the node's unsold lease back to the pool. False if the lease is no
// longer active (it was reaped: those units are back in the pool already).
bool handBack(const QSqlDatabase &db, qint64 saleId, const QString &nodeId, qint64 units);

// Hands back everything the node holds and closes its leases (stop, restart).
void returnAll(const QSqlDatabase &db, const QString &nodeId);

// Returns the unsold units of leases whose node stopped renewing them. Returns how many
// leases were reaped.
int reapExpired(const QSqlDatabase &db);

// What the rest of the cluster has of a sale: the pool and the unsold units of the other
// nodes' active leases; and whether any other live node is short of stock.
struct Elsewhere
{
    qint64 unleased = 0;
    qint64 heldByOthers = 0;
    int liveNodes = 1;
    bool othersStarved = false;
};
QHash<qint64, Elsewhere> elsewhere(const QSqlDatabase &db, const QString &nodeId, qint64 ttlMs);

// Inside the journal's commit: `units` more of the node's lease are now reserved. Throws
// if the lease is not active or does not cover them, which fails the whole batch.
void reserve(const QSqlDatabase &db, qint64 saleId, const QString &nodeId, qint64 units);

} // namespace LeaseStore
