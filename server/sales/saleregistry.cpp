#include "saleregistry.h"

std::shared_ptr<Sale> SaleRegistry::find(qint64 saleId) const
{
    QReadLocker lock(&m_lock);
    return m_sales.value(saleId);
}

QList<std::shared_ptr<Sale>> SaleRegistry::all() const
{
    QReadLocker lock(&m_lock);
    return m_sales.values();
}

void SaleRegistry::add(std::shared_ptr<Sale> sale)
{
    QWriteLocker lock(&m_lock);
    m_sales.insert(sale->id(), std::move(sale));
}
