#include "knownaccounts.h"

#include "storage/database.h"
#include "storage/dbexecutor.h"
#include "telemetry/logger.h"

#include <QSqlQuery>

KnownAccounts::KnownAccounts(DbExecutor &executor, const Database &database)
    : m_executor(executor)
    , m_database(database)
{
}

void KnownAccounts::load(const QSqlDatabase &db)
{
    QSet<qint64> ids;
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT user_id FROM users"));
    while (q.next())
        ids.insert(q.value(0).toLongLong());
    QWriteLocker lock(&m_lock);
    m_known = std::move(ids);
}

void KnownAccounts::add(qint64 userId)
{
    QWriteLocker lock(&m_lock);
    m_known.insert(userId);
}

bool KnownAccounts::isKnown(qint64 userId) const
{
    QReadLocker lock(&m_lock);
    return m_known.contains(userId);
}

KnownAccounts::Answer KnownAccounts::ask(qint64 userId) const
{
    bool exists = false;
    try {
        exists = execOrThrow(m_database.connection(), QStringLiteral("SELECT 1 FROM users WHERE user_id = ?"), {userId}).next();
    } catch (const DatabaseError &e) {
        Log::error(QStringLiteral("accounts.check.failed"), {{QStringLiteral("userId"), userId}, {QStringLiteral("error"), e.message}});
        return Answer::Unknown;
    }
    QWriteLocker lock(&m_lock);
    if (exists)
        m_known.insert(userId);
    else if (m_known.remove(userId))
        Log::warning(QStringLiteral("accounts.gone"), {{QStringLiteral("userId"), userId}});
    return exists ? Answer::Exists : Answer::Missing;
}

void KnownAccounts::check(qint64 userId, std::function<void(Answer)> then) const
{
    m_executor.post([this, userId, then = std::move(then)] { then(ask(userId)); });
}

void KnownAccounts::recheck(qint64 userId) const
{
    m_executor.post([this, userId] { ask(userId); });
}
