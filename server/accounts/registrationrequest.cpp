#include "registrationrequest.h"

#include "accountrules.h"
#include "http/jsonbody.h"

namespace {

// A required string field as stored: what `clean` makes of it, with what `check` finds
// wrong with that recorded in `body` (nothing more when the field is missing or not a
// string: requiredString has said so).
QString readCleaned(JsonBody &body, const QString &field, int maxLength, QString (*clean)(const QString &),
                    QString (*check)(const QString &))
{
    const QString sent = body.requiredString(field, maxLength);
    const QString cleaned = clean(sent);
    if (!sent.isEmpty()) {
        const QString problem = check(cleaned);
        if (!problem.isEmpty())
            body.addError(field, problem);
    }
    return cleaned;
}

} // namespace

std::optional<RegistrationRequest> RegistrationRequest::read(const HttpRequest &request, HttpResponse *problem)
{
    std::optional<JsonBody> body = JsonBody::parse(request, problem);
    if (!body)
        return std::nullopt;
    RegistrationRequest r;
    r.email = readCleaned(*body, QStringLiteral("email"), AccountRules::MaxEmailLength, AccountRules::normalizeEmail,
                          AccountRules::checkEmail);
    r.password = AccountRules::readPassword(*body, QStringLiteral("password"), true);
    r.name = readCleaned(*body, QStringLiteral("name"), AccountRules::MaxNameLength, AccountRules::cleanName,
                         AccountRules::checkName);
    if (body->hasErrors()) {
        *problem = body->problem();
        return std::nullopt;
    }
    return r;
}
