#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>

class PushSession;

// Who is connected for live messages, and delivery to them from any thread. Each
// session lives on the HTTP thread that owns its socket; publish() queues the message
// to that thread. A session unregisters in its destructor (under the same lock), so a
// message is never queued to a deleted session; one queued just before its deletion
// is dropped by Qt with the session's posted events.
class PushHub
{
public:
    void add(PushSession *session, qint64 userId, bool isAdmin);
    void remove(PushSession *session);

    // To the shopper `userId` (0: nobody) and to every admin; `everyone` adds every
    // shopper (sale announcements).
    void publish(const QByteArray &message, qint64 userId, bool everyone = false);
    int sessionCount() const;

private:
    struct Peer
    {
        qint64 userId = 0;
        bool isAdmin = false;
    };
    mutable QMutex m_mutex;
    QHash<PushSession *, Peer> m_sessions;
};
