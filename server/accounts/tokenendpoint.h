#pragma once

#include "loginthrottle.h"
#include "refreshtokenstore.h"

#include <QSqlDatabase>

class FlashSaleServer;
class JwtCodec;
class PasswordHasher;
class Responder;
struct HttpRequest;
struct HttpResponse;
struct UserRecord;

// POST /token: the password grant {username, password} and the refresh grant
// {grantType: "refresh_token", refreshToken}, both answering
// {accessToken, refreshToken, expiresIn, tokenType: "Bearer"}.
// A wrong password and an unknown e-mail get the same 401 after the same Argon2 work;
// The lockout (accounts in the database, unknown e-mails in memory) and the per-address
// limit (auth/tokenRateLimitAttempts per auth/tokenRateLimitWindowSeconds) answer 429
// with Retry-After. Safe to call from every HTTP thread.
class TokenEndpoint
{
public:
    TokenEndpoint(FlashSaleServer &server, const PasswordHasher &hasher, const JwtCodec &jwt);

    void handle(const HttpRequest &request, const Responder &reply);
    const RefreshTokenStore &refreshTokens() const { return m_refreshTokens; }

private:
    HttpResponse passwordGrant(const QSqlDatabase &db, const QString &email, const QString &password,
                               const QByteArray &requestId);
    HttpResponse refreshGrant(const QSqlDatabase &db, const QByteArray &refreshToken, const QByteArray &requestId);
    HttpResponse tokens(const UserRecord &user, const QByteArray &refreshToken, qint64 nowMs) const;

    FlashSaleServer &m_server;
    const PasswordHasher &m_hasher;
    const JwtCodec &m_jwt;
    LoginThrottle m_throttle;
    RefreshTokenStore m_refreshTokens;
};
