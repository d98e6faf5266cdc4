#pragma once

#include <QtGlobal>

#include <functional>

// A cluster node learns the sales other nodes created on its heartbeat. A shopper sent
// here before that (admitted by another node's waiting room the moment the sale opened,
// say) must not hear "no such sale": the handlers of /sales/{id} routes ask for the sales
// table to be read now and look again (SaleLookup, through SaleRegistry::learn). `then`
// runs once, on any thread, after the read (or after it failed, or at shutdown). Requests
// that arrive together share one read.
class SaleDiscovery
{
public:
    virtual ~SaleDiscovery() = default;
    virtual void learnSalesNow(qint64 saleId, std::function<void()> then) = 0;
};
