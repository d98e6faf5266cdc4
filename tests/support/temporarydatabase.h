#pragma once

#include "storage/database.h"

#include <QString>
#include <QTemporaryDir>
#include <QVariantList>

#include <memory>

// A SQLite database of its own for one unit test, in a temporary folder (on /dev/shm
// when there is one: unit tests check logic, not the disk, and tmpfs makes the fsync of
// every commit free), removed by the destructor. Used from the test's thread.
class TemporaryDatabase
{
public:
    TemporaryDatabase();
    ~TemporaryDatabase();

    // Applies the server's migrations; false with *error set if they failed.
    bool migrate(QString *error);
    Database &database() { return *m_db; }
    // Runs one statement on this thread's connection; throws DatabaseError.
    void exec(const QString &sql, const QVariantList &bind = {});
    // Users 1..count (u1@example.com, ...), for rows that reference a user.
    void addUsers(int count);
    // The first column of the first row, or an invalid QVariant if there is no row.
    QVariant value(const QString &sql, const QVariantList &bind = {});

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
};
