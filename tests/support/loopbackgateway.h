#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTcpServer>
#include <QUrl>

#include <functional>

class QJsonObject;
class QTcpSocket;

// A minimal HTTP/1.1 payment gateway on loopback, for tests of the HTTP adapter
// (server/payments/httpgateway.h): POST /charges and POST /refunds, idempotent per
// Idempotency-Key, counting the money it moves per idempotency key and per order (the
// body's orderId), so that a server that charged one order under two keys is caught.
// It can be down (500) for everyone or some orders, take a charge and never answer (the
// lost answer), decline some orders (402), and answer after a delay (a charge is taken when it arrives: until its
// answer is written it is "in flight"). Runs on the test's thread and event loop.
class LoopbackGateway : public QObject
{
public:
    LoopbackGateway();
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }

    bool down = false;                          // every call answers 500
    QSet<QString> unreachableFor;               // calls for these orders answer 500
    int dropAnswers = 0;                        // the next charges are taken but never answered
    int answerDelayMs = 0;                      // every answer waits this long
    std::function<bool(const QString &orderId)> declines; // these orders' charges are declined (402)

    int chargeRequests = 0;                     // calls to /charges, retries included
    int refundRequests = 0;
    QHash<QString, int> moneyMoved;             // idempotency key -> times charged (must stay at most 1)
    QHash<QString, QString> charges;            // idempotency key -> payment id
    QHash<QString, QString> refunds;            // refund key -> refund id
    QHash<QString, int> chargedPerOrder;        // order id -> charges taken, under any key
    QHash<QString, int> refundedPerOrder;       // order id -> charges given back
    QSet<QString> declinedKeys;

    // Answers delayed and not written yet: charges (or refunds) in flight.
    int inFlight() const { return m_inFlight; }
    // Charges taken whose answer is still in flight.
    int approvedInFlight() const;
    // Charges taken minus charges given back, for one order.
    int netCharges(const QString &orderId) const { return chargedPerOrder.value(orderId) - refundedPerOrder.value(orderId); }

private:
    void serve(QTcpSocket *socket);
    void handle(QTcpSocket *socket, const QByteArray &path, const QString &key, const QJsonObject &body);
    void answer(QTcpSocket *socket, int status, const QJsonObject &body, const QString &key = {});

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    int m_inFlight = 0;
    QHash<QString, int> m_inFlightByKey;
};
