#include "catalogmodule.h"

#include "core/flashsaleserver.h"
#include "core/timeutil.h"
#include "http/databasejob.h"
#include "http/etag.h"
#include "http/jsonbody.h"
#include "http/router.h"
#include "inventory/inventorymodule.h"
#include "storage/database.h"
#include "storage/dbexecutor.h"
#include "telemetry/logger.h"

#include <QJsonArray>

namespace {
const QByteArray productCacheControl = "public, max-age=3600";
}

CatalogModule::CatalogModule(FlashSaleServer &server, InventoryModule &inventory)
    : m_server(server)
    , m_stock(&inventory.masterStock())
{
}

void CatalogModule::reload(const QSqlDatabase &db)
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT product_id, name, description, regular_price_cents, image_url, updated_at FROM products"));
    while (q.next()) {
        put(Product{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toLongLong(),
                    q.value(4).toString(), q.value(5).toLongLong()});
    }
}

bool CatalogModule::load(QString *error)
{
    try {
        reload(m_server.database().connection());
    } catch (const DatabaseError &e) {
        *error = e.message;
        return false;
    }
    return true;
}

void CatalogModule::put(const Product &product)
{
    QWriteLocker lock(&m_lock);
    m_products.insert(product.id, product);
}

std::optional<Product> CatalogModule::product(qint64 id) const
{
    QReadLocker lock(&m_lock);
    const auto it = m_products.constFind(id);
    if (it == m_products.constEnd())
        return std::nullopt;
    return *it;
}

QList<Product> CatalogModule::products() const
{
    QReadLocker lock(&m_lock);
    return m_products.values();
}

QJsonObject CatalogModule::productJson(const Product &product) const
{
    return product.toJson(m_stock->level(product.id).value_or(0));
}

void CatalogModule::listProducts(const HttpRequest &request, const Responder &reply) const
{
    QJsonArray list;
    for (const Product &p : products())
        list.append(productJson(p));
    reply.send(withETag(request, HttpResponse::json(list), productCacheControl));
}

void CatalogModule::getProduct(const HttpRequest &request, const Responder &reply) const
{
    bool ok = false;
    const auto p = product(request.param(QStringLiteral("id")).toLongLong(&ok));
    if (!ok || !p) {
        reply.send(Problem::notFound(QStringLiteral("No product %1.").arg(request.param(QStringLiteral("id")))));
        return;
    }
    reply.send(withETag(request, HttpResponse::json(productJson(*p)), productCacheControl));
}

void CatalogModule::createProduct(const HttpRequest &request, const Responder &reply)
{
    HttpResponse problem;
    auto body = JsonBody::parse(request, &problem);
    if (!body) {
        reply.send(problem);
        return;
    }
    Product p;
    p.name = body->requiredString(QStringLiteral("name"), 200);
    p.description = body->optionalString(QStringLiteral("description"), {}, 5000);
    p.regularPriceCents = body->requiredMoneyCents(QStringLiteral("regularPrice"));
    p.imageUrl = body->optionalString(QStringLiteral("imageUrl"), {}, 2000);
    const qint64 stock = body->optionalInteger(QStringLiteral("stock"), 0, 0, 1000000000);
    if (body->hasErrors()) {
        reply.send(body->problem());
        return;
    }
    p.updatedAtMs = nowMs();
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("catalog.create"), QStringLiteral("The product could not be saved; try again."),
                    [this, p, stock](const QSqlDatabase &db) mutable {
                        inTransaction(db, [&] {
                            p.id = m_server.database().insertReturningId(
                                db, QStringLiteral("INSERT INTO products(name, description, regular_price_cents, image_url, updated_at) VALUES (?, ?, ?, ?, ?)"),
                                {p.name, p.description, p.regularPriceCents, p.imageUrl, p.updatedAtMs}, QStringLiteral("product_id"));
                            execOrThrow(db, QStringLiteral("INSERT INTO inventory(product_id, stock_quantity) VALUES (?, ?)"), {p.id, stock});
                        });
                        m_stock->set(p.id, stock);
                        put(p);
                        Log::info(QStringLiteral("catalog.product.created"), {{QStringLiteral("productId"), p.id}, {QStringLiteral("stock"), stock}});
                        return HttpResponse::json(productJson(p), 201).withHeader("Location", "/products/" + QByteArray::number(p.id));
                    });
}

void CatalogModule::updateProduct(const HttpRequest &request, const Responder &reply)
{
    bool ok = false;
    const auto existing = product(request.param(QStringLiteral("id")).toLongLong(&ok));
    if (!ok || !existing) {
        reply.send(Problem::notFound(QStringLiteral("No product %1.").arg(request.param(QStringLiteral("id")))));
        return;
    }
    HttpResponse problem;
    auto body = JsonBody::parse(request, &problem);
    if (!body) {
        reply.send(problem);
        return;
    }
    Product p = *existing;
    const QJsonObject &o = body->object();
    if (o.contains(QStringLiteral("name")))
        p.name = body->requiredString(QStringLiteral("name"), 200);
    if (o.contains(QStringLiteral("description")))
        p.description = body->optionalString(QStringLiteral("description"), {}, 5000);
    if (o.contains(QStringLiteral("regularPrice")))
        p.regularPriceCents = body->requiredMoneyCents(QStringLiteral("regularPrice"));
    if (o.contains(QStringLiteral("imageUrl")))
        p.imageUrl = body->optionalString(QStringLiteral("imageUrl"), {}, 2000);
    const bool setStock = o.contains(QStringLiteral("stock"));
    const qint64 stock = body->optionalInteger(QStringLiteral("stock"), 0, 0, 1000000000);
    if (body->hasErrors()) {
        reply.send(body->problem());
        return;
    }
    p.updatedAtMs = nowMs();
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("catalog.update"), QStringLiteral("The product could not be saved; try again."),
                    [this, p, setStock, stock](const QSqlDatabase &db) {
                        inTransaction(db, [&] {
                            execOrThrow(db, QStringLiteral("UPDATE products SET name = ?, description = ?, regular_price_cents = ?, image_url = ?, "
                                                           "updated_at = ? WHERE product_id = ?"),
                                        {p.name, p.description, p.regularPriceCents, p.imageUrl, p.updatedAtMs, p.id});
                            if (setStock)
                                execOrThrow(db, QStringLiteral("UPDATE inventory SET stock_quantity = ? WHERE product_id = ?"), {stock, p.id});
                        });
                        if (setStock)
                            m_stock->set(p.id, stock);
                        put(p);
                        return HttpResponse::json(productJson(p));
                    });
}
