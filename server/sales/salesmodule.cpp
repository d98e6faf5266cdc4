#include "salesmodule.h"

#include "audit/auditlog.h"
#include "catalog/catalogmodule.h"
#include "core/flashsaleserver.h"
#include "core/timeutil.h"
#include "http/databasejob.h"
#include "http/principal.h"
#include "http/router.h"
#include "inventory/inventorymodule.h"
#include "salestartedevent.h"
#include "admissiongate.h"
#include "purchaseservice.h"
#include "salerequest.h"
#include "salerendering.h"
#include "salelookup.h"
#include "salerows.h"
#include "storage/database.h"
#include "storage/dbexecutor.h"
#include "telemetry/logger.h"

#include <QJsonArray>
#include <QTimer>

namespace {

struct InsufficientStock
{
    qint64 available = 0;
};

} // namespace

SalesModule::SalesModule(FlashSaleServer &server, CatalogModule &catalog, InventoryModule &inventory)
    : m_server(server)
    , m_catalog(catalog)
    , m_inventory(inventory)
    , m_purchases(std::make_unique<PurchaseService>(server, m_registry))
{
}

SalesModule::~SalesModule() = default;

void SalesModule::setAdmissionGate(const AdmissionGate *gate)
{
    m_purchases->setAdmissionGate(gate);
}

void SalesModule::setAccountCheck(const AccountCheck *accounts)
{
    m_purchases->setAccountCheck(accounts);
}

bool SalesModule::load(QString *error)
{
    try {
        for (SaleRow &row : SaleRows::load(m_server.database().connection())) {
            const qint64 id = row.terms.id;
            m_registry.add(std::make_shared<Sale>(std::move(row.terms)));
            for (SaleStatus s : {SaleStatus::Scheduled, SaleStatus::Active, SaleStatus::SoldOut, SaleStatus::Ended}) {
                if (toString(s) == row.status)
                    m_lastStatus.insert(id, s);
            }
        }
    } catch (const DatabaseError &e) {
        *error = e.message;
        return false;
    }
    if (!m_purchases->restore(error))
        return false;
    if (m_server.config().clustered())
        m_registry.takeStockFromLeases(); // after the restore: it knows who holds what
    return true;
}

void SalesModule::listSales(const HttpRequest &request, const Responder &reply) const
{
    const bool all = request.query.queryItemValue(QStringLiteral("all")) == QLatin1String("true");
    reply.send(HttpResponse::text(SaleRendering::list(m_registry.all(), all, nowMs()), "application/json")
                   .withHeader("Cache-Control", "public, max-age=1"));
}

void SalesModule::getSale(const HttpRequest &request, const Responder &reply) const
{
    SaleLookup::withSale(m_registry, request, reply, [](const HttpRequest &, const Responder &rp, const std::shared_ptr<Sale> &sale) {
        rp.send(HttpResponse::text(SaleRendering::one(*sale, nowMs()), "application/json").withHeader("Cache-Control", "public, max-age=1"));
    });
}

void SalesModule::scheduleSale(const HttpRequest &request, const Responder &reply)
{
    HttpResponse problem;
    const qint64 now = nowMs();
    std::optional<Sale::Terms> asked = SaleRequest::read(request, now, [this](qint64 id) { return m_catalog.product(id).has_value(); }, &problem);
    if (!asked) {
        reply.send(problem);
        return;
    }
    Sale::Terms t = *asked;
    const auto product = m_catalog.product(t.productId);
    if (!product) { // checked by SaleRequest::read; products are never deleted
        reply.send(Problem::validation({{QStringLiteral("productId"), QStringLiteral("no such product")}}));
        return;
    }
    t.productName = product->name;
    t.regularPriceCents = product->regularPriceCents;
    t.createdAtMs = now;
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("sale.schedule"), QStringLiteral("The sale could not be saved; try again."),
                    [this, t](const QSqlDatabase &db) { return scheduleInDatabase(db, t); });
}

HttpResponse SalesModule::scheduleInDatabase(const QSqlDatabase &db, Sale::Terms t)
{
    const Database &database = m_server.database();
    qint64 stockLeft = 0;
    try {
        inTransaction(db, [&] {
            // The allocation: taken from master stock only if it covers the whole quantity.
            QSqlQuery take = execOrThrow(db, QStringLiteral("UPDATE inventory SET stock_quantity = stock_quantity - ? "
                                                            "WHERE product_id = ? AND stock_quantity >= ?"),
                                         {t.quantity, t.productId, t.quantity});
            if (take.numRowsAffected() != 1) {
                QSqlQuery level = execOrThrow(db, QStringLiteral("SELECT stock_quantity FROM inventory WHERE product_id = ?"), {t.productId});
                throw InsufficientStock{level.next() ? level.value(0).toLongLong() : 0};
            }
            t.id = database.insertReturningId(
                db, QStringLiteral("INSERT INTO flash_sales(name, start_time, end_time, status, created_at) VALUES (?, ?, ?, ?, ?)"),
                {t.name, t.startMs, t.endMs, toString(t.startMs <= t.createdAtMs ? SaleStatus::Active : SaleStatus::Scheduled), t.createdAtMs},
                QStringLiteral("sale_id"));
            execOrThrow(db, QStringLiteral("INSERT INTO flash_sale_items(sale_id, product_id, sale_price_cents, total_sale_quantity, "
                                           "available_sale_quantity, per_user_limit) VALUES (?, ?, ?, ?, ?, ?)"),
                        {t.id, t.productId, t.salePriceCents, t.quantity, t.quantity, t.perUserLimit});
            QSqlQuery level = execOrThrow(db, QStringLiteral("SELECT stock_quantity FROM inventory WHERE product_id = ?"), {t.productId});
            stockLeft = level.next() ? level.value(0).toLongLong() : 0;
        });
    } catch (const InsufficientStock &e) {
        return HttpResponse::problem(409, QStringLiteral("insufficient-stock"), QStringLiteral("Not enough master stock"),
                                     QStringLiteral("The product has %1 units in master stock; the sale needs %2.").arg(e.available).arg(t.quantity),
                                     {{QStringLiteral("available"), e.available}});
    }
    m_inventory.masterStock().set(t.productId, stockLeft);
    auto sale = std::make_shared<Sale>(t);
    m_registry.add(sale);
    Log::info(QStringLiteral("sale.scheduled"), {{QStringLiteral("saleId"), t.id}, {QStringLiteral("productId"), t.productId},
                                                 {QStringLiteral("quantity"), t.quantity}, {QStringLiteral("startTime"), isoUtc(t.startMs)}});
    return HttpResponse::json(sale->toJson(nowMs()), 201).withHeader("Location", "/sales/" + QByteArray::number(t.id));
}

