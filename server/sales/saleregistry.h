#pragma once

#include "sale.h"

#include <QList>
#include <QMap>
#include <QReadWriteLock>

#include <memory>

// Every sale in memory, looked up by id from any thread. Sales are added, never removed.
class SaleRegistry
{
public:
    std::shared_ptr<Sale> find(qint64 saleId) const;
    QList<std::shared_ptr<Sale>> all() const;
    void add(std::shared_ptr<Sale> sale);
    // Cluster mode: a node sells only what it leased, so every sale's stock in memory
    // starts empty (the sale-wide figure is what was in memory); sales added later too.
    void takeStockFromLeases();

private:
    mutable QReadWriteLock m_lock;
    QMap<qint64, std::shared_ptr<Sale>> m_sales;
    bool m_leasedStock = false;
};
