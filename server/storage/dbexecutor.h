#pragma once

#include <QThreadPool>

#include <functional>

class Database;

// The threads that talk to the database. HTTP threads never run a query: they post a
// job here and answer when it calls back. Each pool thread keeps its own connection.
class DbExecutor
{
public:
    DbExecutor(const Database &database, int threads);
    ~DbExecutor();

    const Database &database() const { return m_db; }
    void post(std::function<void()> job);
    // Waits for queued jobs; used at shutdown and by tests.
    void drain();

private:
    const Database &m_db;
    QThreadPool m_pool;
};
