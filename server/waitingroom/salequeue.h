#pragma once

#include "appendonlylist.h"

#include <QHash>
#include <QMutex>
#include <QString>

#include <atomic>
#include <functional>
#include <vector>

enum class Lane : int { Normal = 0, Low = 1 };
constexpr int laneCount = 2;

// One ticket of a sale's waiting room. Fixed once published, except where it stands in
// admission order (a shuffled pre-queue moves it) and when it was admitted.
struct TicketEntry
{
    qint64 ticket = 0;
    qint64 userId = 0;
    qint64 joinedAtMs = 0;
    Lane lane = Lane::Normal;
    std::atomic<qint64> laneIndex{0};    // place in its lane's admission order
    std::atomic<qint64> admittedAtMs{0}; // 0 while waiting
};

// What a status poll sees of one ticket, computed from atomics only.
struct TicketView
{
    const TicketEntry *entry = nullptr;
    bool admitted = false;
    qint64 ahead = 0; // tickets admitted before this one that are still waiting
};

// The merchant's choices for one sale's waiting room. Read from any thread.
struct QueueSettings
{
    std::atomic<double> admissionRatePerSecond{0};
    std::atomic_bool paused{false};
    std::atomic_int required{-1}; // -1: the server's default, 0: off, 1: on
    std::atomic_bool shuffledPreQueue{false};
};

// The waiting room of one sale, in memory.
//
// Threads: tickets, lanes and counters are written by one thread at a time (the ticket
// journal's writer, or the loader before serving) and read by every HTTP thread without a
// lock. The join book (who holds or is about to get a ticket) has its own mutex, taken
// only by joins: purchases and status polls never touch it.
//
// Once its sale is over for good, the writer closes the queue: its tickets and join book
// are freed and only the counters stay. Any other thread reads tickets under a Reading,
// which fails once the queue is closing and which the close waits out.
class SaleQueue
{
public:
    explicit SaleQueue(qint64 saleId) : m_saleId(saleId) {}

    // A thread other than the writer's holds one while it reads tickets (ticket(), view(),
    // ticketOf()). False when the queue is closed or closing: there are no tickets to read.
    class Reading
    {
    public:
        explicit Reading(const SaleQueue &queue);
        ~Reading();
        Reading(const Reading &) = delete;
        Reading &operator=(const Reading &) = delete;
        explicit operator bool() const { return m_queue != nullptr; }

    private:
        const SaleQueue *m_queue;
    };
    qint64 saleId() const { return m_saleId; }
    QueueSettings &settings() { return m_settings; }
    const QueueSettings &settings() const { return m_settings; }

    // ---- any thread, no lock
    qint64 issued() const { return m_tickets.size(); }
    const TicketEntry *ticket(qint64 number) const { return m_tickets.at(number - 1); }
    qint64 laneLength(Lane lane) const { return m_lanes[int(lane)].size(); }
    qint64 laneAdmitted(Lane lane) const { return m_admitted[int(lane)].load(std::memory_order_acquire); }
    qint64 admittedTotal() const { return laneAdmitted(Lane::Normal) + laneAdmitted(Lane::Low); }
    qint64 waiting() const { return issued() - admittedTotal(); }
    TicketView view(qint64 number) const;
    bool shuffleApplied() const { return m_shuffleApplied.load(std::memory_order_acquire); }
    // Admitted shoppers who have neither bought nor let their token expire (the
    // admission controller's count, published for the console).
    qint64 admittedUnfinished() const { return m_admittedUnfinished.load(std::memory_order_relaxed); }
    void setAdmittedUnfinished(qint64 count) { m_admittedUnfinished.store(count, std::memory_order_relaxed); }

    // ---- the single writer (journal writer thread, or the loader)
    // Publishes the next ticket; its number must be issued() + 1.
    const TicketEntry *publishTicket(qint64 number, qint64 userId, Lane lane, qint64 joinedAtMs);
    // Marks the next tickets of `lane` admitted at `atMs`, up to `admittedCount`.
    void publishAdmission(Lane lane, qint64 admittedCount, qint64 atMs);
    // Reorders the tickets up to `count` (the pre-queue) in each lane, once, from `seed`.
    void applyShuffle(quint64 seed, qint64 count);
    // The ticket number at place `index` of a lane's admission order (0 if none).
    qint64 ticketAt(Lane lane, qint64 index) const;
    // How many tickets were issued before `startMs` (the pre-queue to shuffle).
    qint64 issuedBefore(qint64 startMs) const;
    // Frees the tickets, the lanes and the join book for good; the counters stay. False
    // while a Reading is held: the queue is then closing (new Readings fail), and a later
    // call frees it. Writer only; from then on the writer's calls above do nothing.
    bool close();
    bool closed() const { return m_closed.load(std::memory_order_acquire); }

    // ---- joins (the join book's mutex)
    using JoinWaiter = std::function<void(qint64 ticket)>; // 0: the join failed
    enum class JoinState { Holds, Pending, New };
    // Returns Holds with *ticket set, or queues `waiter` (Pending: a join of the same
    // shopper is being written; New: the caller must write this join).
    JoinState join(qint64 userId, qint64 *ticket, JoinWaiter waiter);
    // Answers every waiter of the shopper's join (ticket 0 when it failed).
    void finishJoin(qint64 userId, qint64 ticket);
    qint64 ticketOf(qint64 userId) const;

private:
    const qint64 m_saleId;
    QueueSettings m_settings;
    AppendOnlyList<TicketEntry> m_tickets;
    AppendOnlyList<std::atomic<qint64>> m_lanes[laneCount]; // ticket numbers in admission order
    std::atomic<qint64> m_admitted[laneCount] = {};
    std::atomic_bool m_shuffleApplied{false};
    std::atomic<qint64> m_admittedUnfinished{0};
    mutable std::atomic<int> m_readers{0};
    std::atomic_bool m_closing{false};
    std::atomic_bool m_closed{false};

    mutable QMutex m_joinMutex;
    QHash<qint64, qint64> m_ticketByUser;
    QHash<qint64, std::vector<JoinWaiter>> m_pending;
};
