#include "demoseeder.h"

#include "accounts/accountsmodule.h"
#include "accounts/demodefaults.h"
#include "core/flashsaleserver.h"
#include "core/timeutil.h"
#include "storage/database.h"
#include "telemetry/logger.h"

#include <QHostAddress>

namespace {

struct DemoProduct
{
    const char *name;
    const char *description;
    qint64 priceCents;
    qint64 stock;
};

const DemoProduct demoProducts[] = {
    {"Phone X 128 GB", "The phone everybody queues for.", 99900, 500},
    {"Noise-cancelling headphones", "Quiet, for the wait in the queue.", 19900, 300},
    {"Smartwatch S2", "Counts the seconds to the sale.", 29900, 200},
};

} // namespace

bool DemoSeeder::load(QString *error)
{
    const ServerConfig &config = m_server.config();
    if (!config.demo.seed)
        return true;
    const Database &database = m_server.database();
    QSqlDatabase db = database.connection();
    try {
        QSqlQuery existing = execOrThrow(db, QStringLiteral("SELECT COUNT(*) FROM products"));
        if (existing.next() && existing.value(0).toLongLong() > 0)
            return true; // not the first start
        const bool loopback = config.http.bind.isLoopback();
        if (!m_accounts.hasAdmin()) {
            if (!loopback) {
                Log::warning(QStringLiteral("demo.admin.skipped"),
                             {{QStringLiteral("reason"), QStringLiteral("bound beyond loopback: set FLASHSALE_ADMIN_EMAIL and FLASHSALE_ADMIN_PASSWORD")}});
            } else if (!m_accounts.createUser(DemoDefaults::AdminEmail, DemoDefaults::AdminPassword, QStringLiteral("Demo Admin"),
                                             QStringLiteral("admin"), true, error)) {
                return false;
            }
        }
        for (int i = 1; i <= shopperCount; ++i) {
            const QString email = QStringLiteral("shopper%1@flashsale.local").arg(i);
            if (!m_accounts.userIdByEmail(email)
                && !m_accounts.createUser(email, DemoDefaults::ShopperPassword, QStringLiteral("Demo Shopper %1").arg(i),
                                         QStringLiteral("shopper"), true, error)) {
                return false;
            }
        }
        const qint64 now = nowMs();
        inTransaction(db, [&] {
            qint64 firstProduct = 0;
            for (const DemoProduct &p : demoProducts) {
                const qint64 id = database.insertReturningId(
                    db, QStringLiteral("INSERT INTO products(name, description, regular_price_cents, image_url, updated_at) VALUES (?, ?, ?, '', ?)"),
                    {QString::fromUtf8(p.name), QString::fromUtf8(p.description), p.priceCents, now}, QStringLiteral("product_id"));
                execOrThrow(db, QStringLiteral("INSERT INTO inventory(product_id, stock_quantity) VALUES (?, ?)"), {id, p.stock});
                if (!firstProduct)
                    firstProduct = id;
            }
            // The demo sale: 10 phones at half price, 2 per shopper, so the five demo
            // shoppers can sell it out by hand. Its units come out of master stock.
            const qint64 quantity = 10;
            const qint64 start = now + qint64(config.demo.saleStartDelaySeconds) * 1000;
            execOrThrow(db, QStringLiteral("UPDATE inventory SET stock_quantity = stock_quantity - ? WHERE product_id = ?"), {quantity, firstProduct});
            const qint64 saleId = database.insertReturningId(
                db, QStringLiteral("INSERT INTO flash_sales(name, start_time, end_time, status, created_at) VALUES (?, ?, ?, 'Scheduled', ?)"),
                {QStringLiteral("Phone X launch: 50% off"), start, start + 2 * 3600 * 1000, now}, QStringLiteral("sale_id"));
            execOrThrow(db, QStringLiteral("INSERT INTO flash_sale_items(sale_id, product_id, sale_price_cents, total_sale_quantity, "
                                           "available_sale_quantity, per_user_limit) VALUES (?, ?, ?, ?, ?, 2)"),
                        {saleId, firstProduct, demoProducts[0].priceCents / 2, quantity, quantity});
            Log::info(QStringLiteral("demo.seeded"), {{QStringLiteral("saleId"), saleId}, {QStringLiteral("startTime"), isoUtc(start)}});
        });
    } catch (const DatabaseError &e) {
        *error = e.message;
        return false;
    }
    return true;
}
