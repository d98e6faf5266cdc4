#include "clustermodule.h"

#include "catalog/catalogmodule.h"
#include "clusterstatus.h"
#include "core/flashsaleserver.h"
#include "crossnodecheck.h"
#include "http/router.h"
#include "inventory/inventorymodule.h"
#include "inventory/reservationjournal.h"
#include "leasemanager.h"
#include "sales/purchaseservice.h"
#include "sales/salesmodule.h"
#include "storage/database.h"
#include "storage/dbexecutor.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

ClusterModule::ClusterModule(FlashSaleServer &server)
    : m_server(server)
{
}

ClusterModule::~ClusterModule()
{
    stopping();
}

bool ClusterModule::load(QString *error)
{
    if (!m_server.config().clustered())
        return true;
    if (!m_server.database().isPostgres()) {
        *error = QStringLiteral("cluster mode needs PostgreSQL: the nodes share one database");
        return false;
    }
    auto *sales = m_server.module<SalesModule>();
    const ServerConfig::Cluster &cfg = m_server.config().cluster;
    m_leases = std::make_unique<LeaseManager>(m_server.database(), sales->registry(), cfg);
    sales->purchases().setStockRefill(m_leases.get());
    auto *catalog = m_server.module<CatalogModule>();
    auto *inventory = m_server.module<InventoryModule>();
    m_leases->setPeerSync([catalog, inventory](const QSqlDatabase &db) {
        catalog->reload(db);
        inventory->reload(db);
    });
    sales->purchases().journal().setScreen(CrossNodeCheck(sales->registry(), cfg.nodeId));
    LeaseManager *leases = m_leases.get();
    sales->purchases().journal().addCommittedListener([leases](const std::vector<ReservationRecord> &records) {
        QHash<qint64, qint64> units;
        for (const ReservationRecord &r : records)
            units[r.saleId] += r.quantity;
        for (auto it = units.cbegin(); it != units.cend(); ++it)
            leases->unitsCommitted(it.key(), it.value());
    });
    m_server.metrics().gauge(QStringLiteral("flashsale_cluster_units_sold_total"),
                             QStringLiteral("Units this cluster node sold from its leases since it started."),
                             [leases] { return double(leases->unitsSold()); });
    return true;
}

void ClusterModule::registerRoutes(Router &router)
{
    router.add("GET", QStringLiteral("/admin/cluster"), Access::Admin, [this](const HttpRequest &, const Responder &reply) {
        m_server.dbExecutor().post([this, reply] {
            try {
                const ServerConfig::Cluster &cfg = m_server.config().cluster;
                reply.send(HttpResponse::json(ClusterStatus::read(m_server.database().connection(), m_server.module<SalesModule>()->registry(),
                                                                  cfg.nodeId, qint64(cfg.leaseTtlSeconds) * 1000))
                               .withHeader("Cache-Control", "no-store"));
            } catch (const DatabaseError &e) {
                Log::error(QStringLiteral("cluster.status.failed"), {{QStringLiteral("error"), e.message}});
                reply.send(Problem::unavailable(QStringLiteral("The cluster's state could not be read.")));
            }
        });
    });
}

void ClusterModule::started()
{
    if (m_leases)
        m_leases->start();
}

void ClusterModule::stopping()
{
    if (m_leases)
        m_leases->stop();
}
