#include "registrationrequest.h"

#include "accountrules.h"
#include "http/jsonbody.h"

std::optional<RegistrationRequest> RegistrationRequest::read(const HttpRequest &request, HttpResponse *problem)
{
    std::optional<JsonBody> body = JsonBody::parse(request, problem);
    if (!body)
        return std::nullopt;
    RegistrationRequest r;
    const QString email = body->requiredString(QStringLiteral("email"), AccountRules::MaxEmailLength);
    r.email = AccountRules::normalizeEmail(email);
    if (!email.isEmpty()) {
        const QString emailProblem = AccountRules::checkEmail(r.email);
        if (!emailProblem.isEmpty())
            body->addError(QStringLiteral("email"), emailProblem);
    }
    r.password = AccountRules::readPassword(*body, QStringLiteral("password"), true);
    r.name = body->requiredString(QStringLiteral("name"), AccountRules::MaxNameLength);
    if (body->hasErrors()) {
        *problem = body->problem();
        return std::nullopt;
    }
    return r;
}