void SalesModule::moveWindowToNow(const HttpRequest &request, const Responder &reply, bool start)
{
    SaleLookup::withSale(m_registry, request, reply, [this, start](const HttpRequest &rq, const Responder &rp, const std::shared_ptr<Sale> &sale) {
        moveWindowOf(rq, rp, sale, start);
    });
}

void SalesModule::moveWindowOf(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale, bool start)
{
    const qint64 now = nowMs();
    if (start && sale->startMs() <= now) {
        reply.send(Problem::conflict(QStringLiteral("already-started"), QStringLiteral("The sale has already started"),
                                     QStringLiteral("It started at %1.").arg(isoUtc(sale->startMs()))));
        return;
    }
    if (!start && sale->startMs() > now) { // its window would end before it starts
        reply.send(Problem::conflict(QStringLiteral("not-started"), QStringLiteral("The sale has not started"),
                                     QStringLiteral("It starts at %1; start it first, or end it once it runs.").arg(isoUtc(sale->startMs()))));
        return;
    }
    if (!start && sale->endMs() <= now) {
        reply.send(Problem::conflict(QStringLiteral("already-ended"), QStringLiteral("The sale has already ended"),
                                     QStringLiteral("It ended at %1.").arg(isoUtc(sale->endMs()))));
        return;
    }
    const Principal actor = *request.principal;
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("sale.window"), QStringLiteral("The change could not be saved; nothing changed."),
                    [this, sale, start, now, actor](const QSqlDatabase &db) {
                        const qint64 before = start ? sale->startMs() : sale->endMs();
                        inTransaction(db, [&] {
                            execOrThrow(db, start ? QStringLiteral("UPDATE flash_sales SET start_time = ? WHERE sale_id = ?")
                                                  : QStringLiteral("UPDATE flash_sales SET end_time = ? WHERE sale_id = ?"),
                                        {now, sale->id()});
                            AuditLog::record(db, actor, start ? QStringLiteral("sale.startNow") : QStringLiteral("sale.endEarly"), sale->id(),
                                             QStringLiteral("sale/%1").arg(sale->id()),
                                             {{QStringLiteral("from"), isoUtc(before)}, {QStringLiteral("to"), isoUtc(now)}}, now);
                        });
                        if (start)
                            sale->setStartMs(now);
                        else
                            sale->setEndMs(now);
                        Log::info(start ? QStringLiteral("sale.startedNow") : QStringLiteral("sale.endedEarly"),
                                  {{QStringLiteral("saleId"), sale->id()}, {QStringLiteral("by"), actor.email}});
                        return HttpResponse::json(sale->toJson(nowMs()));
                    });
}

void SalesModule::started()
{
    // Other modules have added their journal hooks by now (in load).
    m_purchases->start();
    m_clock = new QTimer(this);
    m_clock->setInterval(200);
    connect(m_clock, &QTimer::timeout, this, &SalesModule::tick);
    m_clock->start();
    tick();
}

void SalesModule::stopping()
{
    if (m_clock)
        m_clock->stop();
    m_purchases->stop();
}

void SalesModule::tick()
{
    const qint64 now = nowMs();
    for (const auto &sale : m_registry.all()) {
        if (m_purchases->retireIfOver(*sale, now))
            Log::info(QStringLiteral("sale.stock.retired"), {{QStringLiteral("saleId"), sale->id()}});
        const SaleStatus status = sale->statusAt(now);
        const auto it = m_lastStatus.constFind(sale->id());
        if (it != m_lastStatus.constEnd() && *it == status)
            continue;
        const SaleStatus from = it == m_lastStatus.constEnd() ? SaleStatus::Scheduled : *it;
        m_lastStatus.insert(sale->id(), status);
        const qint64 id = sale->id();
        m_server.dbExecutor().post([this, id, status, sale] {
            try {
                QSqlDatabase db = m_server.database().connection();
                // FlashSaleStarted goes into the outbox in the same transaction as the status.
                inTransaction(db, [&] {
                    execOrThrow(db, QStringLiteral("UPDATE flash_sales SET status = ? WHERE sale_id = ?"), {toString(status), id});
                    if (status == SaleStatus::Active || status == SaleStatus::SoldOut)
                        appendSaleStartedOnce(db, *sale, nowMs());
                });
            } catch (const DatabaseError &e) {
                Log::error(QStringLiteral("sale.status.persist.failed"), {{QStringLiteral("saleId"), id}, {QStringLiteral("error"), e.message}});
            }
        });
        Log::info(QStringLiteral("sale.status"), {{QStringLiteral("saleId"), id}, {QStringLiteral("from"), toString(from)},
                                                  {QStringLiteral("to"), toString(status)}});
        Q_EMIT statusChanged(id, from, status);
    }
}
