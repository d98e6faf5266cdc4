#pragma once

#include "sale.h"

#include <QByteArray>
#include <QList>

#include <memory>

// The bytes of GET /sales and GET /sales/{id}, rendered once per change of what they say.
//
// Between two purchases thousands of reads a second are told the same figures; only
// serverTime differs. Each thread keeps its own rendering of each sale it has shown (no
// lock, nothing shared between threads), made again when the sale's figures change, and
// writes the clock per answer. The JSON is Sale::describe's, with serverTime last.
namespace SaleRendering {
QByteArray one(const Sale &sale, qint64 nowMs);
// Ended sales only when `withEnded`.
QByteArray list(const QList<std::shared_ptr<Sale>> &sales, bool withEnded, qint64 nowMs);
} // namespace SaleRendering
