#pragma once

#include <QtGlobal>

#include <functional>

// A cluster node sells only the units it leased. When its share runs out while the sale
// still has units elsewhere, the purchase path asks for more before it answers "sold
// out". `then` runs once the attempt finished (with or without new units), on any thread.
class StockRefill
{
public:
    virtual ~StockRefill() = default;
    virtual void refillNow(qint64 saleId, std::function<void()> then) = 0;
};
