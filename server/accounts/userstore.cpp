#include "userstore.h"

#include "storage/database.h"

#include <QDateTime>

namespace {

const QString columns = QStringLiteral(
    "user_id, email, password_hash, name, role, verified, created_at");

UserRecord readRow(const QSqlQuery &q)
{
    UserRecord u;
    u.id = q.value(0).toLongLong();
    u.email = q.value(1).toString();
    u.passwordHash = q.value(2).toString().toLatin1();
    u.name = q.value(3).toString();
    u.role = q.value(4).toString();
    u.verified = q.value(5).toInt() != 0;
    u.createdAtMs = q.value(6).toLongLong();
    return u;
}

std::optional<UserRecord> one(const QSqlDatabase &db, const QString &where, const QVariant &value)
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT %1 FROM users WHERE %2 = ?").arg(columns, where), {value});
    if (!q.next())
        return std::nullopt;
    return readRow(q);
}

} // namespace

QJsonObject UserRecord::profileJson() const
{
    return {
        {QStringLiteral("userId"), id},
        {QStringLiteral("email"), email},
        {QStringLiteral("name"), name},
        {QStringLiteral("role"), role},
        {QStringLiteral("createdAt"), QDateTime::fromMSecsSinceEpoch(createdAtMs, Qt::UTC).toString(Qt::ISODateWithMs)},
        {QStringLiteral("verified"), verified},
    };
}

namespace UserStore {

std::optional<UserRecord> byEmail(const QSqlDatabase &db, const QString &normalizedEmail)
{
    return one(db, QStringLiteral("email"), normalizedEmail);
}

std::optional<UserRecord> byId(const QSqlDatabase &db, qint64 userId)
{
    return one(db, QStringLiteral("user_id"), userId);
}

QList<UserRecord> admins(const QSqlDatabase &db)
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT %1 FROM users WHERE role = ? ORDER BY user_id").arg(columns),
                              {QStringLiteral("admin")});
    QList<UserRecord> result;
    while (q.next())
        result.append(readRow(q));
    return result;
}

bool hasAdmin(const QSqlDatabase &db)
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT 1 FROM users WHERE role = ? LIMIT 1"), {QStringLiteral("admin")});
    return q.next();
}

qint64 insert(const QSqlDatabase &db, const UserRecord &user)
{
    QSqlQuery q = execOrThrow(db,
        QStringLiteral("INSERT INTO users(email, password_hash, name, role, verified, created_at, email_form) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING user_id"),
        {user.email, QString::fromLatin1(user.passwordHash), user.name, user.role, int(user.verified), user.createdAtMs,
         int(EmailForm::Normalized)});
    return q.next() ? q.value(0).toLongLong() : 0;
}

QList<QPair<qint64, QString>> uncheckedEmails(const QSqlDatabase &db)
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT user_id, email FROM users WHERE email_form = ? ORDER BY user_id"),
                              {int(EmailForm::Unchecked)});
    QList<QPair<qint64, QString>> rows;
    while (q.next())
        rows.append({q.value(0).toLongLong(), q.value(1).toString()});
    return rows;
}

void setEmail(const QSqlDatabase &db, qint64 userId, const QString &email, EmailForm form)
{
    execOrThrow(db, QStringLiteral("UPDATE users SET email = ?, email_form = ? WHERE user_id = ?"), {email, int(form), userId});
}

void setRole(const QSqlDatabase &db, qint64 userId, const QString &role)
{
    execOrThrow(db, QStringLiteral("UPDATE users SET role = ? WHERE user_id = ?"), {role, userId});
}

void setPasswordHash(const QSqlDatabase &db, qint64 userId, const QByteArray &passwordHash)
{
    execOrThrow(db, QStringLiteral("UPDATE users SET password_hash = ? WHERE user_id = ?"),
                {QString::fromLatin1(passwordHash), userId});
}

} // namespace UserStore
