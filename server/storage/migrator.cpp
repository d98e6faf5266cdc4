#include "migrator.h"

#include "database.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlQuery>

Migrator::Migrator(const Database &database)
    : m_db(database)
{
}

bool Migrator::migrate(QString *error)
{
    QSqlDatabase db = m_db.connection();
    if (!db.isOpen()) {
        *error = QStringLiteral("cannot open database: ") + db.lastError().text();
        return false;
    }
    try {
        // Several nodes may start at once: one migrates, the others wait. The lock comes
        // first: two concurrent CREATE TABLE IF NOT EXISTS can both try to create it.
        if (m_db.isPostgres())
            execOrThrow(db, QStringLiteral("SELECT pg_advisory_lock(727274)"));
        execOrThrow(db, QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                       "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
        QSet<int> done;
        QSqlQuery applied = execOrThrow(db, QStringLiteral("SELECT version FROM schema_migrations"));
        while (applied.next())
            done.insert(applied.value(0).toInt());

        const QString autoId = m_db.isPostgres() ? QStringLiteral("BIGSERIAL PRIMARY KEY")
                                                 : QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT");
        QDir dir(QStringLiteral(":/migrations"));
        const QStringList files = dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
        static const QRegularExpression fileName(QStringLiteral("^(\\d+)_(.+)\\.sql$"));
        for (const QString &file : files) {
            const auto m = fileName.match(file);
            if (!m.hasMatch())
                throw DatabaseError{QStringLiteral("migration file %1 is not named NNNN_name.sql").arg(file)};
            const int version = m.captured(1).toInt();
            if (done.contains(version))
                continue;
            QFile f(dir.filePath(file));
            if (!f.open(QIODevice::ReadOnly))
                throw DatabaseError{QStringLiteral("cannot read migration ") + file};
            QString sql;
            for (const QString &line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
                if (!line.trimmed().startsWith(QLatin1String("--")))
                    sql += line + QLatin1Char('\n');
            }
            sql.replace(QStringLiteral("{{ID}}"), autoId);
            inTransaction(db, [&] {
                const QStringList statements = sql.split(QRegularExpression(QStringLiteral(";\\s*\\n")),
                                                         Qt::SkipEmptyParts);
                for (QString statement : statements) {
                    statement = statement.trimmed();
                    if (statement.endsWith(QLatin1Char(';')))
                        statement.chop(1);
                    if (!statement.isEmpty())
                        execOrThrow(db, statement);
                }
                execOrThrow(db, QStringLiteral("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)"),
                            {version, m.captured(2), QDateTime::currentMSecsSinceEpoch()});
            });
            ++m_applied;
        }
        if (m_db.isPostgres())
            execOrThrow(db, QStringLiteral("SELECT pg_advisory_unlock(727274)"));
    } catch (const DatabaseError &e) {
        *error = e.message;
        if (m_db.isPostgres())
            QSqlQuery(db).exec(QStringLiteral("SELECT pg_advisory_unlock(727274)"));
        return false;
    }
    return true;
}
