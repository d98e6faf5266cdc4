#include "salequeue.h"

#include <QRandomGenerator>

SaleQueue::Reading::Reading(const SaleQueue &queue)
    : m_queue(&queue)
{
    // Sequentially consistent on both sides: either this sees the queue closing, or
    // close() sees this reader and frees nothing.
    queue.m_readers.fetch_add(1);
    if (queue.m_closing.load()) {
        queue.m_readers.fetch_sub(1, std::memory_order_release);
        m_queue = nullptr;
    }
}

SaleQueue::Reading::~Reading()
{
    if (m_queue)
        m_queue->m_readers.fetch_sub(1, std::memory_order_release); // what it read, before close() frees it
}

bool SaleQueue::close()
{
    if (m_closed.load(std::memory_order_relaxed))
        return true;
    m_closing.store(true);
    if (m_readers.load() != 0)
        return false;
    m_tickets.release();
    for (auto &lane : m_lanes)
        lane.release();
    QHash<qint64, qint64> held;
    {
        QMutexLocker lock(&m_joinMutex);
        held.swap(m_ticketByUser); // joins in flight keep their waiters: the writer refuses them
    }
    m_closed.store(true, std::memory_order_release);
    return true;
}

TicketView SaleQueue::view(qint64 number) const
{
    TicketView v;
    v.entry = ticket(number);
    if (!v.entry)
        return v;
    const qint64 normalAdmitted = laneAdmitted(Lane::Normal);
    const qint64 index = v.entry->laneIndex.load(std::memory_order_acquire);
    const qint64 laneDone = laneAdmitted(v.entry->lane);
    v.admitted = index < laneDone;
    if (v.admitted)
        return v;
    v.ahead = index - laneDone;
    if (v.entry->lane == Lane::Low) // the whole normal lane goes first
        v.ahead += laneLength(Lane::Normal) - normalAdmitted;
    return v;
}

const TicketEntry *SaleQueue::publishTicket(qint64 number, qint64 userId, Lane lane, qint64 joinedAtMs)
{
    Q_ASSERT(number == issued() + 1);
    if (closed())
        return nullptr;
    auto &laneList = m_lanes[int(lane)];
    TicketEntry *entry = m_tickets.prepareNext();
    std::atomic<qint64> *place = laneList.prepareNext();
    if (!entry || !place)
        return nullptr;
    entry->ticket = number;
    entry->userId = userId;
    entry->joinedAtMs = joinedAtMs;
    entry->lane = lane;
    entry->laneIndex.store(laneList.size(), std::memory_order_relaxed);
    entry->admittedAtMs.store(0, std::memory_order_relaxed);
    place->store(number, std::memory_order_relaxed);
    laneList.publish(laneList.size() + 1);
    m_tickets.publish(number);
    return entry;
}

void SaleQueue::publishAdmission(Lane lane, qint64 admittedCount, qint64 atMs)
{
    if (closed())
        return;
    for (qint64 i = laneAdmitted(lane); i < admittedCount; ++i) {
        if (const TicketEntry *e = ticket(ticketAt(lane, i)))
            const_cast<TicketEntry *>(e)->admittedAtMs.store(atMs, std::memory_order_relaxed);
    }
    m_admitted[int(lane)].store(admittedCount, std::memory_order_release);
}

qint64 SaleQueue::ticketAt(Lane lane, qint64 index) const
{
    if (closed())
        return 0;
    const std::atomic<qint64> *place = m_lanes[int(lane)].at(index);
    return place ? place->load(std::memory_order_relaxed) : 0;
}

qint64 SaleQueue::issuedBefore(qint64 startMs) const
{
    // Tickets are numbered in the order they were written, and so are their times.
    qint64 count = closed() ? 0 : issued();
    while (count > 0 && ticket(count)->joinedAtMs >= startMs)
        --count;
    return count;
}

void SaleQueue::applyShuffle(quint64 seed, qint64 count)
{
    if (m_shuffleApplied.load() || closed())
        return;
    for (int l = 0; l < laneCount; ++l) {
        auto &laneList = m_lanes[l];
        qint64 n = 0; // the lane's pre-queue: its first tickets numbered up to `count`
        while (n < laneList.size() && laneList.at(n)->load() <= count)
            ++n;
        // Fisher-Yates with a generator of our own: the same seed gives the same order
        // after a restart, whatever the standard library.
        QRandomGenerator64 random(quint64(seed) ^ quint64(l));
        for (qint64 i = n - 1; i > 0; --i) {
            const qint64 j = qint64(random.bounded(quint64(i + 1)));
            std::atomic<qint64> *a = laneList.mutableAt(i);
            std::atomic<qint64> *b = laneList.mutableAt(j);
            const qint64 ta = a->load();
            a->store(b->load());
            b->store(ta);
        }
        for (qint64 i = 0; i < n; ++i) {
            if (const TicketEntry *e = ticket(laneList.at(i)->load()))
                const_cast<TicketEntry *>(e)->laneIndex.store(i, std::memory_order_release);
        }
    }
    m_shuffleApplied.store(true, std::memory_order_release);
}

SaleQueue::JoinState SaleQueue::join(qint64 userId, qint64 *ticket, JoinWaiter waiter)
{
    QMutexLocker lock(&m_joinMutex);
    const auto held = m_ticketByUser.constFind(userId);
    if (held != m_ticketByUser.constEnd()) {
        *ticket = *held;
        return JoinState::Holds;
    }
    auto pending = m_pending.find(userId);
    if (pending != m_pending.end()) {
        pending->push_back(std::move(waiter));
        return JoinState::Pending;
    }
    m_pending[userId].push_back(std::move(waiter));
    return JoinState::New;
}

void SaleQueue::finishJoin(qint64 userId, qint64 ticket)
{
    std::vector<JoinWaiter> waiters;
    {
        QMutexLocker lock(&m_joinMutex);
        if (ticket > 0)
            m_ticketByUser.insert(userId, ticket);
        waiters = m_pending.take(userId);
    }
    for (const JoinWaiter &w : waiters)
        w(ticket);
}

qint64 SaleQueue::ticketOf(qint64 userId) const
{
    QMutexLocker lock(&m_joinMutex);
    return m_ticketByUser.value(userId);
}
