#pragma once

#include <QtGlobal>

#include <functional>

// A cluster node sells only the units it leased. When its share runs out while the sale
// still has units elsewhere, the purchase path asks for more before it answers "sold
// out". `then(granted)` runs once the attempt finished, on any thread: at once with the
// units this refill leased, or, when the pool had none (`granted` 0), after the node's
// next heartbeat, by which time other nodes may have handed units back.
class StockRefill
{
public:
    virtual ~StockRefill() = default;
    virtual void refillNow(qint64 saleId, std::function<void(qint64 granted)> then) = 0;
};
