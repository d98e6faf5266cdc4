#include "dbexecutor.h"

#include "database.h"

DbExecutor::DbExecutor(const Database &database, int threads)
    : m_db(database)
{
    m_pool.setMaxThreadCount(qMax(1, threads));
    m_pool.setExpiryTimeout(-1); // keep threads, and with them their connections
    m_pool.setObjectName(QStringLiteral("db"));
}

DbExecutor::~DbExecutor()
{
    m_pool.waitForDone();
}

void DbExecutor::post(std::function<void()> job)
{
    m_pool.start(std::move(job));
}

void DbExecutor::drain()
{
    m_pool.waitForDone();
}
