#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
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
// answer is written it is "in flight"). `fault` makes single calls misbehave the ways a
// real gateway (or what stands in front of it) does. Runs on the test's thread and event loop.
class LoopbackGateway : public QObject
{
public:
    // How one call misbehaves. "Taken" means the charge (or refund) is made before the
    // misbehaviour: only a retry with the same key can learn its outcome.
    enum class Fault {
        None,
        Slow,        // taken; the answer comes `slowAnswerMs` late
        Reset,       // taken; the connection is reset (RST) instead of an answer
        ServerError, // not taken; 500
        Malformed,   // not taken; 200 with a body that is not JSON (a broken proxy answered)
        Silent,      // taken; no answer ever, the connection left open
    };
    static constexpr int FaultKinds = 6;
    // Decides each call's fault: the path ("/charges", "/refunds"), the order, and the
    // number of this call for its idempotency key (1 for the first).
    using FaultPolicy = std::function<Fault(const QByteArray &path, const QString &orderId, int call)>;

    LoopbackGateway();
    // A fixed number from 0 to 99 for an order id and a seed: tests choose "30% of the
    // orders" with it, the same orders at every call.
    static int percentile(const QString &orderId, size_t seed) { return int(qHash(orderId, seed) % 100); }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }

    bool down = false;                          // every call answers 500
    QSet<QString> unreachableFor;               // calls for these orders answer 500
    int dropAnswers = 0;                        // the next charges are taken but never answered
    int answerDelayMs = 0;                      // every answer waits this long
    std::function<bool(const QString &orderId)> declines; // these orders' charges are declined (402)
    FaultPolicy fault;                          // misbehaviour per call (none when unset)
    int slowAnswerMs = 0;                       // how late a Fault::Slow answer comes

    int chargeRequests = 0;                     // calls to /charges, retries included
    int refundRequests = 0;
    QHash<QString, int> moneyMoved;             // idempotency key -> times charged (must stay at most 1)
    QHash<QString, QString> charges;            // idempotency key -> payment id
    QHash<QString, QString> refunds;            // refund key -> refund id
    QHash<QString, int> chargedPerOrder;        // order id -> charges taken, under any key
    QHash<QString, int> refundedPerOrder;       // order id -> charges given back
    QSet<QString> declinedKeys;
    QHash<QString, int> callsPerKey;            // idempotency key -> calls (charges and refunds have keys of their own)
    int faultsServed[FaultKinds] = {};          // calls that misbehaved, by Fault

    int served(Fault f) const { return faultsServed[int(f)]; }

    // Answers delayed and not written yet: charges (or refunds) in flight.
    int inFlight() const { return m_inFlight; }
    // Charges taken whose answer is still in flight.
    int approvedInFlight() const;
    // Charges taken minus charges given back, for one order.
    int netCharges(const QString &orderId) const { return chargedPerOrder.value(orderId) - refundedPerOrder.value(orderId); }
    // Checks the money of final orders (order id -> status): a Confirmed one was charged
    // exactly once and kept it; any other was charged at most once and got it back; no
    // key moved money twice. Returns what is wrong, one line each.
    QStringList moneyViolations(const QHash<QString, QString> &statusByOrder) const;

private:
    void serve(QTcpSocket *socket);
    void handle(QTcpSocket *socket, const QByteArray &path, const QString &key, const QJsonObject &body);
    // Misbehaves before the call is taken (500, malformed); true if it answered.
    bool refuse(QTcpSocket *socket, Fault f);
    // Misbehaves after the call was taken (reset, silence); true if it did.
    bool loseAnswer(QTcpSocket *socket, Fault f);
    void answer(QTcpSocket *socket, int status, const QJsonObject &body, const QString &key = {}, int delayMs = -1);
    void write(QTcpSocket *socket, int status, const QByteArray &body, const QString &key, int delayMs);

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    int m_inFlight = 0;
    QHash<QString, int> m_inFlightByKey;
};
