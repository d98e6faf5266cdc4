#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

// One row of the users table.
struct UserRecord
{
    qint64 id = 0;
    QString email; // trimmed, lower case
    QByteArray passwordHash;
    QString name;
    QString role;
    bool verified = false;
    qint64 createdAtMs = 0;
    int failedLogins = 0;
    qint64 lockedUntilMs = 0;

    // The public profile: {userId, email, name, role, createdAt, verified}.
    QJsonObject profileJson() const;
};

// SQL on the users table, on the connection it is given (the calling thread's). Every
// function throws DatabaseError when the database fails.
namespace UserStore {

std::optional<UserRecord> byEmail(const QSqlDatabase &db, const QString &normalizedEmail);
std::optional<UserRecord> byId(const QSqlDatabase &db, qint64 userId);
QList<UserRecord> admins(const QSqlDatabase &db);
bool hasAdmin(const QSqlDatabase &db);

// Inserts the user; returns the new id, or 0 when the e-mail is taken (race-free: the
// unique constraint decides).
qint64 insert(const QSqlDatabase &db, const UserRecord &user);

// Counts a failed login. The one that reaches `maxFailures` in a row locks the account
// until nowMs + lockoutMs and starts the count again. Returns locked_until afterwards.
qint64 recordFailedLogin(const QSqlDatabase &db, qint64 userId, qint64 nowMs, int maxFailures, qint64 lockoutMs);
void clearFailedLogins(const QSqlDatabase &db, qint64 userId);
void setRole(const QSqlDatabase &db, qint64 userId, const QString &role);
void setPasswordHash(const QSqlDatabase &db, qint64 userId, const QByteArray &passwordHash);

} // namespace UserStore
