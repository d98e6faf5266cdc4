#include "recordingsender.h"

#include "telemetry/logger.h"

RecordingSender::RecordingSender(int capacity)
    : m_capacity(qMax(1, capacity))
{
}

void RecordingSender::send(const Message &message)
{
    const QString channel = message.channel == Channel::Email ? QStringLiteral("email") : QStringLiteral("sms");
    {
        QMutexLocker lock(&m_mutex);
        const QString key = QStringLiteral("%1|%2|%3").arg(message.eventId).arg(channel, message.to);
        if (m_seen.contains(key))
            return; // a redelivered event: already "sent"
        m_seen.insert(key);
        m_keys.push_back(key);
        m_messages.append(message);
        if (m_messages.size() > m_capacity) {
            m_seen.remove(m_keys.front());
            m_keys.pop_front();
            m_messages.removeFirst();
        }
    }
    Log::info(QStringLiteral("notification.sent"), {{QStringLiteral("channel"), channel}, {QStringLiteral("to"), message.to},
                                                    {QStringLiteral("subject"), message.subject}, {QStringLiteral("eventId"), message.eventId}});
}

QList<MessageSender::Message> RecordingSender::messages() const
{
    QMutexLocker lock(&m_mutex);
    return m_messages;
}
