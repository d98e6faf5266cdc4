#include "queueregistry.h"

#include <QHashFunctions>

namespace {
constexpr qint64 firstTableSlots = 64; // a power of two
}

QueueRegistry::QueueRegistry()
{
    m_tables.push_back(std::make_unique<Table>(firstTableSlots));
    m_table.store(m_tables.back().get(), std::memory_order_release);
}

QueueRegistry::~QueueRegistry() = default;

SaleQueue *QueueRegistry::lookup(const Table &table, qint64 saleId)
{
    for (qint64 i = qint64(qHash(saleId)) & table.mask;; i = (i + 1) & table.mask) {
        const Slot &slot = table.slots[size_t(i)];
        const qint64 id = slot.saleId.load(std::memory_order_acquire);
        if (id == saleId)
            return slot.queue.load(std::memory_order_relaxed);
        if (id == 0)
            return nullptr; // the table is never full: every probe meets an empty slot
    }
}

void QueueRegistry::place(Table &table, qint64 saleId, SaleQueue *queue)
{
    qint64 i = qint64(qHash(saleId)) & table.mask;
    while (table.slots[size_t(i)].saleId.load(std::memory_order_relaxed) != 0)
        i = (i + 1) & table.mask;
    table.slots[size_t(i)].queue.store(queue, std::memory_order_relaxed);
    table.slots[size_t(i)].saleId.store(saleId, std::memory_order_release); // publishes the queue
}

SaleQueue *QueueRegistry::find(qint64 saleId) const
{
    if (saleId <= 0)
        return nullptr;
    return lookup(*m_table.load(std::memory_order_acquire), saleId);
}

SaleQueue *QueueRegistry::obtain(qint64 saleId, const std::function<void(SaleQueue &)> &created)
{
    if (saleId <= 0)
        return nullptr;
    if (SaleQueue *q = find(saleId))
        return q;
    QMutexLocker lock(&m_writeMutex);
    Table *table = m_table.load(std::memory_order_relaxed);
    if (SaleQueue *q = lookup(*table, saleId))
        return q;
    std::unique_ptr<SaleQueue> *next = m_order.prepareNext();
    if (!next)
        return nullptr; // full only past a billion sales
    *next = std::make_unique<SaleQueue>(saleId);
    SaleQueue *q = next->get();
    if (created)
        created(*q);
    const qint64 count = m_order.size() + 1;
    if (2 * count > table->slotCount()) {
        // Half full: a table twice the size, with every queue so far, replaces it.
        auto bigger = std::make_unique<Table>(2 * table->slotCount());
        for (qint64 i = 0; i < count - 1; ++i)
            place(*bigger, (*m_order.at(i))->saleId(), m_order.at(i)->get());
        place(*bigger, saleId, q);
        m_tables.push_back(std::move(bigger));
        m_table.store(m_tables.back().get(), std::memory_order_release);
    } else {
        place(*table, saleId, q);
    }
    m_order.publish(count);
    return q;
}
