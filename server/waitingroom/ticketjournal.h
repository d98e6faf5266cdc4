#pragma once

#include "http/principal.h"

#include <QJsonObject>

#include "salequeue.h"
#include "storage/groupcommitwriter.h"

#include <QString>

#include <memory>
#include <vector>

class Database;

// One change to a waiting room, made durable before anyone hears of it.
struct QueueWrite
{
    // Sync (cluster mode only): read what other nodes wrote; changes nothing.
    // Close: the sale is over for good; free its tickets (SaleQueue::close), writes nothing.
    enum class Kind { Join, Admission, Settings, Shuffle, Sync, Close };
    Kind kind = Kind::Join;
    SaleQueue *queue = nullptr;
    qint64 atMs = 0;
    // Join: the ticket number is given by the writer, in the order joins arrived.
    qint64 userId = 0;
    Lane lane = Lane::Normal;
    QString clientAddress;
    qint64 ticket = 0;
    // Admission: each lane's new admitted count. In cluster mode the writer recomputes
    // it from `admitWanted` and the database's count (ClusterQueueSync). The writer lists
    // the shoppers it admitted in `admittedUsers`.
    qint64 admittedUpTo[laneCount] = {0, 0};
    qint64 admitWanted = 0;
    std::shared_ptr<std::vector<qint64>> admittedUsers;
    // Settings
    double admissionRatePerSecond = 0;
    bool paused = false;
    int required = -1;
    bool shuffledPreQueue = false;
    Principal actor;        // who changed them: written to the audit log in the same commit
    QJsonObject auditDetails;
    // Shuffle: the pre-queue is the tickets issued before `startMs`.
    quint64 seed = 0;
    qint64 startMs = 0;
    qint64 shuffledCount = 0;
};

// The waiting room's durable journal: one writer thread that group-commits joins,
// admissions, settings and the pre-queue shuffle to waiting_room_tickets and
// waiting_room_state, then applies them to the sale's queue in memory, in that order,
// before the callbacks run. So what a shopper was told survives a restart, and ticket
// numbers have no gaps (a batch that fails to commit gives its numbers back).
// Clustered, each batch first brings its sales up to date with the database under their
// waiting_room_state row lock (ClusterQueueSync), so the numbers continue the sale's one
// sequence across nodes.
class TicketJournal
{
public:
    using Done = GroupCommitWriter<QueueWrite>::Done;

    TicketJournal(const Database &database, int maxBatch, bool clustered = false);
    ~TicketJournal();

    void start() { m_writer.start(); }
    void stop() { m_writer.stop(); }
    // A join is answered through its queue's join book once written; `done` may be empty.
    void append(QueueWrite write, Done done = {}) { m_writer.append(std::move(write), std::move(done)); }

    // Reads every waiting room from the database into `queues` (created by `create`).
    // Main thread, before serving.
    static void load(const Database &database, const std::function<SaleQueue *(qint64 saleId)> &create,
                     const std::function<void(SaleQueue &, qint64 userId, qint64 admittedAtMs)> &admittedLoaded);

    // Creates the sale's waiting_room_state row from the settings in memory if it has none.
    static void ensureStateRow(const QSqlDatabase &db, const SaleQueue &queue, qint64 nowMs);

private:
    static void write(const QSqlDatabase &db, std::vector<QueueWrite> &writes, bool clustered);
    static void apply(std::vector<QueueWrite> &writes);
    // Whether a batch whose COMMIT lost its answer is in the database (GroupCommitWriter's
    // commit check): read from its first join's ticket row, or else from the state row its
    // first admission, settings change or shuffle stamped. Throws DatabaseError.
    static bool committed(const QSqlDatabase &db, const std::vector<QueueWrite> &writes);

    GroupCommitWriter<QueueWrite> m_writer;
};
