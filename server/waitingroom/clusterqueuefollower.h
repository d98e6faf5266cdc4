#pragma once

#include <QHash>
#include <QObject>

class AdmissionLeadership;
class QTimer;
class QueueRegistry;
class TicketJournal;

// Cluster mode: keeps this node's copy of every waiting room it knows current with the
// database. Every tick it asks the ticket journal for a Sync of each queue (one in flight
// per queue): tickets other nodes issued, the admitting node's counts, the merchant's
// settings and the pre-queue shuffle (ClusterQueueSync). Status reads then answer from
// memory as on a single node, at most about one tick behind the admitting node. When
// this node does not admit itself, it announces moved positions to its own listeners.
class ClusterQueueFollower : public QObject
{
    Q_OBJECT

public:
    ClusterQueueFollower(QueueRegistry &queues, TicketJournal &journal, const AdmissionLeadership &leadership, int intervalMs,
                         QObject *parent = nullptr);

    void start();
    void stop();
    void tick();

Q_SIGNALS:
    void positionsChanged(qint64 saleId, qint64 normalAdmitted, qint64 lowAdmitted, qint64 waiting);

private:
    struct Followed
    {
        bool inFlight = false;
        qint64 normalAdmitted = 0;
        qint64 lowAdmitted = 0;
    };
    void synced(qint64 saleId);

    QueueRegistry &m_queues;
    TicketJournal &m_journal;
    const AdmissionLeadership &m_leadership;
    const int m_intervalMs;
    QTimer *m_timer = nullptr;
    QHash<qint64, Followed> m_followed;
};
