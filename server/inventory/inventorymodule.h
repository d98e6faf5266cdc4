#pragma once

#include "core/servermodule.h"
#include "masterstock.h"

#include <QSqlDatabase>

class FlashSaleServer;
struct HttpRequest;
class Responder;

// Master stock: loaded from the `inventory` table, served by GET /stock/{id}.
class InventoryModule : public ServerModule
{
public:
    explicit InventoryModule(FlashSaleServer &server) : m_server(server) {}
    QString name() const override { return QStringLiteral("inventory"); }
    bool load(QString *error) override;

    MasterStock &masterStock() { return m_stock; }
    // Reads every product's master stock again (a cluster node learns other nodes'
    // changes this way). Throws DatabaseError.
    void reload(const QSqlDatabase &db);

    // The HTTP handler of GET /stock/{id}; core/routetable.cpp routes to it.
    void stockLevel(const HttpRequest &request, const Responder &reply) const;

private:
    FlashSaleServer &m_server;
    MasterStock m_stock;
};
