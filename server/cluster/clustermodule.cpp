#include "clustermodule.h"

#include "catalog/catalogmodule.h"
#include "clusterstatus.h"
#include "core/flashsaleserver.h"
#include "crossnodecheck.h"
#include "http/databasejob.h"
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

ClusterModule::ClusterModule(FlashSaleServer &server, SalesModule &sales, CatalogModule &catalog, InventoryModule &inventory)
    : m_server(server)
    , m_sales(sales)
    , m_catalog(catalog)
    , m_inventory(inventory)
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
    const ServerConfig::Cluster &cfg = m_server.config().cluster;
    m_leases = std::make_unique<LeaseManager>(m_server.database(), m_sales.registry(), cfg);
    m_sales.purchases().setStockRefill(m_leases.get());
    m_sales.registry().setDiscovery(m_leases.get());
    m_leases->setPeerSync([this](const QSqlDatabase &db) {
        m_catalog.reload(db);
        m_inventory.reload(db);
    });
    m_sales.purchases().journal().setScreen(CrossNodeCheck(m_sales.registry(), cfg.nodeId));
    LeaseManager *leases = m_leases.get();
    m_sales.purchases().journal().addCommittedListener([leases](const std::vector<ReservationRecord> &records) {
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

void ClusterModule::status(const HttpRequest &, const Responder &reply) const
{
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("cluster.status"), QStringLiteral("The cluster's state could not be read."),
                    [this](const QSqlDatabase &db) {
                        const ServerConfig::Cluster &cfg = m_server.config().cluster;
                        return HttpResponse::json(ClusterStatus::read(db, m_sales.registry(), cfg.nodeId,
                                                                      qint64(cfg.leaseTtlSeconds) * 1000))
                            .withHeader("Cache-Control", "no-store");
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
