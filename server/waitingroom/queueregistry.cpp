#include "queueregistry.h"

QueueRegistry::QueueRegistry()
{
    m_maps.push_back(std::make_unique<const Map>());
    m_current.store(m_maps.back().get());
}

QueueRegistry::~QueueRegistry() = default;

SaleQueue *QueueRegistry::find(qint64 saleId) const
{
    return all().value(saleId);
}

SaleQueue *QueueRegistry::obtain(qint64 saleId, const std::function<void(SaleQueue &)> &created)
{
    if (SaleQueue *q = find(saleId))
        return q;
    QMutexLocker lock(&m_writeMutex);
    if (SaleQueue *q = find(saleId))
        return q;
    m_queues.push_back(std::make_unique<SaleQueue>(saleId));
    SaleQueue *q = m_queues.back().get();
    if (created)
        created(*q);
    auto next = std::make_unique<Map>(all());
    next->insert(saleId, q);
    m_maps.push_back(std::move(next));
    m_current.store(m_maps.back().get(), std::memory_order_release);
    return q;
}
