#pragma once

#include "sale.h"

#include <functional>
#include <optional>

struct HttpRequest;
struct HttpResponse;

// The body of POST /sales read into a sale's terms, every field checked before any
// database work: name, productId (an existing product), salePrice (money, two decimals),
// quantity, perUserLimit, and a window that ends after it starts and in the future.
// Every bad field is named at once (422).
namespace SaleRequest {

// `productExists` says whether a product id names a product of the catalog.
std::optional<Sale::Terms> read(const HttpRequest &request, qint64 nowMs,
                                const std::function<bool(qint64 productId)> &productExists, HttpResponse *problem);

} // namespace SaleRequest
