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

// E-mails are compared and stored trimmed, in Unicode NFKC and case-folded: the
// fullwidth, long-s or upper-case forms of an address are that address.
QString normalizeEmail(const QString &email);
// Each returns an empty string when the value is acceptable, else what is wrong with it.
// An e-mail for a new account must be plain ASCII once normalised (letters, digits and
// . + - _ before the @, a dotted domain after it): that refuses invisible characters and
// letters of other scripts that look Latin (Cyrillic а, Greek ο...), so no second
// account can look like someone else's.
QString checkEmail(const QString &normalizedEmail);
QString checkPassword(const QString &password);
QString checkName(const QString &trimmedName);
// A name as stored: without control characters (C0, DEL, C1) or bidirectional
// overrides, embeddings, isolates and marks, and trimmed; letters of every script stay.
QString cleanName(const QString &name);

// Reads a password field as sent (never trimmed), recording an error in `body` when it
// is missing, not a string, or breaks the length rules. With `forNewAccount` false
// (a login) any non-empty password up to the maximum length is let through.
QString readPassword(JsonBody &body, const QString &field, bool forNewAccount);

} // namespace AccountRules
