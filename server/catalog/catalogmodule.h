#pragma once

#include "core/servermodule.h"
#include "product.h"

#include <QMap>
#include <QReadWriteLock>
#include <QSqlDatabase>

#include <optional>

class FlashSaleServer;
class InventoryModule;
class MasterStock;
struct HttpRequest;
class JsonBody;
class Responder;

// Products: read from memory (GET /products, /products/{id}, with ETag and long cache
// headers), written by admins (POST /products, PUT /products/{id}) through the database.
class CatalogModule : public ServerModule
{
public:
    CatalogModule(FlashSaleServer &server, InventoryModule &inventory);
    QString name() const override { return QStringLiteral("catalog"); }
    bool load(QString *error) override;

    // Reads every product again (a cluster node learns other nodes' products this way).
    // Throws DatabaseError.
    void reload(const QSqlDatabase &db);

    std::optional<Product> product(qint64 id) const;
    QList<Product> products() const;

    // HTTP handlers; core/routetable.cpp routes to them.
    void listProducts(const HttpRequest &request, const Responder &reply) const;
    void getProduct(const HttpRequest &request, const Responder &reply) const;
    void createProduct(const HttpRequest &request, const Responder &reply);
    void updateProduct(const HttpRequest &request, const Responder &reply);

private:
    void put(const Product &product);
    QJsonObject productJson(const Product &product) const;

    FlashSaleServer &m_server;
    MasterStock *m_stock; // the inventory module's
    mutable QReadWriteLock m_lock;
    QMap<qint64, Product> m_products;
};
