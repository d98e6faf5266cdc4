#pragma once

#include <QSqlDatabase>

#include <vector>

struct QueueWrite;

// Cluster mode: brings the sales of one ticket-journal batch up to date with what every
// node wrote, at the start of the batch's transaction, on the journal's writer thread
// (the only thread that changes a SaleQueue).
//
// For each sale of the batch, in sale id order: when the batch writes to it, its
// waiting_room_state row is locked (SELECT ... FOR UPDATE), which makes every node's
// ticket and admission writes of that sale take turns; then the tickets numbered beyond
// those in memory, the settings, the pre-queue shuffle and each lane's admitted count are
// read and published to memory at once (they are committed already). After that the
// in-memory queue is the database's, so the journal numbers its joins from issued() + 1:
// one gap-free sequence per sale, whichever node a shopper joined on.
//
// Then it adjusts the batch to what it found: a join of a shopper who got a ticket on
// another node becomes a Sync (the shopper was answered with that ticket), a shuffle that
// another node already made becomes a Sync, and an admission step takes `admitWanted`
// tickets from the database's admitted count onwards, so a new admitting node can never
// move the count back or skip a ticket.
namespace ClusterQueueSync {

// Throws DatabaseError.
void prepare(const QSqlDatabase &db, std::vector<QueueWrite> &writes);

} // namespace ClusterQueueSync
