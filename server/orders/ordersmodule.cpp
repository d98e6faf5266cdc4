#include "ordersmodule.h"

#include "core/flashsaleserver.h"
#include "core/timeutil.h"
#include "http/databasejob.h"
#include "http/router.h"
#include "inventory/inventorymodule.h"
#include "inventory/reservationjournal.h"
#include "orderqueries.h"
#include "ordersaga.h"
#include "outbox/outbox.h"
#include "outboxdispatcher.h"
#include "payments/gatewayfactory.h"
#include "payments/resilientgateway.h"
#include "reconciler.h"
#include "sagaworkerpool.h"
#include "sales/purchaseservice.h"
#include "sales/salesmodule.h"
#include "storage/database.h"
#include "storage/databaseclock.h"
#include "storage/dbexecutor.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QStringList>

namespace {

QString databaseUnavailable()
{
    return QStringLiteral("The database is unavailable; try again.");
}

} // namespace

OrdersModule::OrdersModule(FlashSaleServer &server, SalesModule &sales, InventoryModule &inventory)
    : m_server(server)
    , m_sales(sales)
    , m_inventory(inventory)
{
}

OrdersModule::~OrdersModule()
{
    stopping();
}

bool OrdersModule::load(QString *error)
{
    const ServerConfig &config = m_server.config();
    m_gateway = createPaymentGateway(config.payments, m_server.metrics(), error);
    if (!m_gateway)
        return false;
    m_dispatcher = std::make_unique<OutboxDispatcher>(m_server.database(), m_server.metrics(), config.orders.outboxPollMs);
    m_saga = std::make_unique<OrderSaga>(m_server.database(), m_sales.registry(), m_inventory.masterStock(), *m_gateway, m_server.metrics());
    m_saga->setEventsCommitted([this] { m_dispatcher->wake(); });
    m_workers = std::make_unique<SagaWorkerPool>(config.orders.workers, [this](const QString &orderId) { m_saga->process(orderId); });
    m_reconciler = std::make_unique<Reconciler>(m_server.database(), m_sales.registry(), m_inventory.masterStock(), m_server.metrics(),
                                                m_server.config().cluster.nodeId);
    m_server.metrics().gauge(QStringLiteral("flashsale_order_workers_backlog"), QStringLiteral("Orders and admin jobs waiting for a saga worker."),
                             [this] { return double(m_workers->backlog()); });

    // PurchaseAttempted and InventoryReserved are written by the group commit itself;
    // the committed reservations wake the workers at once (the poll is the safety net).
    SaleRegistry &registry = m_sales.registry();
    ReservationJournal &journal = m_sales.purchases().journal();
    journal.addCommitHook([&registry](const QSqlDatabase &db, const std::vector<ReservationRecord> &records) {
        Outbox::appendReservations(db, records, [&registry](qint64 saleId) {
            const auto sale = registry.find(saleId);
            return sale ? sale->terms().productId : qint64(0);
        }, nowMs());
    });
    journal.addCommittedListener([this](const std::vector<ReservationRecord> &records) {
        for (const ReservationRecord &r : records)
            m_workers->enqueue(r.orderId);
        m_dispatcher->wake();
    });
    return true;
}

void OrdersModule::started()
{
    m_dispatcher->start();
    m_workers->start();
    m_lastReconcileMs = nowMs();
    m_scanner = std::make_unique<PeriodicThread>("fs-order-scan", qMax(20, m_server.config().orders.pollIntervalMs), [this] { scanRound(); });
    m_scanner->start();
}

void OrdersModule::stopping()
{
    if (m_gateway)
        m_gateway->stopRetrying();
    if (m_scanner)
        m_scanner->stop();
    if (m_workers)
        m_workers->stop();
    if (m_dispatcher)
        m_dispatcher->stop();
}

