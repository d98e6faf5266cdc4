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

std::vector<std::unique_ptr<ServerModule>> createModules(FlashSaleServer &server)
{
    std::vector<std::unique_ptr<ServerModule>> modules;
    // Order matters: a module may use the ones before it.
    modules.push_back(std::make_unique<AccountsModule>(server));
    modules.push_back(std::make_unique<DemoSeeder>(server)); // before the modules that read what it seeds
    modules.push_back(std::make_unique<InventoryModule>(server));
    modules.push_back(std::make_unique<CatalogModule>(server));
    modules.push_back(std::make_unique<SalesModule>(server));
    modules.push_back(std::make_unique<AuditModule>(server));
    modules.push_back(std::make_unique<WaitingRoomModule>(server));
    modules.push_back(std::make_unique<OrdersModule>(server));
    modules.push_back(std::make_unique<NotificationsModule>(server)); // after orders: feeds on its outbox
    modules.push_back(std::make_unique<StorefrontModule>(server)); // static pages; needs no other module
    modules.push_back(std::make_unique<ClusterModule>(server)); // last: stops after the journal, then hands its leases back
    return modules;
}
