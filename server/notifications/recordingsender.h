#pragma once

#include "messagesender.h"

#include <QList>
#include <QMutex>
#include <QSet>

#include <deque>

// The built-in sender: records what would have been sent (once per event, channel and
// recipient) and logs it. Tests and the console read messages(). It is the server's
// sender for as long as the server runs, so it keeps only the last `capacity` messages
// (unbounded, it grew by every order's e-mail), and refuses a redelivered event only
// while that event is among them; the outbox's handled_events already hands each event
// to the notifications handler once.
class RecordingSender : public MessageSender
{
public:
    explicit RecordingSender(int capacity = 4096);
    void send(const Message &message) override;
    QList<Message> messages() const; // oldest first

private:
    const int m_capacity;
    mutable QMutex m_mutex;
    QList<Message> m_messages;
    std::deque<QString> m_keys; // the key of each message in m_messages, in the same order
    QSet<QString> m_seen;
};
