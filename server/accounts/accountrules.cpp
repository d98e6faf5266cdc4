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
    // NFKC folds compatibility forms onto the plain letters they stand for (fullwidth
    // letters, the long s, the Kelvin sign...), case folding makes case irrelevant.
    return email.trimmed().normalized(QString::NormalizationForm_KC).toCaseFolded();
}

QString checkEmail(const QString &normalizedEmail)
{
    // After normalisation only ASCII letters, digits and . + - _ are left in an address
    // worth an account: anything else is invisible (zero-width, joiners, bidi marks), a
    // space or control, or a letter of another script that can pass for a Latin one.
    // Domains are plain labels; an internationalised domain is written in its xn-- form.
    static const QRegularExpression local(QStringLiteral("^[a-z0-9_+-]+(\\.[a-z0-9_+-]+)*$"));
    static const QRegularExpression label(QStringLiteral("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"));
    static const QRegularExpression topLevel(QStringLiteral("^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$"));
    if (normalizedEmail.isEmpty())
        return QStringLiteral("must not be empty");
    if (normalizedEmail.size() > MaxEmailLength)
        return QStringLiteral("must be at most %1 characters").arg(MaxEmailLength);
    for (const QChar c : normalizedEmail) {
        if (c.unicode() > 0x7e || c.unicode() < 0x21)
            return QStringLiteral("must use only the letters a to z, digits and . + - _ (no spaces, invisible "
                                  "characters, or letters of other scripts that look like Latin ones)");
    }
    const qsizetype at = normalizedEmail.indexOf(QLatin1Char('@'));
    const QString user = normalizedEmail.left(at);
    const QStringList labels = normalizedEmail.mid(at + 1).split(QLatin1Char('.'));
    bool shaped = at > 0 && user.size() <= 64 && local.match(user).hasMatch() && labels.size() >= 2
        && topLevel.match(labels.last()).hasMatch();
    for (const QString &l : labels)
        shaped = shaped && label.match(l).hasMatch();
    if (!shaped)
        return QStringLiteral("must be an e-mail address such as name@example.com");
    return {};
}

QString cleanName(const QString &name)
{
    // Controls (C0, DEL, C1) and the bidirectional overrides, embeddings, isolates and
    // marks, which can reorder how a name reads in the console and in e-mails; every
    // other character, letters of any script included, is kept.
    QString clean;
    clean.reserve(name.size());
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const bool bidi = (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069) || u == 0x200e || u == 0x200f
            || u == 0x061c;
        if (c.category() != QChar::Other_Control && !bidi)
            clean.append(c);
    }
    return clean.trimmed();
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
