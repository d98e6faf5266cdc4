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
    enum class Kind { Join, Admission, Settings, Shuffle };
    Kind kind = Kind::Join;
    SaleQueue *queue = nullptr;
    qint64 atMs = 0;
    // Join: the ticket number is given by the writer, in the order joins arrived.
    qint64 userId = 0;
    Lane lane = Lane::Normal;
    QString clientAddress;
    qint64 ticket = 0;
    // Admission: each lane's new admitted count.
    qint64 admittedUpTo[laneCount] = {0, 0};
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
class TicketJournal
{
public:
    using Done = GroupCommitWriter<QueueWrite>::Done;

    TicketJournal(const Database &database, int maxBatch);
    ~TicketJournal();

    void start() { m_writer.start(); }
    void stop() { m_writer.stop(); }
    // A join is answered through its queue's join book once written; `done` may be empty.
    void append(QueueWrite write, Done done = {}) { m_writer.append(std::move(write), std::move(done)); }

    // Reads every waiting room from the database into `queues` (created by `create`).
    // Main thread, before serving.
    static void load(const Database &database, const std::function<SaleQueue *(qint64 saleId)> &create,
                     const std::function<void(SaleQueue &, qint64 userId, qint64 admittedAtMs)> &admittedLoaded);

private:
    static void write(const QSqlDatabase &db, std::vector<QueueWrite> &writes);
    static void apply(std::vector<QueueWrite> &writes);

    GroupCommitWriter<QueueWrite> m_writer;
};
