#pragma once

#include <QString>

class JsonBody;

// What makes an acceptable account, shared by POST /users and AccountsModule::createUser.
namespace AccountRules {

constexpr int MinPasswordLength = 8;
constexpr int MaxPasswordLength = 1024;
constexpr int MaxNameLength = 200;
constexpr int MaxEmailLength = 254; // RFC 5321 path limit

// The 503 detail of an accounts request whose database job failed.
inline QString unavailableDetail()
{
    return QStringLiteral("The account service could not finish the request; try again.");
}

inline QString shopperRole() { return QStringLiteral("shopper"); }
inline QString adminRole() { return QStringLiteral("admin"); }
bool isRole(const QString &role);

// E-mails are compared and stored trimmed and lower-cased.
QString normalizeEmail(const QString &email);
// Each returns an empty string when the value is acceptable, else what is wrong with it.
QString checkEmail(const QString &normalizedEmail);
QString checkPassword(const QString &password);
QString checkName(const QString &trimmedName);

// Reads a password field as sent (never trimmed), recording an error in `body` when it
// is missing, not a string, or breaks the length rules. With `forNewAccount` false
// (a login) any non-empty password up to the maximum length is let through.
QString readPassword(JsonBody &body, const QString &field, bool forNewAccount);

} // namespace AccountRules
