#pragma once

#include "http/principal.h"

#include <QReadWriteLock>
#include <QSet>
#include <QSqlDatabase>

class DbExecutor;
class Database;

// The ids of the accounts that exist, in memory, so the hot paths can refuse a token whose
// account is gone without a query (AccountCheck). Loaded at start, added to on every
// registration, asked from the database (on a DbExecutor thread) for an id it has not seen
// (an account made on another cluster node), and checked again when a write for an
// account fails (the account may have been deleted since). Thread-safe: read from every
// HTTP thread, written from database threads.
class KnownAccounts : public AccountCheck
{
public:
    KnownAccounts(DbExecutor &executor, const Database &database);

    // Reads every account id; on the thread that loads the modules. Throws DatabaseError.
    void load(const QSqlDatabase &db);
    void add(qint64 userId);

    bool isKnown(qint64 userId) const override;
    void check(qint64 userId, std::function<void(Answer)> then) const override;
    void recheck(qint64 userId) const override;

private:
    // On a database thread: the answer, remembered.
    Answer ask(qint64 userId) const;

    DbExecutor &m_executor;
    const Database &m_database;
    mutable QReadWriteLock m_lock;
    mutable QSet<qint64> m_known;
};