void OrdersModule::scanRound()
{
    scanOnce();
    const qint64 reconcileEveryMs = qint64(m_server.config().orders.reconcileIntervalSeconds) * 1000;
    if (reconcileEveryMs <= 0 || nowMs() - m_lastReconcileMs < reconcileEveryMs)
        return;
    m_lastReconcileMs = nowMs();
    try {
        m_reconciler->run();
    } catch (const DatabaseError &e) {
        Log::error(QStringLiteral("reconciliation.failed"), {{QStringLiteral("error"), e.message}});
    }
}

void OrdersModule::scanOnce()
{
    try {
        QSqlDatabase db = m_server.database().connection();
        const qint64 now = nowMs();
        QStringList expired;
        {
            QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT reservation_id FROM reservations WHERE status = 'Pending' AND expires_at <= ? "
                                                         "ORDER BY expires_at LIMIT 1000"), {now});
            while (q.next())
                expired.append(q.value(0).toString());
        }
        for (const QString &id : std::as_const(expired))
            m_saga->expire(id); // a charge in flight for it is refunded when it succeeds
        // Work left after a restart or a missed wake-up: offered again (queued once), the
        // most urgent first. The order is the partial index reservations_pending's, so a
        // backlog of pending orders (the gateway is slower than the shoppers) is read 5000
        // rows deep each round, not read whole and sorted.
        {
            const ServerConfig::Cluster &cluster = m_server.config().cluster;
            // A cluster node takes its own orders, and those of nodes that stopped or went
            // silent (and any left for 30 s): every live node runs its own saga workers.
            QSqlQuery q = cluster.nodeId.isEmpty()
                ? execOrThrow(db, QStringLiteral("SELECT reservation_id FROM reservations WHERE status = 'Pending' "
                                                 "ORDER BY expires_at LIMIT 5000"))
                : execOrThrow(db, QStringLiteral("SELECT r.reservation_id FROM reservations r WHERE r.status = 'Pending' AND "
                                                 "(r.node_id IS NULL OR r.node_id = ? OR r.created_at < ? OR NOT EXISTS ("
                                                 "SELECT 1 FROM cluster_nodes n WHERE n.node_id = r.node_id AND n.stopped_at IS NULL "
                                                 "AND n.heartbeat_at > %1 - ?)) ORDER BY r.expires_at LIMIT 5000")
                                  .arg(QString::fromLatin1(DatabaseClock::nowMsSql)),
                              {cluster.nodeId, now - 30000, qint64(cluster.leaseTtlSeconds) * 1000});
            while (q.next())
                m_workers->enqueue(q.value(0).toString());
        }
        // Charges a finished order must not keep (approved after expiry, uncertain).
        QStringList toVoid;
        {
            QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT p.order_id FROM payments p JOIN reservations r ON r.reservation_id = p.order_id "
                                                         "WHERE p.status IN ('Approved', 'Uncertain', 'Charging') AND r.status IN ('Failed', 'Expired') LIMIT 200"));
            while (q.next())
                toVoid.append(q.value(0).toString());
        }
        if (m_workers->backlog() == 0) {
            for (const QString &id : std::as_const(toVoid)) {
                if (!m_workers->isBusyWith(id))
                    m_workers->post([this, id] { m_saga->voidCharge(id); });
            }
        }
    } catch (const DatabaseError &e) {
        Log::error(QStringLiteral("orders.scan.failed"), {{QStringLiteral("error"), e.message}});
    }
}

void OrdersModule::reconciliation(const HttpRequest &, const Responder &reply)
{
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("reconciliation"), databaseUnavailable(), [this](const QSqlDatabase &) {
        return HttpResponse::json(m_reconciler->run()).withHeader("Cache-Control", "no-store");
    });
}

void OrdersModule::getOrder(const HttpRequest &request, const Responder &reply) const
{
    const QString orderId = request.param(QStringLiteral("id"));
    const Principal caller = *request.principal;
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("order.read"), databaseUnavailable(), [this, orderId, caller](const QSqlDatabase &db) {
        qint64 owner = 0;
        const auto order = OrderQueries::find(db, orderId, &owner);
        // Anyone else's order answers exactly like a missing one.
        if (!order || (owner != caller.userId && !caller.isAdmin()))
            return Problem::notFound(QStringLiteral("No order %1.").arg(orderId));
        return HttpResponse::json(*order).withHeader("Cache-Control", "no-store");
    });
}

