#pragma once

#include <QHash>

#include "core/servermodule.h"
#include "orders/outboxdispatcher.h"
#include "pushhub.h"
#include "recordingsender.h"

#include <memory>

class Authenticator;
class FlashSaleServer;
class WaitingRoomModule;
class OrdersModule;
class OutboxFollower;

// Notifications, fed by the outbox (handler "notifications"): order-status changes are
// pushed live to their shopper, sale announcements to every connected shopper, and every
// event to connected admins (the console's live feed), over WebSocket connections
// authenticated by access token. Order outcomes are also e-mailed through a
// MessageSender (by default the recording sink).
class NotificationsModule : public ServerModule
{
public:
    NotificationsModule(FlashSaleServer &server, OrdersModule &orders, const Authenticator &authenticator, WaitingRoomModule &waitingRoom);
    ~NotificationsModule() override;

    QString name() const override { return QStringLiteral("notifications"); }
    bool load(QString *error) override;
    void started() override;
    void stopping() override;

    PushHub &hub() { return m_hub; }
    RecordingSender &recorded() { return m_recording; }
    // Replaces the e-mail or SMS sender (before start); the default records.
    void setSender(MessageSender::Channel channel, MessageSender *sender);

private:
    // The outbox handler: pushes (on a single node; a cluster node's follower pushes) and
    // e-mails. Pushes reach the listeners connected to this node.
    void handle(const OutboxDispatcher::Event &event);
    void push(const OutboxDispatcher::Event &event);
    void mail(const OutboxDispatcher::Event &event);
    // Waiting-room positions, pushed to every listener at most twice a second per sale;
    // a shopper's position is their ticket minus the lane's admitted count.
    void pushQueuePositions(QObject *context, qint64 saleId, qint64 normalAdmitted, qint64 lowAdmitted, qint64 waiting);
    struct QueuePush
    {
        qint64 lastMs = 0;
        bool trailingScheduled = false;
        QByteArray latest;
    };
    QHash<qint64, QueuePush> m_queuePushes; // main thread only

    FlashSaleServer &m_server;
    OrdersModule &m_orders;
    WaitingRoomModule &m_waitingRoom;
    PushHub m_hub;
    RecordingSender m_recording;
    MessageSender *m_email = &m_recording;
    MessageSender *m_sms = &m_recording;
    const Authenticator *m_authenticator;
    std::unique_ptr<OutboxFollower> m_follower; // cluster mode
};
