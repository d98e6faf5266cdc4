#include "httpgateway.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <chrono>
#include <future>

HttpGateway::HttpGateway(QUrl baseUrl, int timeoutMs)
    : m_base(std::move(baseUrl))
    , m_timeoutMs(timeoutMs)
{
    m_thread.setObjectName(QStringLiteral("payment-http"));
    m_nam = new QNetworkAccessManager;
    m_nam->moveToThread(&m_thread);
    m_thread.start();
}

HttpGateway::~HttpGateway()
{
    QMetaObject::invokeMethod(m_nam, [nam = m_nam] { delete nam; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

HttpGateway::Answer HttpGateway::post(const QString &path, const QByteArray &idempotencyKey, const QByteArray &json)
{
    auto promise = std::make_shared<std::promise<Answer>>();
    std::future<Answer> future = promise->get_future();
    QUrl url = m_base;
    url.setPath(m_base.path() + path);
    const int timeoutMs = m_timeoutMs;
    QMetaObject::invokeMethod(m_nam, [nam = m_nam, url, idempotencyKey, json, timeoutMs, promise] {
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Idempotency-Key", idempotencyKey);
        request.setTransferTimeout(timeoutMs);
        QNetworkReply *reply = nam->post(request, json);
        QObject::connect(reply, &QNetworkReply::finished, reply, [reply, promise] {
            Answer a;
            a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (reply->isOpen()) // an aborted (timed-out) reply is closed
                a.body = reply->readAll();
            if (reply->error() != QNetworkReply::NoError && a.status == 0) {
                a.error = reply->errorString();
                a.timedOut = reply->error() == QNetworkReply::OperationCanceledError
                    || reply->error() == QNetworkReply::TimeoutError;
            }
            promise->set_value(a);
            reply->deleteLater();
        });
    }, Qt::QueuedConnection);
    // The transfer time-out ends the request; the margin only covers a stuck thread.
    if (future.wait_for(std::chrono::milliseconds(timeoutMs + 2000)) != std::future_status::ready)
        return Answer{0, {}, QStringLiteral("payment gateway did not answer"), true};
    return future.get();
}

PaymentResult HttpGateway::charge(const ChargeRequest &request)
{
    const QJsonObject body{{QStringLiteral("orderId"), request.orderId},
                           {QStringLiteral("userId"), request.userId},
                           {QStringLiteral("amount"), double(request.amountCents) / 100.0},
                           {QStringLiteral("amountCents"), request.amountCents},
                           {QStringLiteral("currency"), QStringLiteral("EUR")}};
    const Answer a = post(QStringLiteral("/charges"), request.idempotencyKey.toUtf8(), QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (a.status == 0)
        return PaymentResult::unavailable(a.error, a.timedOut);
    const QJsonObject json = QJsonDocument::fromJson(a.body).object();
    if (a.status == 402)
        return PaymentResult::decline(json.value(QStringLiteral("reason")).toString(QStringLiteral("declined by the gateway")));
    if (a.status < 200 || a.status > 299)
        return PaymentResult::unavailable(QStringLiteral("gateway answered %1").arg(a.status));
    const QString status = json.value(QStringLiteral("status")).toString();
    if (status == QLatin1String("declined"))
        return PaymentResult::decline(json.value(QStringLiteral("reason")).toString(QStringLiteral("declined by the gateway")));
    const QString id = json.value(QStringLiteral("paymentId")).toString();
    if (status != QLatin1String("approved") || id.isEmpty())
        return PaymentResult::unavailable(QStringLiteral("gateway answer not understood"));
    return PaymentResult::approve(id);
}

PaymentResult HttpGateway::refund(const QString &idempotencyKey, qint64 amountCents)
{
    const QJsonObject body{{QStringLiteral("orderId"), idempotencyKey},
                           {QStringLiteral("amount"), double(amountCents) / 100.0},
                           {QStringLiteral("amountCents"), amountCents}};
    const Answer a = post(QStringLiteral("/refunds"), "refund-" + idempotencyKey.toUtf8(), QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (a.status == 0)
        return PaymentResult::unavailable(a.error, a.timedOut);
    if (a.status < 200 || a.status > 299)
        return PaymentResult::unavailable(QStringLiteral("gateway answered %1").arg(a.status));
    // A 2xx whose body is not the gateway's (a proxy's error page, a cut-off body) says
    // nothing about the refund: taking it as done would keep a failed order's money.
    const QJsonDocument json = QJsonDocument::fromJson(a.body);
    const QJsonValue refundId = json.object().value(QStringLiteral("refundId"));
    if (!json.isObject() || !refundId.isString())
        return PaymentResult::unavailable(QStringLiteral("gateway answer not understood"));
    return PaymentResult::approve(refundId.toString());
}
