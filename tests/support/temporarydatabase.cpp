#include "temporarydatabase.h"

#include "storage/databaseurl.h"
#include "storage/migrator.h"

#include <QDir>
#include <QFileInfo>

namespace {

QString temporaryFolderTemplate()
{
    const QFileInfo shm(QStringLiteral("/dev/shm"));
    const QString base = shm.isDir() && shm.isWritable() ? shm.filePath() : QDir::tempPath();
    return base + QStringLiteral("/flashsale-unit-XXXXXX");
}

} // namespace

TemporaryDatabase::TemporaryDatabase()
    : m_dir(temporaryFolderTemplate())
    , m_db(std::make_unique<Database>(DatabaseUrl::parse(QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("unit.db")))))
{
}

TemporaryDatabase::~TemporaryDatabase()
{
    m_db.reset(); // before the folder goes
}

bool TemporaryDatabase::migrate(QString *error)
{
    Migrator migrator(*m_db);
    return migrator.migrate(error);
}

void TemporaryDatabase::exec(const QString &sql, const QVariantList &bind)
{
    execOrThrow(m_db->connection(), sql, bind);
}

void TemporaryDatabase::addUsers(int count)
{
    inTransaction(m_db->connection(), [&] {
        for (int user = 1; user <= count; ++user)
            exec(QStringLiteral("INSERT INTO users(user_id, email, password_hash, name, created_at) VALUES (?, ?, 'x', 'n', 0)"),
                 {user, QStringLiteral("u%1@example.com").arg(user)});
    });
}

QVariant TemporaryDatabase::value(const QString &sql, const QVariantList &bind)
{
    QSqlQuery q = execOrThrow(m_db->connection(), sql, bind);
    return q.next() ? q.value(0) : QVariant();
}
