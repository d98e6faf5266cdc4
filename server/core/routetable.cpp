#include "routetable.h"

#include "accounts/accountsmodule.h"
#include "audit/auditmodule.h"
#include "catalog/catalogmodule.h"
#include "cluster/clustermodule.h"
#include "flashsaleserver.h"
#include "inventory/inventorymodule.h"
#include "modules.h"
#include "orders/ordersmodule.h"
#include "sales/purchaseservice.h"
#include "sales/salesmodule.h"
#include "storefront/storefrontmodule.h"
#include "waitingroom/queueendpoints.h"
#include "waitingroom/waitingroommodule.h"

#include <type_traits>

namespace {

// The object a handler of class T runs on.
template<typename T>
T *targetOf(const RouteTargets &t)
{
    if constexpr (std::is_same_v<T, FlashSaleServer>)
        return &t.server;
    else if constexpr (std::is_same_v<T, PurchaseService>)
        return &t.modules.sales->purchases();
    else if constexpr (std::is_same_v<T, QueueEndpoints>)
        return &t.modules.waitingRoom->endpoints();
    else
        return t.modules.get<T>();
}

template<typename T>
struct HandlerClass;
template<typename T>
struct HandlerClass<void (T::*)(const HttpRequest &, const Responder &)>
{
    using type = T;
};
template<typename T>
struct HandlerClass<void (T::*)(const HttpRequest &, const Responder &) const>
{
    using type = T;
};

// bind<&Class::handler>: the table's binder for one member function.
template<auto Handler>
RouteHandler bind(const RouteTargets &targets)
{
    auto *target = targetOf<typename HandlerClass<decltype(Handler)>::type>(targets);
    return [target](const HttpRequest &request, const Responder &reply) { (target->*Handler)(request, reply); };
}

// One row: the handler's name is kept for docs/api.md's route list.
#define FS_ROUTE(method, path, access, handler) RouteSpec{method, path, access, #handler, bind<&handler>}

constexpr Access anyone = Access::Anyone;
constexpr Access user = Access::User;
constexpr Access admin = Access::Admin;

} // namespace

const QList<RouteSpec> &routeTable()
{
    static const QList<RouteSpec> table = {
        // The server itself: probes, metrics and the API's own description.
        FS_ROUTE("GET", "/health/live", anyone, FlashSaleServer::healthLive),
        FS_ROUTE("GET", "/health/ready", anyone, FlashSaleServer::healthReady),
        FS_ROUTE("GET", "/metrics", anyone, FlashSaleServer::prometheusMetrics),
        FS_ROUTE("GET", "/openapi.json", anyone, FlashSaleServer::openApiDocument),
        // Accounts.
        FS_ROUTE("POST", "/users", anyone, AccountsModule::registerUser),
        FS_ROUTE("POST", "/token", anyone, AccountsModule::issueToken),
        FS_ROUTE("GET", "/user/me", user, AccountsModule::profile),
        // Catalog and stock.
        FS_ROUTE("GET", "/products", anyone, CatalogModule::listProducts),
        FS_ROUTE("GET", "/products/{id}", anyone, CatalogModule::getProduct),
        FS_ROUTE("POST", "/products", admin, CatalogModule::createProduct),
        FS_ROUTE("PUT", "/products/{id}", admin, CatalogModule::updateProduct),
        FS_ROUTE("GET", "/stock/{id}", anyone, InventoryModule::stockLevel),
        // Sales, their operator controls, and the purchase.
        FS_ROUTE("GET", "/sales", anyone, SalesModule::listSales),
        FS_ROUTE("GET", "/sales/{id}", anyone, SalesModule::getSale),
        FS_ROUTE("POST", "/sales", admin, SalesModule::scheduleSale),
        FS_ROUTE("POST", "/sales/{id}/start", admin, SalesModule::startNow),
        FS_ROUTE("POST", "/sales/{id}/end", admin, SalesModule::endNow),
        FS_ROUTE("POST", "/sales/{id}/purchase", user, PurchaseService::purchase),
        // The waiting room: the literal routes before /queue/{ticket}.
        FS_ROUTE("GET", "/sales/{id}/queue/challenge", user, QueueEndpoints::challenge),
        FS_ROUTE("PUT", "/sales/{id}/queue/settings", admin, QueueEndpoints::changeSettings),
        FS_ROUTE("GET", "/sales/{id}/queue/{ticket}", user, QueueEndpoints::status),
        FS_ROUTE("POST", "/sales/{id}/queue", user, QueueEndpoints::join),
        FS_ROUTE("GET", "/sales/{id}/queue", admin, QueueEndpoints::stats),
        // Orders and the operator's view of them.
        FS_ROUTE("GET", "/orders", user, OrdersModule::listOrders),
        FS_ROUTE("GET", "/orders/{id}", user, OrdersModule::getOrder),
        FS_ROUTE("POST", "/orders/{id}/refund", admin, OrdersModule::refund),
        FS_ROUTE("POST", "/orders/{id}/compensate", admin, OrdersModule::compensate),
        FS_ROUTE("GET", "/admin/reconciliation", admin, OrdersModule::reconciliation),
        FS_ROUTE("GET", "/admin/audit", admin, AuditModule::readAudit),
        FS_ROUTE("GET", "/admin/cluster", admin, ClusterModule::status),
        // The shoppers' storefront page and its versioned assets.
        FS_ROUTE("GET", "/", anyone, StorefrontModule::servePage),
        FS_ROUTE("GET", "/shop", anyone, StorefrontModule::servePage),
        FS_ROUTE("GET", "/shop/v/{version}/{file}", anyone, StorefrontModule::serveAsset),
    };
    return table;
}

#undef FS_ROUTE

void addRoutes(Router &router, FlashSaleServer &server, const Modules &modules)
{
    const RouteTargets targets{server, modules};
    for (const RouteSpec &route : routeTable())
        router.add(route.method, QString::fromLatin1(route.path), route.access, route.bind(targets));
}

const char *accessName(Access access)
{
    switch (access) {
    case Access::Anyone:
        return "anyone";
    case Access::User:
        return "user";
    case Access::Admin:
        return "admin";
    }
    return "anyone";
}
