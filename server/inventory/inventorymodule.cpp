#include "inventorymodule.h"

#include "core/flashsaleserver.h"
#include "http/router.h"
#include "storage/database.h"

void InventoryModule::reload(const QSqlDatabase &db)
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT product_id, stock_quantity FROM inventory"));
    while (q.next())
        m_stock.set(q.value(0).toLongLong(), q.value(1).toLongLong());
}

bool InventoryModule::load(QString *error)
{
    try {
        reload(m_server.database().connection());
    } catch (const DatabaseError &e) {
        *error = e.message;
        return false;
    }
    return true;
}

void InventoryModule::stockLevel(const HttpRequest &request, const Responder &reply) const
{
    bool ok = false;
    const qint64 id = request.param(QStringLiteral("id")).toLongLong(&ok);
    const auto level = ok ? m_stock.level(id) : std::nullopt;
    if (!level) {
        reply.send(Problem::notFound(QStringLiteral("No product %1.").arg(request.param(QStringLiteral("id")))));
        return;
    }
    reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("productId"), id}, {QStringLiteral("stockLevel"), *level}})
                   .withHeader("Cache-Control", "public, max-age=5"));
}
