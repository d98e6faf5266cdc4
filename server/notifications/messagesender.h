#pragma once

#include <QString>

// Sends a message to a person outside the application: e-mail or SMS. Implementations
// are thread-safe; send() runs on the outbox dispatcher's thread and may block briefly.
// `eventId` is the outbox event it comes from: a redelivered event carries the same id,
// so a sender can refuse to send it twice.
class MessageSender
{
public:
    enum class Channel { Email, Sms };
    struct Message
    {
        Channel channel = Channel::Email;
        QString to;
        QString subject;
        QString body;
        qint64 eventId = 0;
    };
    virtual ~MessageSender() = default;
    virtual void send(const Message &message) = 0;
};
