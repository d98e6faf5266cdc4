#pragma once

#include <QString>

#include <optional>

struct HttpRequest;
struct HttpResponse;

// The body of POST /users, checked against AccountRules before any hashing or database
// work: {"email", "password", "name"}. Every bad field is named at once (422).
struct RegistrationRequest
{
    QString email;    // normalised (AccountRules::normalizeEmail)
    QString password; // as sent, never trimmed
    QString name;     // cleaned (AccountRules::cleanName)

    // Fails with the problem to answer: 400 (not a JSON object) or 422 (bad fields).
    static std::optional<RegistrationRequest> read(const HttpRequest &request, HttpResponse *problem);
};
