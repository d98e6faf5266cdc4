#include "tokenendpoint.h"

#include "accountrules.h"
#include "http/databasejob.h"
#include "core/flashsaleserver.h"
#include "http/httprequest.h"
#include "http/jsonbody.h"
#include "http/responder.h"
#include "jwt.h"
#include "passwordhasher.h"
#include "sodiumsupport.h"
#include "telemetry/logger.h"
#include "userstore.h"

#include <QDateTime>

namespace {

const QString PasswordGrant = QStringLiteral("password");
const QString RefreshGrant = QStringLiteral("refresh_token");

int secondsUntil(qint64 untilMs, qint64 nowMs)
{
    return int(qMax<qint64>(1, (untilMs - nowMs + 999) / 1000));
}

// One answer for every wrong login, whether or not the e-mail has an account.
HttpResponse invalidCredentials()
{
    return HttpResponse::problem(401, QStringLiteral("invalid-credentials"), QStringLiteral("Invalid credentials"),
                                 QStringLiteral("The e-mail address or the password is wrong."));
}

HttpResponse lockedOut(qint64 untilMs, qint64 nowMs)
{
    return Problem::tooManyRequests(QStringLiteral("Too many failed logins for this account from this address; try again later."),
                                    secondsUntil(untilMs, nowMs));
}

// Every this many failed logins, pairs idle for a day are forgotten.
constexpr int PurgeEveryFailures = 256;

HttpResponse invalidRefreshToken()
{
    return HttpResponse::problem(401, QStringLiteral("invalid-refresh-token"), QStringLiteral("Invalid refresh token"),
                                 QStringLiteral("The refresh token is unknown, expired or revoked; log in again."));
}

QJsonObject requestFields(const QByteArray &requestId)
{
    return {{QStringLiteral("requestId"), QString::fromLatin1(requestId)}};
}

} // namespace

TokenEndpoint::TokenEndpoint(FlashSaleServer &server, const PasswordHasher &hasher, const JwtCodec &jwt)
    : m_server(server)
    , m_hasher(hasher)
    , m_jwt(jwt)
    , m_addressLimit(server.config().auth.tokenRateLimitAttempts, qint64(server.config().auth.tokenRateLimitWindowSeconds) * 1000)
    , m_lockout(server.config().auth.maxFailedLogins, qint64(server.config().auth.lockoutSeconds) * 1000,
                qint64(server.config().auth.maxLockoutSeconds) * 1000)
    , m_refreshTokens(qint64(server.config().auth.refreshTokenTtlSeconds) * 1000,
                      qint64(server.config().auth.refreshReuseIntervalSeconds) * 1000)
{
}

void TokenEndpoint::handle(const HttpRequest &request, const Responder &reply)
{
    const qint64 wait = m_addressLimit.admit(request.remoteAddress, QDateTime::currentMSecsSinceEpoch());
    if (wait > 0) {
        reply.send(Problem::tooManyRequests(QStringLiteral("Too many login attempts from this address; slow down."),
                                            secondsUntil(wait, 0)));
        return;
    }
    HttpResponse problem;
    std::optional<JsonBody> body = JsonBody::parse(request, &problem);
    if (!body) {
        reply.send(problem);
        return;
    }
    const QString grant = body->optionalString(QStringLiteral("grantType"), PasswordGrant, 32);
    const QByteArray requestId = request.requestId;
    if (grant == RefreshGrant) {
        const QByteArray token = body->requiredString(QStringLiteral("refreshToken"), 256).toLatin1();
        if (body->hasErrors()) {
            reply.send(body->problem());
            return;
        }
        postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("token.refresh"), AccountRules::unavailableDetail(),
                        [this, token, requestId](const QSqlDatabase &db) { return refreshGrant(db, token, requestId); });
        return;
    }
    if (grant != PasswordGrant)
        body->addError(QStringLiteral("grantType"), QStringLiteral("must be \"password\" or \"refresh_token\""));
    const QString email = AccountRules::normalizeEmail(
        body->requiredString(QStringLiteral("username"), AccountRules::MaxEmailLength));
    const QString password = AccountRules::readPassword(*body, QStringLiteral("password"), false);
    if (body->hasErrors()) {
        reply.send(body->problem());
        return;
    }
    const QString address = AddressLimit::addressKey(request.remoteAddress).toString();
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("token.password"), AccountRules::unavailableDetail(),
                    [this, email, password, address, requestId](const QSqlDatabase &db) {
                        return passwordGrant(db, email, password, address, requestId);
                    });
}

