#pragma once

#include "http/httprequest.h"
#include "http/responder.h"
#include "saleregistry.h"

#include <memory>
#include <utility>

// Every handler of a /sales/{id}... route starts the same way: the sale the path names,
// from memory. On a cluster node a sale another node created since this one last read
// the sales table is not in memory yet; a shopper sent here the moment it opened must be
// served, not told "no such sale", so such an id is first looked up (SaleDiscovery) and
// the handler runs after that, on the thread that looked. Otherwise the answer is 404.
//
// `handler(request, reply, sale)` gets the request and the responder as arguments: it
// must not capture them by reference, because after a lookup it runs later, with copies.
namespace SaleLookup {

void answerNoSale(const HttpRequest &request, const Responder &reply);

template <typename Handler>
void withSale(const SaleRegistry &registry, const HttpRequest &request, const Responder &reply, Handler handler)
{
    bool ok = false;
    const qint64 saleId = request.param(QStringLiteral("id")).toLongLong(&ok);
    if (!ok) {
        answerNoSale(request, reply);
        return;
    }
    if (std::shared_ptr<Sale> sale = registry.find(saleId)) {
        handler(request, reply, std::move(sale));
        return;
    }
    const bool asked = registry.learn(saleId, [&registry, saleId, request, reply, handler]() mutable {
        if (std::shared_ptr<Sale> sale = registry.find(saleId))
            handler(request, reply, std::move(sale));
        else
            answerNoSale(request, reply);
    });
    if (!asked)
        answerNoSale(request, reply);
}

// The same, for a handler that is a member function of `owner`:
// `withSale(registry, request, reply, this, &QueueEndpoints::joinIn)`.
template <typename Owner>
void withSale(const SaleRegistry &registry, const HttpRequest &request, const Responder &reply, Owner *owner,
              void (Owner::*handler)(const HttpRequest &, const Responder &, const std::shared_ptr<Sale> &))
{
    withSale(registry, request, reply, [owner, handler](const HttpRequest &rq, const Responder &rp, const std::shared_ptr<Sale> &sale) {
        (owner->*handler)(rq, rp, sale);
    });
}

} // namespace SaleLookup
