#include "notificationsmodule.h"

#include "outboxfollower.h"

#include "core/flashsaleserver.h"
#include "core/timeutil.h"
#include "http/principal.h"
#include "orders/ordersmodule.h"
#include "outbox/outbox.h"
#include "pushsession.h"
#include "storage/cachedquery.h"
#include "storage/database.h"
#include "telemetry/logger.h"
#include "waitingroom/waitingroommodule.h"

#include <QJsonDocument>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

NotificationsModule::NotificationsModule(FlashSaleServer &server, OrdersModule &orders, const Authenticator &authenticator,
                                         WaitingRoomModule &waitingRoom)
    : m_server(server)
    , m_orders(orders)
    , m_waitingRoom(waitingRoom)
    , m_authenticator(&authenticator)
{
}

NotificationsModule::~NotificationsModule() = default;

void NotificationsModule::setSender(MessageSender::Channel channel, MessageSender *sender)
{
    (channel == MessageSender::Channel::Email ? m_email : m_sms) = sender ? sender : &m_recording;
}

bool NotificationsModule::load(QString *error)
{
    Q_UNUSED(error)
    WaitingRoomModule *room = &m_waitingRoom;
    QObject::connect(room, &WaitingRoomModule::positionsChanged, room,
                     [this, room](qint64 saleId, qint64 normal, qint64 low, qint64 waiting) { pushQueuePositions(room, saleId, normal, low, waiting); });
    QObject::connect(room, &WaitingRoomModule::soldOut, room, [this](qint64 saleId, qint64 stillWaiting) {
        m_hub.publish(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("QueueSoldOut")},
                                                {QStringLiteral("saleId"), saleId},
                                                {QStringLiteral("stillWaiting"), stillWaiting},
                                                {QStringLiteral("at"), isoUtc(nowMs())}})
                          .toJson(QJsonDocument::Compact),
                      0, true);
    });
    m_orders.outbox().addHandler(QStringLiteral("notifications"), [this](const OutboxDispatcher::Event &event) { handle(event); });
    if (m_server.config().clustered())
        m_follower = std::make_unique<OutboxFollower>(m_server.database(), m_server.config().orders.outboxPollMs,
                                                      [this](const OutboxDispatcher::Event &event) { push(event); });
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

void NotificationsModule::started()
{
    if (m_follower)
        m_follower->start();
}

void NotificationsModule::stopping()
{
    if (m_follower)
        m_follower->stop();
}

void NotificationsModule::pushQueuePositions(QObject *context, qint64 saleId, qint64 normalAdmitted, qint64 lowAdmitted,
                                             qint64 waiting)
{
    constexpr qint64 intervalMs = 500;
    const qint64 now = nowMs();
    QueuePush &push = m_queuePushes[saleId];
    push.latest = QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("QueuePositions")},
                                            {QStringLiteral("saleId"), saleId},
                                            {QStringLiteral("normalAdmitted"), normalAdmitted},
                                            {QStringLiteral("lowAdmitted"), lowAdmitted},
                                            {QStringLiteral("waiting"), waiting},
                                            {QStringLiteral("at"), isoUtc(now)}})
                      .toJson(QJsonDocument::Compact);
    if (now - push.lastMs >= intervalMs) {
        push.lastMs = now;
        m_hub.publish(push.latest, 0, true);
        return;
    }
    // Too soon after the last push: send the newest positions once the interval is over,
    // so the last admission of a burst is never left unsaid.
    if (push.trailingScheduled)
        return;
    push.trailingScheduled = true;
    QTimer::singleShot(intervalMs - (now - push.lastMs), context, [this, saleId] {
        QueuePush &p = m_queuePushes[saleId];
        p.trailingScheduled = false;
        p.lastMs = nowMs();
        m_hub.publish(p.latest, 0, true);
    });
}

void NotificationsModule::handle(const OutboxDispatcher::Event &event)
{
    if (!m_follower)
        push(event);
    mail(event);
}

void NotificationsModule::push(const OutboxDispatcher::Event &event)
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
}

void NotificationsModule::mail(const OutboxDispatcher::Event &event)
{
    namespace T = Outbox::Type;
    const qint64 userId = event.payload.value(QStringLiteral("userId")).toInteger();
    QString subject;
    if (event.type == T::OrderConfirmed)
        subject = QStringLiteral("Order confirmed");
    else if (event.type == T::OrderFailed)
        subject = QStringLiteral("Order not completed: the item is back on sale");
    else if (event.type == T::ReservationExpired)
        subject = QStringLiteral("Reservation expired");
    else if (event.type == T::OrderRefunded)
        subject = QStringLiteral("Order refunded");
    else if (event.type == T::AccountRegistered)
        subject = QStringLiteral("Welcome to FlashSale");
    else if (event.type == T::RegistrationRepeated)
        subject = QStringLiteral("Someone tried to register with your address");
    if (subject.isEmpty() || userId == 0)
        return;
    QString email;
    {
        // Once per order, on the dispatcher's connection: kept prepared (one round trip, not
        // three), and let go before sending, so no read stays open meanwhile.
        CachedQuery q = execCached(m_server.database().connection(), QStringLiteral("SELECT email FROM users WHERE user_id = ?"), {userId});
        if (!q->next())
            return;
        email = q->value(0).toString();
    }
    QString body;
    if (event.type == T::AccountRegistered)
        body = QStringLiteral("Your FlashSale account is ready: sign in with this address and the password you chose.");
    else if (event.type == T::RegistrationRepeated)
        body = QStringLiteral("Someone tried to create a FlashSale account with this address, which already has one. "
                              "Nothing was changed. If it was you, sign in with your password; if not, there is "
                              "nothing to do.");
    else
        body = QStringLiteral("%1: order %2.").arg(subject, event.payload.value(QStringLiteral("orderId")).toString());
    m_email->send({MessageSender::Channel::Email, email, subject, body, event.id});
}
