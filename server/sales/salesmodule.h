#pragma once

#include "core/servermodule.h"
#include "saleregistry.h"

#include <QHash>
#include <QObject>

#include <memory>

class AccountCheck;
class AdmissionGate;
class CatalogModule;
class FlashSaleServer;
class InventoryModule;
struct HttpResponse;
class PurchaseService;
class QSqlDatabase;
class QTimer;
struct HttpRequest;
class Responder;

// Sale lifecycle: schedule (POST /sales, allocating the quantity from master stock),
// read (GET /sales, /sales/{id}, from memory), and the clock that moves each sale
// through Scheduled, Active, SoldOut and Ended without any request.
class SalesModule : public QObject, public ServerModule
{
    Q_OBJECT

public:
    SalesModule(FlashSaleServer &server, CatalogModule &catalog, InventoryModule &inventory);
    ~SalesModule() override;
    QString name() const override { return QStringLiteral("sales"); }
    bool load(QString *error) override;
    void started() override;
    void stopping() override;

    // What a purchase must show to be let through (the waiting room's admission); set
    // before load().
    void setAdmissionGate(const AdmissionGate *gate);
    // Purchases from accounts that are gone are refused before the journal; set before load().
    void setAccountCheck(const AccountCheck *accounts);
    SaleRegistry &registry() { return m_registry; }
    PurchaseService &purchases() { return *m_purchases; }

    // HTTP handlers; core/routetable.cpp routes to them.
    void listSales(const HttpRequest &request, const Responder &reply) const;
    void getSale(const HttpRequest &request, const Responder &reply) const;
    void scheduleSale(const HttpRequest &request, const Responder &reply);
    // Operator controls: move the start, or the end, to now; audited.
    void startNow(const HttpRequest &request, const Responder &reply) { moveWindowToNow(request, reply, true); }
    void endNow(const HttpRequest &request, const Responder &reply) { moveWindowToNow(request, reply, false); }

Q_SIGNALS:
    // Emitted on the main thread when the clock (or stock) moves a sale to a new state.
    void statusChanged(qint64 saleId, SaleStatus from, SaleStatus to);

private:
    // On a database thread: allocates the quantity from master stock and saves the sale.
    HttpResponse scheduleInDatabase(const QSqlDatabase &db, Sale::Terms terms);
    // Operator controls: move the start to now, or the end to now; audited.
    void moveWindowToNow(const HttpRequest &request, const Responder &reply, bool start);
    void moveWindowOf(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale, bool start);
    void tick();

    FlashSaleServer &m_server;
    CatalogModule &m_catalog;
    InventoryModule &m_inventory;
    SaleRegistry m_registry;
    std::unique_ptr<PurchaseService> m_purchases;
    QTimer *m_clock = nullptr;
    QHash<qint64, SaleStatus> m_lastStatus;
};
