#pragma once

#include "concurrentclient.h"
#include "httpclient.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

// Steps many tests share: the admin from the environment, a product with master stock,
// a sale, and crowds of registered shoppers holding access tokens.
namespace SaleFixture {

inline const QString adminEmail = QStringLiteral("admin@test.local");
inline const QString adminPassword = QStringLiteral("admin password for tests");

// Sets FLASHSALE_ADMIN_EMAIL/PASSWORD; call before starting the server.
void provideAdminFromEnvironment();
QByteArray adminToken(HttpClient &client);
// Returns the product id (0 on failure).
qint64 createProduct(HttpClient &admin, qint64 stock, double regularPrice = 999.0);
// Returns the sale JSON (empty on failure). Starts `startInMs` from now.
QJsonObject scheduleSale(HttpClient &admin, qint64 productId, qint64 quantity, int perUserLimit,
                         qint64 startInMs = -1000, qint64 durationMs = 3600 * 1000);
// Registers `count` shoppers concurrently and returns their access tokens.
QList<QByteArray> registerShoppers(ConcurrentClient &client, int count, const QString &prefix);

RawRequest purchase(qint64 saleId, const QByteArray &token, const QByteArray &idempotencyKey, int quantity);
// Every shopper buys one unit `rounds` times (keys `<keyPrefix><round>-<shopper>`), all at
// once; returns the orderIds of the 202s. Any answer but 202 or 409 sold out is logged.
QStringList buyEach(ConcurrentClient &crowd, qint64 saleId, const QList<QByteArray> &tokens, const QByteArray &keyPrefix, int rounds = 1);

} // namespace SaleFixture
