#pragma once

#include "core/periodicthread.h"
#include "core/servermodule.h"

#include <QString>

#include <memory>

class FlashSaleServer;
class InventoryModule;
class SalesModule;
class OrderSaga;
class OutboxDispatcher;
class Reconciler;
class ResilientGateway;
class SagaWorkerPool;
struct HttpRequest;
class Responder;

// The order pipeline: the outbox (written by the journal's group commit, the saga and
// the sale clock; delivered by OutboxDispatcher), the saga workers that turn
// reservations into paid orders or clean failures, the poll that finds work after a
// restart and expires reservations, the payment gateway, and the reconciler.
// Routes: GET /orders, GET /orders/{id}, POST /orders/{id}/refund,
// POST /orders/{id}/compensate, GET /admin/reconciliation.
class OrdersModule : public ServerModule
{
public:
    OrdersModule(FlashSaleServer &server, SalesModule &sales, InventoryModule &inventory);
    ~OrdersModule() override;

    QString name() const override { return QStringLiteral("orders"); }
    bool load(QString *error) override;
    void started() override;
    void stopping() override;

    // Other modules add their event handlers in load(), before the dispatcher starts.
    OutboxDispatcher &outbox() { return *m_dispatcher; }
    ResilientGateway &gateway() { return *m_gateway; }
    Reconciler &reconciler() { return *m_reconciler; }
    SagaWorkerPool &workers() { return *m_workers; }

    // HTTP handlers; core/routetable.cpp routes to them.
    void getOrder(const HttpRequest &request, const Responder &reply) const;
    void listOrders(const HttpRequest &request, const Responder &reply) const;
    void refund(const HttpRequest &request, const Responder &reply) { adminAction(request, reply, true); }
    void compensate(const HttpRequest &request, const Responder &reply) { adminAction(request, reply, false); }
    void reconciliation(const HttpRequest &request, const Responder &reply);

private:
    // One round of the scan thread: the scan, and the reconciler when it is due.
    void scanRound();
    void scanOnce();
    void adminAction(const HttpRequest &request, const Responder &reply, bool refund);

    FlashSaleServer &m_server;
    SalesModule &m_sales;
    InventoryModule &m_inventory;
    std::unique_ptr<ResilientGateway> m_gateway;
    std::unique_ptr<OutboxDispatcher> m_dispatcher;
    std::unique_ptr<OrderSaga> m_saga;
    std::unique_ptr<SagaWorkerPool> m_workers;
    std::unique_ptr<Reconciler> m_reconciler;
    qint64 m_lastReconcileMs = 0; // scan thread only
    std::unique_ptr<PeriodicThread> m_scanner; // last: it stops before the members it uses go
};
