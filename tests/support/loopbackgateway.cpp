#include "loopbackgateway.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUuid>

#include <sys/socket.h>

LoopbackGateway::LoopbackGateway()
{
    m_server.listen(QHostAddress::LocalHost, 0);
    QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_server.nextPendingConnection()) {
            s->setParent(this);
            QObject::connect(s, &QTcpSocket::readyRead, this, [this, s] { serve(s); });
            QObject::connect(s, &QTcpSocket::disconnected, this, [this, s] {
                m_buffers.remove(s);
                s->deleteLater();
            });
        }
    });
}

void LoopbackGateway::serve(QTcpSocket *socket)
{
    m_buffers[socket] += socket->readAll();
    // A call may reset the connection (and so forget its buffer): look the buffer up again
    // after each call, and stop once the socket is gone.
    while (socket->state() == QAbstractSocket::ConnectedState && m_buffers.contains(socket)) {
        QByteArray &buffer = m_buffers[socket];
        const int headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        QByteArray key;
        int length = 0;
        for (const QByteArray &line : lines) {
            const int colon = line.indexOf(':');
            const QByteArray name = line.left(colon).trimmed().toLower();
            if (name == "idempotency-key")
                key = line.mid(colon + 1).trimmed();
            else if (name == "content-length")
                length = line.mid(colon + 1).trimmed().toInt();
        }
        if (buffer.size() < headerEnd + 4 + length)
            return;
        const QByteArray path = lines.first().split(' ').value(1);
        const QJsonObject body = QJsonDocument::fromJson(buffer.mid(headerEnd + 4, length)).object();
        buffer.remove(0, headerEnd + 4 + length);
        handle(socket, path, QString::fromUtf8(key), body);
    }
}

void LoopbackGateway::handle(QTcpSocket *socket, const QByteArray &path, const QString &key, const QJsonObject &body)
{
    const QString orderId = body.value(QStringLiteral("orderId")).toString();
    const QJsonObject unavailable{{QStringLiteral("error"), QStringLiteral("down")}};
    const int call = ++callsPerKey[key];
    const Fault f = fault ? fault(path, orderId, call) : Fault::None;
    if (f != Fault::None)
        ++faultsServed[int(f)];
    if (path == "/charges") {
        ++chargeRequests;
        if (down || unreachableFor.contains(orderId))
            return answer(socket, 500, unavailable);
        if (refuse(socket, f))
            return;
        if (!charges.contains(key) && !declinedKeys.contains(key)) {
            if (declines && declines(orderId)) {
                declinedKeys.insert(key);
            } else {
                charges.insert(key, QStringLiteral("pay-") + QUuid::createUuid().toString(QUuid::WithoutBraces));
                moneyMoved[key] += 1;
                chargedPerOrder[orderId] += 1;
            }
        }
        if (dropAnswers > 0) {
            --dropAnswers;
            return; // charged, but the answer is lost
        }
        if (loseAnswer(socket, f))
            return;
        const int delayMs = f == Fault::Slow ? slowAnswerMs : -1;
        if (declinedKeys.contains(key))
            return answer(socket, 402, QJsonObject{{QStringLiteral("status"), QStringLiteral("declined")},
                                                   {QStringLiteral("reason"), QStringLiteral("card declined (loopback)")}}, key, delayMs);
        return answer(socket, 201, QJsonObject{{QStringLiteral("paymentId"), charges.value(key)}, {QStringLiteral("status"), QStringLiteral("approved")}},
                      key, delayMs);
    }
    if (path == "/refunds") {
        ++refundRequests;
        if (down || unreachableFor.contains(orderId))
            return answer(socket, 500, unavailable);
        if (refuse(socket, f))
            return;
        if (!refunds.contains(key)) {
            // Giving back a charge that never happened is a void: approved, no money moves.
            const bool charged = netCharges(orderId) > 0;
            refunds.insert(key, charged ? QStringLiteral("ref-") + QUuid::createUuid().toString(QUuid::WithoutBraces) : QString());
            if (charged)
                refundedPerOrder[orderId] += 1;
        }
        if (loseAnswer(socket, f))
            return;
        return answer(socket, 200, QJsonObject{{QStringLiteral("refundId"), refunds.value(key)}}, key, f == Fault::Slow ? slowAnswerMs : -1);
    }
    answer(socket, 404, QJsonObject{});
}

bool LoopbackGateway::refuse(QTcpSocket *socket, Fault f)
{
    if (f == Fault::ServerError) {
        answer(socket, 500, QJsonObject{{QStringLiteral("error"), QStringLiteral("internal error (loopback)")}});
        return true;
    }
    if (f == Fault::Malformed) {
        write(socket, 200, QByteArrayLiteral("<html><body>502 Bad Gateway</body></html>"), {}, -1);
        return true;
    }
    return false;
}

bool LoopbackGateway::loseAnswer(QTcpSocket *socket, Fault f)
{
    if (f == Fault::Silent)
        return true; // the connection stays open; the caller's time-out ends it
    if (f != Fault::Reset)
        return false;
    // Linger 0: close() sends a RST instead of a FIN, as a crashing gateway or proxy does.
    const linger hardClose{1, 0};
    ::setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hardClose, sizeof hardClose);
    socket->abort();
    return true;
}

int LoopbackGateway::approvedInFlight() const
{
    int n = 0;
    for (auto it = m_inFlightByKey.cbegin(); it != m_inFlightByKey.cend(); ++it)
        n += it.value() > 0 && charges.contains(it.key());
    return n;
}

QStringList LoopbackGateway::moneyViolations(const QHash<QString, QString> &statusByOrder) const
{
    QStringList wrong;
    for (auto it = statusByOrder.cbegin(); it != statusByOrder.cend(); ++it) {
        const int charged = chargedPerOrder.value(it.key());
        const int kept = netCharges(it.key());
        const bool confirmed = it.value() == QLatin1String("Confirmed");
        if (charged > 1 || kept != (confirmed ? 1 : 0))
            wrong << QStringLiteral("order %1 (%2): charged %3 times, %4 kept").arg(it.key(), it.value()).arg(charged).arg(kept);
    }
    for (auto it = moneyMoved.cbegin(); it != moneyMoved.cend(); ++it) {
        if (it.value() != 1)
            wrong << QStringLiteral("key %1 charged %2 times").arg(it.key()).arg(it.value());
    }
    return wrong;
}

void LoopbackGateway::answer(QTcpSocket *socket, int status, const QJsonObject &body, const QString &key, int delayMs)
{
    write(socket, status, QJsonDocument(body).toJson(QJsonDocument::Compact), key, delayMs);
}

void LoopbackGateway::write(QTcpSocket *socket, int status, const QByteArray &body, const QString &key, int delayMs)
{
    const QByteArray wire = "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: application/json\r\nContent-Length: "
                            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    if (delayMs < 0)
        delayMs = answerDelayMs;
    if (delayMs <= 0) {
        socket->write(wire);
        return;
    }
    ++m_inFlight;
    ++m_inFlightByKey[key];
    QTimer::singleShot(delayMs, this, [this, target = QPointer<QTcpSocket>(socket), wire, key] {
        --m_inFlight;
        if (--m_inFlightByKey[key] == 0)
            m_inFlightByKey.remove(key);
        if (target && target->state() == QAbstractSocket::ConnectedState)
            target->write(wire);
    });
}
