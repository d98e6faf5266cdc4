#pragma once

#include "addresslimit.h"
#include "loginlockout.h"
#include "refreshtokenstore.h"

#include <QSqlDatabase>

#include <atomic>

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
// the lockout (per e-mail and client address, with backoff: LoginLockout) and the
// per-address limit (auth/tokenRateLimitAttempts per auth/tokenRateLimitWindowSeconds)
// answer 429 with Retry-After. Safe to call from every HTTP thread.
class TokenEndpoint
{
public:
    TokenEndpoint(FlashSaleServer &server, const PasswordHasher &hasher, const JwtCodec &jwt);

    void handle(const HttpRequest &request, const Responder &reply);
    const RefreshTokenStore &refreshTokens() const { return m_refreshTokens; }

private:
    HttpResponse passwordGrant(const QSqlDatabase &db, const QString &email, const QString &password,
                               const QString &address, const QByteArray &requestId);
    HttpResponse refreshGrant(const QSqlDatabase &db, const QByteArray &refreshToken, const QByteArray &requestId);
    HttpResponse tokens(const UserRecord &user, const QByteArray &refreshToken, qint64 nowMs) const;

    FlashSaleServer &m_server;
    const PasswordHasher &m_hasher;
    const JwtCodec &m_jwt;
    AddressLimit m_addressLimit;
    LoginLockout m_lockout;
    std::atomic_int m_failuresSincePurge{0};
    RefreshTokenStore m_refreshTokens;
};
