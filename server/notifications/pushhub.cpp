#include "pushhub.h"

#include "pushsession.h"

void PushHub::add(PushSession *session, qint64 userId, bool isAdmin)
{
    QMutexLocker lock(&m_mutex);
    m_sessions.insert(session, Peer{userId, isAdmin});
}

void PushHub::remove(PushSession *session)
{
    QMutexLocker lock(&m_mutex);
    m_sessions.remove(session);
}

void PushHub::publish(const QByteArray &message, qint64 userId, bool everyone)
{
    QMutexLocker lock(&m_mutex);
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it) {
        if (!(everyone || it->isAdmin || (userId != 0 && it->userId == userId)))
            continue;
        PushSession *session = it.key();
        QMetaObject::invokeMethod(session, [session, message] { session->deliver(message); }, Qt::QueuedConnection);
    }
}

int PushHub::sessionCount() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_sessions.size());
}
