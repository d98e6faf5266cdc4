#include "admissionleadership.h"

#include "storage/database.h"
#include "telemetry/logger.h"

#include <QSqlQuery>

AdmissionLeadership::AdmissionLeadership(const Database &database, QString nodeId, int checkMs)
    : m_db(database)
    , m_nodeId(std::move(nodeId))
    , m_thread("fs-leader", qMax(10, checkMs), [this] { check(); }, [this] { release(); })
{
}

AdmissionLeadership::~AdmissionLeadership()
{
    stop();
}

void AdmissionLeadership::release()
{
    if (!isLeader())
        return;
    QSqlQuery(m_db.connection()).exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(lockKey));
    setLeader(false);
    // This thread's connection closes when the thread ends.
}

void AdmissionLeadership::check()
{
    QSqlDatabase db = m_db.connection();
    QSqlQuery q(db);
    if (isLeader()) {
        // Still our session? If the connection broke, the database dropped the lock.
        if (!q.exec(QStringLiteral("SELECT 1"))) {
            Log::warning(QStringLiteral("waitingRoom.leadership.lost"),
                         {{QStringLiteral("nodeId"), m_nodeId}, {QStringLiteral("error"), q.lastError().text()}});
            db.close(); // the next try opens a new session
            setLeader(false);
        }
        return;
    }
    if (q.exec(QStringLiteral("SELECT pg_try_advisory_lock(%1)").arg(lockKey)) && q.next() && q.value(0).toBool())
        setLeader(true);
}

void AdmissionLeadership::setLeader(bool leader)
{
    if (m_leader.exchange(leader) == leader)
        return;
    Log::info(leader ? QStringLiteral("waitingRoom.leadership.taken") : QStringLiteral("waitingRoom.leadership.released"),
              {{QStringLiteral("nodeId"), m_nodeId}});
}
