#pragma once

#include <QString>

class Database;

// Applies the versioned SQL migrations in :/migrations (resources/migrations) that the
// database has not seen yet, each in its own transaction, and records them in
// schema_migrations. The same files serve SQLite and PostgreSQL: {{ID}} stands for the
// dialect's auto-increment primary key.
class Migrator
{
public:
    explicit Migrator(const Database &database);
    // Returns false and sets `error` if a migration failed; nothing of it is kept.
    bool migrate(QString *error);
    int appliedCount() const { return m_applied; }

private:
    const Database &m_db;
    int m_applied = 0;
};