void OrdersModule::listOrders(const HttpRequest &request, const Responder &reply) const
{
    const Principal caller = *request.principal;
    OrderQueries::Filter filter;
    QJsonObject errors;
    const bool all = request.query.queryItemValue(QStringLiteral("all")) == QLatin1String("true");
    if (all && !caller.isAdmin()) {
        reply.send(Problem::forbidden(QStringLiteral("Only administrators may list every order.")));
        return;
    }
    if (!all)
        filter.userId = caller.userId;
    if (request.query.hasQueryItem(QStringLiteral("status"))) {
        filter.status = request.query.queryItemValue(QStringLiteral("status"));
        static const QStringList statuses = {QStringLiteral("Pending"), QStringLiteral("Confirmed"), QStringLiteral("Failed"), QStringLiteral("Expired")};
        if (!statuses.contains(filter.status))
            errors.insert(QStringLiteral("status"), QStringLiteral("must be Pending, Confirmed, Failed or Expired"));
    }
    if (all && request.query.hasQueryItem(QStringLiteral("userId"))) {
        bool ok = false;
        filter.userId = request.query.queryItemValue(QStringLiteral("userId")).toLongLong(&ok);
        if (!ok)
            errors.insert(QStringLiteral("userId"), QStringLiteral("must be a user id"));
    }
    if (request.query.hasQueryItem(QStringLiteral("limit"))) {
        bool ok = false;
        filter.limit = request.query.queryItemValue(QStringLiteral("limit")).toInt(&ok);
        if (!ok || filter.limit < 1 || filter.limit > 1000)
            errors.insert(QStringLiteral("limit"), QStringLiteral("must be a whole number from 1 to 1000"));
    }
    if (!errors.isEmpty()) {
        reply.send(Problem::badRequest(QStringLiteral("Bad query parameters."), {{QStringLiteral("errors"), errors}}));
        return;
    }
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("order.list"), databaseUnavailable(), [filter](const QSqlDatabase &db) {
        return HttpResponse::json(OrderQueries::list(db, filter)).withHeader("Cache-Control", "no-store");
    });
}

void OrdersModule::adminAction(const HttpRequest &request, const Responder &reply, bool refund)
{
    const QString orderId = request.param(QStringLiteral("id"));
    // A refund calls the gateway, which may take seconds: on a saga worker. A
    // compensation is database work only: on the database pool, so that it does not
    // wait behind the very charge that is stuck.
    auto job = [this, orderId, reply, refund] {
        answerFromJob(reply, refund ? QStringLiteral("order.refund") : QStringLiteral("order.compensate"), databaseUnavailable(), [&] {
            const OrderSaga::Answer answer = refund ? m_saga->refund(orderId) : m_saga->compensate(orderId);
            switch (answer.result) {
            case OrderSaga::Result::NotFound:
                return Problem::notFound(answer.detail);
            case OrderSaga::Result::Conflict:
                return Problem::conflict(refund ? QStringLiteral("not-refundable") : QStringLiteral("not-compensable"),
                                         refund ? QStringLiteral("Order cannot be refunded") : QStringLiteral("Order cannot be compensated"),
                                         answer.detail);
            case OrderSaga::Result::Unavailable:
                return Problem::unavailable(answer.detail);
            case OrderSaga::Result::Done:
                break;
            }
            qint64 owner = 0;
            const auto order = OrderQueries::find(m_server.database().connection(), orderId, &owner);
            return order ? HttpResponse::json(*order) : Problem::notFound(QStringLiteral("No order %1.").arg(orderId));
        });
    };
    if (refund)
        m_workers->post(std::move(job));
    else
        m_server.dbExecutor().post(std::move(job));
}
