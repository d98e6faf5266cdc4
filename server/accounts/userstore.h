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
    QString email; // AccountRules::normalizeEmail
    QByteArray passwordHash;
    QString name;
    QString role;
    bool verified = false;
    qint64 createdAtMs = 0;

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

// users.email_form: how an address was checked. Rows from before the normalisation
// rules (migration 0017) are Unchecked until AccountsModule::load() checks them.
enum class EmailForm { Unchecked = 0, Normalized = 1, LookAlike = 2 };
// The unchecked rows, as user id -> e-mail.
QList<QPair<qint64, QString>> uncheckedEmails(const QSqlDatabase &db);
void setEmail(const QSqlDatabase &db, qint64 userId, const QString &email, EmailForm form);
void setRole(const QSqlDatabase &db, qint64 userId, const QString &role);
void setPasswordHash(const QSqlDatabase &db, qint64 userId, const QByteArray &passwordHash);

} // namespace UserStore
