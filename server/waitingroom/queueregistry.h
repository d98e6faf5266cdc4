#pragma once

#include "appendonlylist.h"
#include "salequeue.h"

#include <QMutex>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

// Every sale's waiting room, found by sale id from any thread without a lock.
//
// Readers probe an open-addressing table through one atomic pointer; its slots are only
// ever filled, never changed. Adding a queue (rare: once per sale) takes the writers'
// mutex and fills a slot, or, when the table is half full, publishes a copy twice the
// size. Replaced tables are kept until the registry goes, so a reader never holds a
// dangling pointer; as each is half the next, they add up to less than the live one.
// Queues are never removed. Sale ids are positive (database keys); others find nothing.
class QueueRegistry
{
public:
    QueueRegistry();
    ~QueueRegistry();
    QueueRegistry(const QueueRegistry &) = delete;
    QueueRegistry &operator=(const QueueRegistry &) = delete;

    SaleQueue *find(qint64 saleId) const;
    // Finds or creates; `created` (under the writers' mutex) sets up a new queue.
    // nullptr for an id that is not positive.
    SaleQueue *obtain(qint64 saleId, const std::function<void(SaleQueue &)> &created = {});

    // Any thread: the queues published so far, in the order they were created.
    qint64 count() const { return m_order.size(); }
    template<typename Visit>
    void forEach(Visit visit) const
    {
        const qint64 n = m_order.size();
        for (qint64 i = 0; i < n; ++i)
            visit(**m_order.at(i));
    }

private:
    struct Slot
    {
        std::atomic<qint64> saleId{0}; // 0: empty; set last, with release
        std::atomic<SaleQueue *> queue{nullptr};
    };
    struct Table
    {
        explicit Table(qint64 slotCount) : mask(slotCount - 1), slots(new Slot[size_t(slotCount)]) {}
        qint64 slotCount() const { return mask + 1; }
        const qint64 mask;
        const std::unique_ptr<Slot[]> slots;
    };
    static SaleQueue *lookup(const Table &table, qint64 saleId);
    static void place(Table &table, qint64 saleId, SaleQueue *queue);

    std::atomic<Table *> m_table{nullptr};
    QMutex m_writeMutex;
    std::vector<std::unique_ptr<Table>> m_tables; // the live one last
    AppendOnlyList<std::unique_ptr<SaleQueue>> m_order; // owns the queues, in the order created
};
