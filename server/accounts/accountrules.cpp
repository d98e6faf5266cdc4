#include "accountrules.h"

#include "http/jsonbody.h"

#include <QRegularExpression>

namespace AccountRules {

bool isRole(const QString &role)
{
    return role == shopperRole() || role == adminRole();
}

QString normalizeEmail(const QString &email)
{
    return email.trimmed().toLower();
}

QString checkEmail(const QString &normalizedEmail)
{
    // One @, something before it, a dotted domain after it, no spaces or controls.
    static const QRegularExpression shape(QStringLiteral("^[^@\\s\\x00-\\x1f\\x7f]{1,64}@[^@\\s\\x00-\\x1f\\x7f.]"
                                                         "[^@\\s\\x00-\\x1f\\x7f]*\\.[^@\\s\\x00-\\x1f\\x7f.]+$"));
    if (normalizedEmail.isEmpty())
        return QStringLiteral("must not be empty");
    if (normalizedEmail.size() > MaxEmailLength)
        return QStringLiteral("must be at most %1 characters").arg(MaxEmailLength);
    if (!shape.match(normalizedEmail).hasMatch() || normalizedEmail.contains(QLatin1String("..")))
        return QStringLiteral("must be an e-mail address such as name@example.com");
    return {};
}

QString checkPassword(const QString &password)
{
    if (password.size() < MinPasswordLength)
        return QStringLiteral("must be at least %1 characters").arg(MinPasswordLength);
    if (password.size() > MaxPasswordLength)
        return QStringLiteral("must be at most %1 characters").arg(MaxPasswordLength);
    return {};
}

QString checkName(const QString &trimmedName)
{
    if (trimmedName.isEmpty())
        return QStringLiteral("must not be empty");
    if (trimmedName.size() > MaxNameLength)
        return QStringLiteral("must be at most %1 characters").arg(MaxNameLength);
    return {};
}

QString readPassword(JsonBody &body, const QString &field, bool forNewAccount)
{
    const QJsonValue v = body.object().value(field);
    if (v.isUndefined() || v.isNull()) {
        body.addError(field, QStringLiteral("is required"));
        return {};
    }
    if (!v.isString()) {
        body.addError(field, QStringLiteral("must be a string"));
        return {};
    }
    const QString password = v.toString();
    const QString problem = forNewAccount ? checkPassword(password)
        : password.isEmpty()              ? QStringLiteral("must not be empty")
        : password.size() > MaxPasswordLength ? QStringLiteral("must be at most %1 characters").arg(MaxPasswordLength)
                                              : QString();
    if (!problem.isEmpty())
        body.addError(field, problem);
    return password;
}

} // namespace AccountRules
