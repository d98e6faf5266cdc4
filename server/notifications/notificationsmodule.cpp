#include "notificationsmodule.h"

#include "core/flashsaleserver.h"
#include "core/timeutil.h"
#include "http/principal.h"
#include "orders/ordersmodule.h"
#include "orders/outbox.h"
#include "pushsession.h"
#include "storage/database.h"
#include "telemetry/logger.h"

#include <QJsonDocument>
#include <QThread>
#include <QWebSocket>

NotificationsModule::NotificationsModule(FlashSaleServer &server)
    : m_server(server)
{
}

NotificationsModule::~NotificationsModule() = default;

void NotificationsModule::setSender(MessageSender::Channel channel, MessageSender *sender)
{
    (channel == MessageSender::Channel::Email ? m_email : m_sms) = sender ? sender : &m_recording;
}

bool NotificationsModule::load(QString *error)
{
    auto *orders = m_server.module<OrdersModule>();
    if (!orders) {
        *error = QStringLiteral("needs the orders module (its outbox) before it");
        return false;
    }
    m_authenticator = m_server.module<Authenticator>();
    orders->outbox().addHandler(QStringLiteral("notifications"), [this](const OutboxDispatcher::Event &event) { handle(event); });
    m_server.setWebSocketHandler([this](std::unique_ptr<QWebSocket> socket) {
        if (socket->thread() != QThread::currentThread()) {
            // Upgraded sockets belong to the HTTP thread that made them (HttpServerPool
            // creates each worker inside its thread). Should one ever arrive from
            // elsewhere, close it on its own thread rather than use it from here.
            Log::error(QStringLiteral("push.socket.wrong_thread"));
            QWebSocket *s = socket.release();
            QMetaObject::invokeMethod(s, [s] { s->abort(); s->deleteLater(); }, Qt::QueuedConnection);
            return;
        }
        new PushSession(std::move(socket), m_hub, m_authenticator); // owns itself; see PushSession
    });
    return true;
}

void NotificationsModule::registerRoutes(Router &router)
{
    Q_UNUSED(router) // live messages come over the WebSocket upgrade, on any path
}

void NotificationsModule::handle(const OutboxDispatcher::Event &event)
{
    namespace T = Outbox::Type;
    QJsonObject message = event.payload;
    message.insert(QStringLiteral("type"), event.type);
    message.insert(QStringLiteral("eventId"), event.id);
    message.insert(QStringLiteral("at"), isoUtc(event.createdAtMs));
    const QByteArray wire = QJsonDocument(message).toJson(QJsonDocument::Compact);
    const qint64 userId = event.payload.value(QStringLiteral("userId")).toInteger();

    // A shopper hears about the status of their own orders and about sales starting;
    // admins hear everything (the console's live feed).
    static const QStringList statusEvents = {T::InventoryReserved, T::OrderConfirmed, T::OrderFailed, T::ReservationExpired, T::OrderRefunded};
    if (event.type == T::FlashSaleStarted)
        m_hub.publish(wire, 0, true);
    else
        m_hub.publish(wire, statusEvents.contains(event.type) ? userId : 0);

    QString subject;
    if (event.type == T::OrderConfirmed)
        subject = QStringLiteral("Order confirmed");
    else if (event.type == T::OrderFailed)
        subject = QStringLiteral("Order not completed: the item is back on sale");
    else if (event.type == T::ReservationExpired)
        subject = QStringLiteral("Reservation expired");
    else if (event.type == T::OrderRefunded)
        subject = QStringLiteral("Order refunded");
    if (subject.isEmpty() || userId == 0)
        return;
    QSqlQuery q = execOrThrow(m_server.database().connection(), QStringLiteral("SELECT email FROM users WHERE user_id = ?"), {userId});
    if (!q.next())
        return;
    const QString orderId = event.payload.value(QStringLiteral("orderId")).toString();
    m_email->send({MessageSender::Channel::Email, q.value(0).toString(), subject,
                   QStringLiteral("%1: order %2.").arg(subject, orderId), event.id});
}
