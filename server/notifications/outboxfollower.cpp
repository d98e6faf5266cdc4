#include "outboxfollower.h"

#include "storage/database.h"
#include "telemetry/logger.h"

OutboxFollower::OutboxFollower(const Database &database, int pollMs, Push push)
    : m_db(database)
    , m_push(std::move(push))
    , m_thread("fs-follow", pollMs, [this] { poll(); })
{
}

void OutboxFollower::poll()
{
    try {
        const QSqlDatabase db = m_db.connection();
        if (!m_started) {
            QSqlQuery last = execOrThrow(db, QStringLiteral("SELECT COALESCE(MAX(event_id), 0) FROM outbox"));
            m_highest = last.next() ? last.value(0).toLongLong() : 0;
            m_started = true;
            return;
        }
        qint64 after = std::max<qint64>(0, m_highest - slack);
        for (;;) {
            const std::vector<OutboxDispatcher::Event> events = OutboxDispatcher::read(db, after, false, 1000);
            for (const OutboxDispatcher::Event &e : events) {
                after = e.id;
                if (m_pushed.contains(e.id))
                    continue;
                m_pushed.insert(e.id);
                m_highest = std::max(m_highest, e.id);
                m_push(e);
            }
            if (events.size() < 1000)
                break;
        }
        m_pushed.removeIf([this](qint64 id) { return id <= m_highest - slack; });
    } catch (const DatabaseError &e) {
        Log::warning(QStringLiteral("push.follow.failed"), {{QStringLiteral("error"), e.message}});
    }
}
