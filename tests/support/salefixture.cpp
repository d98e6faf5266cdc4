#include "salefixture.h"

#include <QJsonDocument>
#include <QMap>

#include <algorithm>

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
    // Set-up, not what a test measures: it may take its time on a busy machine (about 5 ms a
    // shopper on an idle one), but every shopper must end up registered and signed in.
    const int timeoutMs = std::max(120000, count * 30);
    auto tally = [](const QList<RawResponse> &answers, int expected) {
        QMap<int, int> byStatus;
        QString firstError;
        for (const RawResponse &r : answers) {
            ++byStatus[r.status];
            if (r.status != expected && firstError.isEmpty())
                firstError = r.error.isEmpty() ? QString::fromUtf8(r.body.left(300)) : r.error;
        }
        if (byStatus.value(expected) != answers.size())
            qWarning() << "SaleFixture::registerShoppers: answers by status" << byStatus << "(0: no answer in time); the first:" << firstError;
    };
    tally(client.run(registrations, timeoutMs), 202);
    QList<QByteArray> tokens;
    const QList<RawResponse> answers = client.run(logins, timeoutMs);
    tally(answers, 200);
    for (const RawResponse &r : answers)
        tokens.append(r.json().value(QStringLiteral("accessToken")).toString().toUtf8());
    return tokens;
}

RawRequest purchase(qint64 saleId, const QByteArray &token, const QByteArray &idempotencyKey, int quantity)
{
    return RawRequest{"POST", "/sales/" + QByteArray::number(saleId) + "/purchase",
                      {{"Authorization", "Bearer " + token}, {"Idempotency-Key", idempotencyKey}},
                      "{\"quantity\":" + QByteArray::number(quantity) + "}"};
}

QStringList buyEach(ConcurrentClient &crowd, qint64 saleId, const QList<QByteArray> &tokens, const QByteArray &keyPrefix, int rounds)
{
    QList<RawRequest> requests;
    for (int round = 0; round < rounds; ++round) {
        for (int i = 0; i < tokens.size(); ++i)
            requests.append(purchase(saleId, tokens[i], keyPrefix + QByteArray::number(round) + '-' + QByteArray::number(i), 1));
    }
    QStringList orderIds;
    for (const RawResponse &a : crowd.run(requests)) {
        if (a.status == 202)
            orderIds << a.json().value(QStringLiteral("orderId")).toString();
        else if (a.status != 409)
            qWarning("purchase answered %d: %s %s", a.status, a.body.constData(), qPrintable(a.error));
    }
    return orderIds;
}

} // namespace SaleFixture
