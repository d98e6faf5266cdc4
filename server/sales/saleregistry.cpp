#include "saleregistry.h"

#include "salediscovery.h"

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
    if (m_leasedStock)
        sale->setSaleWideRemaining(sale->stock().drain());
    m_sales.insert(sale->id(), std::move(sale));
}

void SaleRegistry::takeStockFromLeases()
{
    QWriteLocker lock(&m_lock);
    m_leasedStock = true;
    for (const auto &sale : std::as_const(m_sales))
        sale->setSaleWideRemaining(sale->stock().drain());
}

bool SaleRegistry::learn(qint64 saleId, std::function<void()> then) const
{
    if (!m_discovery)
        return false;
    m_discovery->learnSalesNow(saleId, std::move(then));
    return true;
}
