#include "recordingsender.h"

#include "telemetry/logger.h"

void RecordingSender::send(const Message &message)
{
    const QString channel = message.channel == Channel::Email ? QStringLiteral("email") : QStringLiteral("sms");
    {
        QMutexLocker lock(&m_mutex);
        const QString key = QStringLiteral("%1|%2|%3").arg(message.eventId).arg(channel, message.to);
        if (m_seen.contains(key))
            return; // a redelivered event: already "sent"
        m_seen.insert(key);
        m_messages.append(message);
    }
    Log::info(QStringLiteral("notification.sent"), {{QStringLiteral("channel"), channel}, {QStringLiteral("to"), message.to},
                                                    {QStringLiteral("subject"), message.subject}, {QStringLiteral("eventId"), message.eventId}});
}

QList<MessageSender::Message> RecordingSender::messages() const
{
    QMutexLocker lock(&m_mutex);
    return m_messages;
}
