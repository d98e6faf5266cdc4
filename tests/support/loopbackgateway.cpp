#include "loopbackgateway.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUuid>

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
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
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
    if (path == "/charges") {
        ++chargeRequests;
        if (down || unreachableFor.contains(orderId))
            return answer(socket, 500, unavailable);
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
        if (declinedKeys.contains(key))
            return answer(socket, 402, QJsonObject{{QStringLiteral("status"), QStringLiteral("declined")},
                                                   {QStringLiteral("reason"), QStringLiteral("card declined (loopback)")}});
        return answer(socket, 201, QJsonObject{{QStringLiteral("paymentId"), charges.value(key)}, {QStringLiteral("status"), QStringLiteral("approved")}}, key);
    }
    if (path == "/refunds") {
        ++refundRequests;
        if (down || unreachableFor.contains(orderId))
            return answer(socket, 500, unavailable);
        if (!refunds.contains(key)) {
            // Giving back a charge that never happened is a void: approved, no money moves.
            const bool charged = netCharges(orderId) > 0;
            refunds.insert(key, charged ? QStringLiteral("ref-") + QUuid::createUuid().toString(QUuid::WithoutBraces) : QString());
            if (charged)
                refundedPerOrder[orderId] += 1;
        }
        return answer(socket, 200, QJsonObject{{QStringLiteral("refundId"), refunds.value(key)}});
    }
    answer(socket, 404, QJsonObject{});
}

int LoopbackGateway::approvedInFlight() const
{
    int n = 0;
    for (auto it = m_inFlightByKey.cbegin(); it != m_inFlightByKey.cend(); ++it)
        n += it.value() > 0 && charges.contains(it.key());
    return n;
}

void LoopbackGateway::answer(QTcpSocket *socket, int status, const QJsonObject &body, const QString &key)
{
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    const QByteArray wire = "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: application/json\r\nContent-Length: "
                            + QByteArray::number(json.size()) + "\r\n\r\n" + json;
    if (answerDelayMs <= 0) {
        socket->write(wire);
        return;
    }
    ++m_inFlight;
    ++m_inFlightByKey[key];
    QTimer::singleShot(answerDelayMs, this, [this, target = QPointer<QTcpSocket>(socket), wire, key] {
        --m_inFlight;
        if (--m_inFlightByKey[key] == 0)
            m_inFlightByKey.remove(key);
        if (target && target->state() == QAbstractSocket::ConnectedState)
            target->write(wire);
    });
}
