#include "salefixture.h"

#include <QJsonDocument>

namespace SaleFixture {

void provideAdminFromEnvironment()
{
    qputenv("FLASHSALE_ADMIN_EMAIL", adminEmail.toUtf8());
    qputenv("FLASHSALE_ADMIN_PASSWORD", adminPassword.toUtf8());
}

QByteArray adminToken(HttpClient &client)
{
    return client.login(adminEmail, adminPassword);
}

qint64 createProduct(HttpClient &admin, qint64 stock, double regularPrice)
{
    const HttpResult r = admin.post(QStringLiteral("/products"), {{QStringLiteral("name"), QStringLiteral("Phone X")},
                                                                 {QStringLiteral("description"), QStringLiteral("A phone")},
                                                                 {QStringLiteral("regularPrice"), regularPrice},
                                                                 {QStringLiteral("stock"), stock}});
    return r.status == 201 ? r.json().value(QStringLiteral("productId")).toInteger() : 0;
}

QJsonObject scheduleSale(HttpClient &admin, qint64 productId, qint64 quantity, int perUserLimit, qint64 startInMs, qint64 durationMs)
{
    const QDateTime start = QDateTime::currentDateTimeUtc().addMSecs(startInMs);
    const HttpResult r = admin.post(QStringLiteral("/sales"), {{QStringLiteral("name"), QStringLiteral("Test sale")},
                                                              {QStringLiteral("productId"), productId},
                                                              {QStringLiteral("salePrice"), 499.5},
                                                              {QStringLiteral("quantity"), quantity},
                                                              {QStringLiteral("perUserLimit"), perUserLimit},
                                                              {QStringLiteral("startTime"), start.toString(Qt::ISODateWithMs)},
                                                              {QStringLiteral("endTime"), start.addMSecs(durationMs).toString(Qt::ISODateWithMs)}});
    return r.status == 201 ? r.json() : QJsonObject();
}

QList<QByteArray> registerShoppers(ConcurrentClient &client, int count, const QString &prefix)
{
    QList<RawRequest> registrations;
    QList<RawRequest> logins;
    for (int i = 0; i < count; ++i) {
        const QString email = QStringLiteral("%1-%2@shoppers.test").arg(prefix).arg(i);
        const QByteArray password = "password-" + QByteArray::number(i);
        registrations.append({"POST", "/users", {}, QJsonDocument(QJsonObject{{QStringLiteral("email"), email},
                                                                              {QStringLiteral("password"), QString::fromLatin1(password)},
                                                                              {QStringLiteral("name"), QStringLiteral("Shopper %1").arg(i)}})
                                                        .toJson(QJsonDocument::Compact)});
        logins.append({"POST", "/token", {}, QJsonDocument(QJsonObject{{QStringLiteral("username"), email},
                                                                       {QStringLiteral("password"), QString::fromLatin1(password)}})
                                                 .toJson(QJsonDocument::Compact)});
    }
    client.run(registrations);
    QList<QByteArray> tokens;
    for (const RawResponse &r : client.run(logins))
        tokens.append(r.json().value(QStringLiteral("accessToken")).toString().toUtf8());
    return tokens;
}

RawRequest purchase(qint64 saleId, const QByteArray &token, const QByteArray &idempotencyKey, int quantity)
{
    return RawRequest{"POST", "/sales/" + QByteArray::number(saleId) + "/purchase",
                      {{"Authorization", "Bearer " + token}, {"Idempotency-Key", idempotencyKey}},
                      "{\"quantity\":" + QByteArray::number(quantity) + "}"};
}

} // namespace SaleFixture
