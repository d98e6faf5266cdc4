#pragma once

#include "paymentgateway.h"

#include <QByteArray>
#include <QThread>
#include <QUrl>

class QNetworkAccessManager;

// Calls an external gateway over HTTP. Its QNetworkAccessManager lives in a thread of
// its own with an event loop; callers (saga workers) post a request there and wait for
// the answer, at most `timeoutMs`.
//
// The wire contract (JSON, camelCase; the Idempotency-Key header is the order id):
//   POST {url}/charges {orderId, userId, amount, amountCents, currency}
//       2xx {paymentId, status: "approved"|"declined", reason?}; 402 declined
//   POST {url}/refunds {orderId, amount, amountCents} (Idempotency-Key "refund-<orderId>")
//       2xx {refundId} (an empty refundId: nothing had been charged, a void)
// Any other status, a 2xx body without those fields (not JSON: a proxy's page), a network
// error or a time-out is "no usable answer" (retried by ResilientGateway with the same key).
class HttpGateway : public PaymentGateway
{
public:
    HttpGateway(QUrl baseUrl, int timeoutMs);
    ~HttpGateway() override;

    PaymentResult charge(const ChargeRequest &request) override;
    PaymentResult refund(const QString &idempotencyKey, qint64 amountCents) override;

private:
    struct Answer
    {
        int status = 0;
        QByteArray body;
        QString error;
        bool timedOut = false;
    };
    Answer post(const QString &path, const QByteArray &idempotencyKey, const QByteArray &json);

    const QUrl m_base;
    const int m_timeoutMs;
    QThread m_thread;
    QNetworkAccessManager *m_nam = nullptr; // lives in m_thread
};
