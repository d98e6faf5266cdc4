#include "clusterqueuefollower.h"

#include "admissionleadership.h"
#include "queueregistry.h"
#include "ticketjournal.h"

#include <QPointer>
#include <QTimer>

ClusterQueueFollower::ClusterQueueFollower(QueueRegistry &queues, TicketJournal &journal, const AdmissionLeadership &leadership,
                                           int intervalMs, QObject *parent)
    : QObject(parent)
    , m_queues(queues)
    , m_journal(journal)
    , m_leadership(leadership)
    , m_intervalMs(qMax(10, intervalMs))
{
}

void ClusterQueueFollower::start()
{
    m_timer = new QTimer(this);
    m_timer->setInterval(m_intervalMs);
    connect(m_timer, &QTimer::timeout, this, &ClusterQueueFollower::tick);
    m_timer->start();
}

void ClusterQueueFollower::stop()
{
    if (m_timer)
        m_timer->stop();
}

void ClusterQueueFollower::tick()
{
    QPointer<ClusterQueueFollower> self(this);
    m_queues.forEach([&](SaleQueue &queue) {
        const qint64 saleId = queue.saleId();
        if (queue.closed()) { // over for good: nothing more to learn from other nodes
            m_followed.remove(saleId);
            return;
        }
        Followed &f = m_followed[saleId];
        if (f.inFlight)
            return;
        f.inFlight = true;
        QueueWrite w;
        w.kind = QueueWrite::Kind::Sync;
        w.queue = &queue;
        m_journal.append(std::move(w), [self, saleId](bool) {
            QMetaObject::invokeMethod(self, [self, saleId] {
                if (self)
                    self->synced(saleId);
            }, Qt::QueuedConnection);
        });
    });
}

void ClusterQueueFollower::synced(qint64 saleId)
{
    Followed &f = m_followed[saleId];
    f.inFlight = false;
    const SaleQueue *queue = m_queues.find(saleId);
    if (!queue)
        return;
    const qint64 normal = queue->laneAdmitted(Lane::Normal);
    const qint64 low = queue->laneAdmitted(Lane::Low);
    if (normal == f.normalAdmitted && low == f.lowAdmitted)
        return;
    f.normalAdmitted = normal;
    f.lowAdmitted = low;
    if (!m_leadership.isLeader()) // the admitting node announces its own steps
        Q_EMIT positionsChanged(saleId, normal, low, queue->waiting());
}
