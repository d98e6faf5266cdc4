#pragma once

#include <QString>

// Who is calling, as proven by a verified access token.
struct Principal
{
    qint64 userId = 0;
    QString email;
    QString role; // "shopper" or "admin"
    bool isAdmin() const { return role == QLatin1String("admin"); }
};

// Verifies bearer tokens for the router. Implemented by the accounts module.
class Authenticator
{
public:
    virtual ~Authenticator() = default;
    // Returns false with a reason (shown to the caller) when the token is not acceptable.
    virtual bool verify(const QByteArray &bearerToken, Principal *principal, QString *reason) const = 0;
};
