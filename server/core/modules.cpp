#include "modules.h"

#include "accounts/accountsmodule.h"
#include "audit/auditmodule.h"
#include "catalog/catalogmodule.h"
#include "cluster/clustermodule.h"
#include "demo/demoseeder.h"
#include "inventory/inventorymodule.h"
#include "notifications/notificationsmodule.h"
#include "orders/ordersmodule.h"
#include "sales/salesmodule.h"
#include "servermodule.h"
#include "storefront/storefrontmodule.h"
#include "waitingroom/waitingroommodule.h"

namespace {

// Builds one module, keeps it (in start order) and returns it for the ones built after.
template<typename T, typename... Args>
T *add(Modules &modules, Args &&...args)
{
    auto module = std::make_unique<T>(std::forward<Args>(args)...);
    T *raw = module.get();
    modules.all.push_back(std::move(module));
    return raw;
}

} // namespace

Modules createModules(FlashSaleServer &server)
{
    // Start order is build order: a module loads after the ones it was handed.
    Modules m;
    m.accounts = add<AccountsModule>(m, server);
    m.authenticator = m.accounts;
    m.demo = add<DemoSeeder>(m, server, *m.accounts); // before the modules that read what it seeds
    m.inventory = add<InventoryModule>(m, server);
    m.catalog = add<CatalogModule>(m, server, *m.inventory);
    m.sales = add<SalesModule>(m, server, *m.catalog, *m.inventory);
    m.audit = add<AuditModule>(m, server);
    m.waitingRoom = add<WaitingRoomModule>(m, server, *m.sales);
    m.sales->setAdmissionGate(m.waitingRoom); // purchases need an admission the waiting room gave
    m.sales->setAccountCheck(m.accounts);     // and an account that still exists
    m.waitingRoom->setAccountCheck(m.accounts);
    m.orders = add<OrdersModule>(m, server, *m.sales, *m.inventory);
    m.notifications = add<NotificationsModule>(m, server, *m.orders, *m.authenticator, *m.waitingRoom); // feeds on the outbox
    m.storefront = add<StorefrontModule>(m, server); // static pages; needs no other module
    // Last: it stops after the journal, then hands its leases back.
    m.cluster = add<ClusterModule>(m, server, *m.sales, *m.catalog, *m.inventory);
    return m;
}