HttpResponse TokenEndpoint::passwordGrant(const QSqlDatabase &db, const QString &email, const QString &password,
                                          const QString &address, const QByteArray &requestId)
{
    // The same steps whether or not the e-mail has an account: the lockout of this e-mail
    // and address, one Argon2 verify, and a counted failure.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    bool counted = false;
    if (const qint64 lockedUntil = m_lockout.lockedUntil(db, email, address, now, &counted))
        return lockedOut(lockedUntil, now);
    const std::optional<UserRecord> user = UserStore::byEmail(db, email);
    const bool right = user ? m_hasher.verify(user->passwordHash, password) : (m_hasher.verifyDummy(password), false);
    if (!right) {
        const qint64 lockedUntil = m_lockout.recordFailure(db, email, address, now);
        QJsonObject fields = requestFields(requestId);
        if (user)
            fields.insert(QStringLiteral("userId"), user->id);
        if (lockedUntil > now) {
            fields.insert(QStringLiteral("address"), address);
            fields.insert(QStringLiteral("lockedForSeconds"), secondsUntil(lockedUntil, now));
            Log::warning(QStringLiteral("accounts.login.locked"), fields);
        } else {
            Log::info(QStringLiteral("accounts.login.failed"), fields);
        }
        if (m_failuresSincePurge.fetch_add(1) + 1 >= PurgeEveryFailures) {
            m_failuresSincePurge = 0;
            m_lockout.purge(db, now);
        }
        return invalidCredentials();
    }
    if (counted)
        m_lockout.clear(db, email, address);
    if (m_hasher.needsRehash(user->passwordHash)) // the configured cost has changed since
        UserStore::setPasswordHash(db, user->id, m_hasher.hash(password));
    const QByteArray refreshToken = m_refreshTokens.issue(db, user->id, now);
    QJsonObject fields = requestFields(requestId);
    fields.insert(QStringLiteral("userId"), user->id);
    Log::info(QStringLiteral("accounts.login"), fields);
    return tokens(*user, refreshToken, now);
}

HttpResponse TokenEndpoint::refreshGrant(const QSqlDatabase &db, const QByteArray &refreshToken, const QByteArray &requestId)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const RefreshTokenStore::Rotation rotation = m_refreshTokens.rotate(db, refreshToken, now);
    QJsonObject fields = requestFields(requestId);
    if (rotation.userId)
        fields.insert(QStringLiteral("userId"), rotation.userId);
    switch (rotation.outcome) {
    case RefreshTokenStore::Outcome::Rotated:
    case RefreshTokenStore::Outcome::RotatedJustBefore:
        if (rotation.outcome == RefreshTokenStore::Outcome::RotatedJustBefore)
            Log::info(QStringLiteral("accounts.refresh.repeated"), fields);
        if (const std::optional<UserRecord> user = UserStore::byId(db, rotation.userId))
            return tokens(*user, rotation.token, now);
        return invalidRefreshToken();
    case RefreshTokenStore::Outcome::Reused:
        // A replaced token came back: it was copied. The family is revoked.
        fields.insert(QStringLiteral("family"), rotation.family);
        Log::warning(QStringLiteral("accounts.refresh.reused"), fields);
        return invalidRefreshToken();
    case RefreshTokenStore::Outcome::Expired:
    case RefreshTokenStore::Outcome::Revoked:
    case RefreshTokenStore::Outcome::Unknown:
        break;
    }
    Log::info(QStringLiteral("accounts.refresh.refused"), fields);
    return invalidRefreshToken();
}

HttpResponse TokenEndpoint::tokens(const UserRecord &user, const QByteArray &refreshToken, qint64 nowMs) const
{
    const auto &auth = m_server.config().auth;
    AccessClaims claims;
    claims.subject = QString::number(user.id);
    claims.email = user.email;
    claims.role = user.role;
    claims.issuedAt = nowMs / 1000;
    claims.expiresAt = claims.issuedAt + auth.accessTokenTtlSeconds;
    claims.tokenId = QString::fromLatin1(JwtCodec::base64UrlEncode(Sodium::randomBytes(16)));
    return HttpResponse::json(QJsonObject{
                                  {QStringLiteral("accessToken"), QString::fromLatin1(m_jwt.sign(claims))},
                                  {QStringLiteral("refreshToken"), QString::fromLatin1(refreshToken)},
                                  {QStringLiteral("tokenType"), QStringLiteral("Bearer")},
                                  {QStringLiteral("expiresIn"), auth.accessTokenTtlSeconds},
                                  {QStringLiteral("refreshExpiresIn"), auth.refreshTokenTtlSeconds},
                              })
        .withHeader("Cache-Control", "no-store")
        .withHeader("Pragma", "no-cache");
}
