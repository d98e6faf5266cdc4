#pragma once

#include "salequeue.h"

#include <QHash>
#include <QMutex>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

// Every sale's waiting room, found by sale id from any thread without a lock: readers
// load an immutable map through one atomic pointer; adding a queue (rare) publishes a
// new map under a writers' mutex. Replaced maps are kept until the registry goes, so a
// reader never holds a dangling pointer. Queues are never removed.
class QueueRegistry
{
public:
    using Map = QHash<qint64, SaleQueue *>;
    QueueRegistry();
    ~QueueRegistry();

    SaleQueue *find(qint64 saleId) const;
    // Finds or creates; `created` (under the writers' mutex) sets up a new queue.
    SaleQueue *obtain(qint64 saleId, const std::function<void(SaleQueue &)> &created = {});
    const Map &all() const { return *m_current.load(std::memory_order_acquire); }

private:
    std::atomic<const Map *> m_current;
    QMutex m_writeMutex;
    std::vector<std::unique_ptr<SaleQueue>> m_queues;
    std::vector<std::unique_ptr<const Map>> m_maps;
};
