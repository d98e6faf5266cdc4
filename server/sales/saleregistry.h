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

private:
    mutable QReadWriteLock m_lock;
    QMap<qint64, std::shared_ptr<Sale>> m_sales;
};
