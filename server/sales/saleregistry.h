#pragma once

#include "sale.h"

#include <QList>
#include <QMap>
#include <QReadWriteLock>

#include <functional>
#include <memory>

class SaleDiscovery;

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

    // Cluster mode: who reads the sales other nodes created, sooner than the heartbeat
    // would. Set before the server answers requests.
    void setDiscovery(SaleDiscovery *discovery) { m_discovery = discovery; }
    // Asks for the sales table to be read now because `saleId` is not in memory (see
    // SaleLookup). False when there is nobody to ask; otherwise `then` runs once, on any
    // thread, after the read (or at once when the id cannot be a newer sale).
    bool learn(qint64 saleId, std::function<void()> then) const;

private:
    mutable QReadWriteLock m_lock;
    QMap<qint64, std::shared_ptr<Sale>> m_sales;
    bool m_leasedStock = false;
    SaleDiscovery *m_discovery = nullptr;
};
