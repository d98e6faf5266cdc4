#pragma once

#include "core/servermodule.h"

#include <memory>

class FlashSaleServer;
class InventoryModule;
class CatalogModule;
class SalesModule;
class LeaseManager;
struct HttpRequest;
class Responder;

// Cluster mode (docs/cluster.md): this node sells from stock leases taken from the shared
// PostgreSQL (LeaseManager), its journal checks what other nodes sold (CrossNodeCheck),
// and GET /admin/cluster shows every node and lease. On a single node only the endpoint
// is here (it says "clustered": false).
class ClusterModule : public ServerModule
{
public:
    ClusterModule(FlashSaleServer &server, SalesModule &sales, CatalogModule &catalog, InventoryModule &inventory);
    ~ClusterModule() override;

    QString name() const override { return QStringLiteral("cluster"); }
    bool load(QString *error) override;
    void started() override;
    void stopping() override;

    // The HTTP handler of GET /admin/cluster; core/routetable.cpp routes to it.
    void status(const HttpRequest &request, const Responder &reply) const;

private:
    FlashSaleServer &m_server;
    SalesModule &m_sales;
    CatalogModule &m_catalog;
    InventoryModule &m_inventory;
    std::unique_ptr<LeaseManager> m_leases;
};
