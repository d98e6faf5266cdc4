#pragma once

#include "messagesender.h"

#include <QList>
#include <QMutex>
#include <QSet>

// The built-in sender: records what would have been sent (once per event, channel and
// recipient) and logs it. Tests and the console read messages().
class RecordingSender : public MessageSender
{
public:
    void send(const Message &message) override;
    QList<Message> messages() const;

private:
    mutable QMutex m_mutex;
    QList<Message> m_messages;
    QSet<QString> m_seen;
};
