#pragma once

#include "core/servermodule.h"
#include "http/httpresponse.h"
#include "http/principal.h"

#include <QSqlDatabase>

#include <QString>

#include <memory>

class AddressLimit;
class FlashSaleServer;
class HashingQueue;
class JwtCodec;
class KnownAccounts;
class PasswordHasher;
class TokenEndpoint;
struct HttpRequest;
class Responder;
struct UserRecord;

// Users and tokens: POST /users (register), POST /token (password and refresh grants),
// GET /user/me. POST /users answers 202 alike for a new e-mail and a registered one (the
// owner of a registered one is e-mailed instead, through the outbox), after the same
// Argon2id work, which runs on a bounded queue of its own (HashingQueue), behind a
// per-address limit. Passwords are Argon2id; access tokens are HS256 JWTs signed with the key
// in <dataDir>/jwt-signing.key, or the one the database holds if another node (or an
// earlier run) published it first (SharedKey); refresh tokens are opaque, rotated, and
// stored hashed.
// It is also the server's Authenticator: verify() checks a bearer token on the HTTP
// thread with no database access. And it is the server's AccountCheck (KnownAccounts):
// whether the account behind a token still exists, from memory.
//
// On load(), FLASHSALE_ADMIN_EMAIL and FLASHSALE_ADMIN_PASSWORD (both or neither) name
// an admin account to create, or to promote if it exists. A server bound beyond
// loopback refuses to start while an admin still has DemoDefaults::AdminPassword.
class AccountsModule : public ServerModule, public Authenticator, public AccountCheck
{
public:
    static constexpr const char *AdminEmailVariable = "FLASHSALE_ADMIN_EMAIL";
    static constexpr const char *AdminPasswordVariable = "FLASHSALE_ADMIN_PASSWORD";
    static constexpr const char *Issuer = "flashsale";

    explicit AccountsModule(FlashSaleServer &server);
    ~AccountsModule() override;

    QString name() const override { return QStringLiteral("accounts"); }
    bool load(QString *error) override;
    void stopping() override;
    bool verify(const QByteArray &bearerToken, Principal *principal, QString *reason) const override;
    bool isKnown(qint64 userId) const override;
    void check(qint64 userId, std::function<void(Answer)> then) const override;
    void recheck(qint64 userId) const override;

    // For other modules (the demo seeder), from the thread that runs them at start (the
    // main thread): creates an account with the calling thread's database connection.
    // Applies the registration rules; `role` is "shopper" or "admin". Returns the new
    // user id, or 0 with `error` set (invalid input, e-mail taken, database failure,
    // or an admin with the demo password on a server bound beyond loopback).
    // Hashing makes this take as long as one Argon2id (tens of ms with default costs).
    qint64 createUser(const QString &email, const QString &password, const QString &name, const QString &role,
                      bool verified, QString *error);
    // The id of the account with this e-mail (any case, surrounding spaces ignored), or 0.
    // Both use the calling thread's connection and throw DatabaseError if it fails.
    qint64 userIdByEmail(const QString &email) const;
    bool hasAdmin() const;

    // HTTP handlers; core/routetable.cpp routes to them.
    void registerUser(const HttpRequest &request, const Responder &reply) const;
    void issueToken(const HttpRequest &request, const Responder &reply) const;
    void profile(const HttpRequest &request, const Responder &reply) const;

private:
    bool bootstrapAdminFromEnvironment(QString *error);
    bool refuseDemoAdminPassword(QString *error) const;
    bool boundBeyondLoopback() const;
    // Rows stored before the e-mail rules of migration 0017: normalised where that makes
    // no look-alike of another account, else marked and logged.
    void checkLegacyEmails();
    // The database half of a sign-up, once its password is hashed: the account, or the
    // owner's e-mail when the address is taken; the same answer either way.
    HttpResponse storeRegistration(const QSqlDatabase &db, UserRecord user, const QByteArray &requestId) const;

    FlashSaleServer &m_server;
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<JwtCodec> m_jwt;
    quint64 m_jwtSerial = 0; // the codec's number for VerifiedTokens
    std::unique_ptr<TokenEndpoint> m_tokens;
    std::unique_ptr<KnownAccounts> m_known;
    std::unique_ptr<HashingQueue> m_hashing;
    std::unique_ptr<AddressLimit> m_signUpLimit;
};
