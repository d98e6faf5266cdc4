#include "accountsmodule.h"

#include "accountrules.h"
#include "addresslimit.h"
#include "hashingqueue.h"
#include "http/databasejob.h"
#include "core/flashsaleserver.h"
#include "demodefaults.h"
#include "http/responder.h"
#include "http/router.h"
#include "jwt.h"
#include "knownaccounts.h"
#include "outbox/outbox.h"
#include "passwordhasher.h"
#include "registrationrequest.h"
#include "signingkey.h"
#include "storage/database.h"
#include "storage/sharedkey.h"
#include "telemetry/logger.h"
#include "tokenendpoint.h"
#include "userstore.h"
#include "verifiedtokens.h"

#include <QDateTime>

#include <atomic>
#include <exception>

namespace {

// Numbers each codec of the process, so that a thread's cache of verified tokens is never
// consulted for another server's key.
std::atomic<quint64> codecSerials{0};

} // namespace

AccountsModule::AccountsModule(FlashSaleServer &server)
    : m_server(server)
{
}

AccountsModule::~AccountsModule() = default;

bool AccountsModule::load(QString *error)
{
    const ServerConfig::Auth &auth = m_server.config().auth;
    if (auth.accessTokenTtlSeconds <= 0 || auth.refreshTokenTtlSeconds <= 0 || auth.maxFailedLogins < 1
        || auth.lockoutSeconds < 0 || auth.maxLockoutSeconds < auth.lockoutSeconds
        || (auth.tokenRateLimitAttempts > 0 && auth.tokenRateLimitWindowSeconds <= 0)
        || (auth.registrationRateLimitAttempts > 0 && auth.registrationRateLimitWindowSeconds <= 0)
        || auth.hashingThreads < 1 || auth.hashingQueue < 1) {
        *error = QStringLiteral("auth/accessTokenTtlSeconds and auth/refreshTokenTtlSeconds must be positive, "
                                "auth/maxFailedLogins at least 1, auth/lockoutSeconds not negative and not above "
                                "auth/maxLockoutSeconds, auth/tokenRateLimitWindowSeconds and "
                                "auth/registrationRateLimitWindowSeconds positive when their limits are on, and "
                                "auth/hashingThreads and auth/hashingQueue at least 1");
        return false;
    }
    try {
        m_hasher = std::make_unique<PasswordHasher>(auth.argon2OpsLimit, auth.argon2MemLimitKiB);
        QByteArray key;
        if (!SigningKey::loadOrCreate(m_server.config().dataDir, &key, error))
            return false;
        // Every node signs with the key the database holds (the first node's): a node
        // joins a cluster with nothing copied by hand, and a rotation reaches them all.
        const SharedKey shared = SharedKey::adopt(m_server.database().connection(), QStringLiteral("jwt-signing"), key,
                                                  QDateTime::currentMSecsSinceEpoch());
        if (shared.adopted || !shared.accepted.isEmpty())
            Log::info(QStringLiteral("accounts.signingKey.shared"), {{QStringLiteral("adopted"), shared.adopted},
                                                                    {QStringLiteral("alsoAccepted"), int(shared.accepted.size())}});
        m_jwt = std::make_unique<JwtCodec>(shared.key, QString::fromLatin1(Issuer), shared.accepted);
        m_jwtSerial = ++codecSerials;
        m_tokens = std::make_unique<TokenEndpoint>(m_server, *m_hasher, *m_jwt);
        m_known = std::make_unique<KnownAccounts>(m_server.dbExecutor(), m_server.database());
        m_hashing = std::make_unique<HashingQueue>(auth.hashingThreads, auth.hashingQueue);
        m_signUpLimit = std::make_unique<AddressLimit>(auth.registrationRateLimitAttempts,
                                                       qint64(auth.registrationRateLimitWindowSeconds) * 1000);
        checkLegacyEmails();
        if (!bootstrapAdminFromEnvironment(error) || !refuseDemoAdminPassword(error))
            return false;
        m_known->load(m_server.database().connection());
        const int purged = m_tokens->refreshTokens().purgeExpired(m_server.database().connection(),
                                                                  QDateTime::currentMSecsSinceEpoch());
        if (purged > 0)
            Log::info(QStringLiteral("accounts.refreshTokens.purged"), {{QStringLiteral("count"), purged}});
    } catch (const DatabaseError &e) {
        *error = e.message;
        return false;
    } catch (const std::exception &e) {
        *error = QString::fromUtf8(e.what());
        return false;
    }
    return true;
}

void AccountsModule::stopping()
{
    // Sign-ups already hashing post their database half; the server drains that next.
    if (m_hashing)
        m_hashing->drain();
}

void AccountsModule::checkLegacyEmails()
{
    const QSqlDatabase db = m_server.database().connection();
    int normalized = 0;
    for (const auto &[userId, stored] : UserStore::uncheckedEmails(db)) {
        const QString email = AccountRules::normalizeEmail(stored);
        const bool acceptable = AccountRules::checkEmail(email).isEmpty();
        const std::optional<UserRecord> other = email == stored ? std::nullopt : UserStore::byEmail(db, email);
        if (!acceptable || other) {
            // Signing in with the plain form reaches the other account; this one keeps
            // its address as stored until an operator looks at it.
            UserStore::setEmail(db, userId, stored, UserStore::EmailForm::LookAlike);
            Log::warning(QStringLiteral("accounts.email.lookAlike"),
                         {{QStringLiteral("userId"), userId},
                          {QStringLiteral("reason"), other ? QStringLiteral("another account has the normalised address")
                                                           : QStringLiteral("not an address under the current rules")}});
            continue;
        }
        UserStore::setEmail(db, userId, email, UserStore::EmailForm::Normalized);
        normalized += email == stored ? 0 : 1;
    }
    if (normalized > 0)
        Log::info(QStringLiteral("accounts.email.normalised"), {{QStringLiteral("count"), normalized}});
}

void AccountsModule::issueToken(const HttpRequest &request, const Responder &reply) const
{
    m_tokens->handle(request, reply);
}

bool AccountsModule::verify(const QByteArray &bearerToken, Principal *principal, QString *reason) const
{
    if (!m_jwt) {
        *reason = QStringLiteral("The server is not ready to check tokens.");
        return false;
    }
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    VerifiedTokens &verified = VerifiedTokens::forThread(m_jwtSerial);
    if (const Principal *known = verified.find(bearerToken, now)) {
        *principal = *known;
        return true;
    }
    AccessClaims claims;
    const JwtCodec::Failure failure = m_jwt->verify(bearerToken, now, &claims);
    if (failure != JwtCodec::Failure::None) {
        *reason = JwtCodec::describe(failure);
        return false;
    }
    bool numeric = false;
    const qint64 userId = claims.subject.toLongLong(&numeric);
    if (!numeric || userId <= 0 || !AccountRules::isRole(claims.role)) {
        *reason = JwtCodec::describe(JwtCodec::Failure::Malformed);
        return false;
    }
    principal->userId = userId;
    principal->email = claims.email;
    principal->role = claims.role;
    principal->expiresAt = claims.expiresAt;
    verified.remember(bearerToken, *principal, claims.expiresAt);
    return true;
}

qint64 AccountsModule::createUser(const QString &email, const QString &password, const QString &name,
                                  const QString &role, bool verified, QString *error)
{
    if (!m_hasher) {
        *error = QStringLiteral("the accounts module is not loaded yet");
        return 0;
    }
    UserRecord user;
    user.email = AccountRules::normalizeEmail(email);
    user.name = AccountRules::cleanName(name);
    user.role = role;
    user.verified = verified;
    const QList<QPair<QString, QString>> checks = {
        {QStringLiteral("email"), AccountRules::checkEmail(user.email)},
        {QStringLiteral("password"), AccountRules::checkPassword(password)},
        {QStringLiteral("name"), AccountRules::checkName(user.name)},
    };
    for (const auto &[field, problem] : checks) {
        if (!problem.isEmpty()) {
            *error = field + QLatin1Char(' ') + problem;
            return 0;
        }
    }
    if (!AccountRules::isRole(role)) {
        *error = QStringLiteral("role must be \"shopper\" or \"admin\"");
        return 0;
    }
    if (role == AccountRules::adminRole() && password == DemoDefaults::AdminPassword && boundBeyondLoopback()) {
        *error = QStringLiteral("an admin with the demo password is refused on a server listening beyond loopback "
                                "(%1): set %2 and %3")
                     .arg(m_server.config().http.bind.toString(), QLatin1String(AdminEmailVariable),
                          QLatin1String(AdminPasswordVariable));
        return 0;
    }
    try {
        user.passwordHash = m_hasher->hash(password);
        user.createdAtMs = QDateTime::currentMSecsSinceEpoch();
        const qint64 id = UserStore::insert(m_server.database().connection(), user);
        if (!id)
            *error = QStringLiteral("an account with the e-mail %1 exists").arg(user.email);
        else if (m_known)
            m_known->add(id);
        return id;
    } catch (const DatabaseError &e) {
        *error = e.message;
    } catch (const std::exception &e) {
        *error = QString::fromUtf8(e.what());
    }
    return 0;
}

qint64 AccountsModule::userIdByEmail(const QString &email) const
{
    const auto user = UserStore::byEmail(m_server.database().connection(), AccountRules::normalizeEmail(email));
    return user ? user->id : 0;
}

bool AccountsModule::hasAdmin() const
{
    return UserStore::hasAdmin(m_server.database().connection());
}

bool AccountsModule::boundBeyondLoopback() const
{
    return !m_server.config().http.bind.isLoopback();
}

bool AccountsModule::bootstrapAdminFromEnvironment(QString *error)
{
    const QString email = qEnvironmentVariable(AdminEmailVariable).trimmed();
    const QString password = qEnvironmentVariable(AdminPasswordVariable);
    if (email.isEmpty() && password.isEmpty())
        return true;
    if (email.isEmpty() || password.isEmpty()) {
        *error = QStringLiteral("set both %1 and %2, or neither")
                     .arg(QLatin1String(AdminEmailVariable), QLatin1String(AdminPasswordVariable));
        return false;
    }
    const QString passwordProblem = AccountRules::checkPassword(password);
    if (!passwordProblem.isEmpty()) {
        *error = QStringLiteral("%1 %2").arg(QLatin1String(AdminPasswordVariable), passwordProblem);
        return false;
    }
    const QSqlDatabase db = m_server.database().connection();
    const std::optional<UserRecord> existing = UserStore::byEmail(db, AccountRules::normalizeEmail(email));
    if (!existing) {
        QString why;
        const qint64 id = createUser(email, password, QStringLiteral("Administrator"), AccountRules::adminRole(), true, &why);
        if (!id) {
            *error = QStringLiteral("cannot create the admin from %1: %2").arg(QLatin1String(AdminEmailVariable), why);
            return false;
        }
        Log::info(QStringLiteral("accounts.admin.created"), {{QStringLiteral("userId"), id}});
        return true;
    }
    if (existing->role != AccountRules::adminRole()) {
        UserStore::setRole(db, existing->id, AccountRules::adminRole());
        Log::info(QStringLiteral("accounts.admin.promoted"), {{QStringLiteral("userId"), existing->id}});
    }
    // The operator gave this admin a password of their own: it replaces the demo one
    // (and only that one; a password chosen since is left alone).
    if (password != DemoDefaults::AdminPassword && m_hasher->verify(existing->passwordHash, DemoDefaults::AdminPassword)) {
        UserStore::setPasswordHash(db, existing->id, m_hasher->hash(password));
        Log::info(QStringLiteral("accounts.admin.demoPasswordReplaced"), {{QStringLiteral("userId"), existing->id}});
    }
    return true;
}

bool AccountsModule::refuseDemoAdminPassword(QString *error) const
{
    if (!boundBeyondLoopback())
        return true;
    for (const UserRecord &admin : UserStore::admins(m_server.database().connection())) {
        if (m_hasher->verify(admin.passwordHash, DemoDefaults::AdminPassword)) {
            *error = QStringLiteral("the admin %1 still has the demo password and the server listens on %2, beyond "
                                    "loopback: set %3=%1 and %4 to a password of your own, or listen on 127.0.0.1")
                         .arg(admin.email, m_server.config().http.bind.toString(),
                              QLatin1String(AdminEmailVariable), QLatin1String(AdminPasswordVariable));
            return false;
        }
    }
    return true;
}

void AccountsModule::registerUser(const HttpRequest &request, const Responder &reply) const
{
    HttpResponse problem;
    const std::optional<RegistrationRequest> asked = RegistrationRequest::read(request, &problem);
    if (!asked) {
        reply.send(problem);
        return;
    }
    UserRecord user;
    user.email = asked->email;
    user.name = asked->name;
    user.role = AccountRules::shopperRole();
    const QString password = asked->password;
    // Only well-formed sign-ups count: they are the ones that cost a hash.
    if (const qint64 waitMs = m_signUpLimit->admit(request.remoteAddress, QDateTime::currentMSecsSinceEpoch())) {
        reply.send(Problem::tooManyRequests(QStringLiteral("Too many sign-ups from this address; try again later."),
                                            int(qMax<qint64>(1, (waitMs + 999) / 1000))));
        return;
    }
    const QByteArray requestId = request.requestId;
    const bool queued = m_hashing->tryPost([this, reply, user, password, requestId]() mutable {
        answerFromJob(reply, QStringLiteral("users.register"), AccountRules::unavailableDetail(),
                      [&]() -> std::optional<HttpResponse> {
                          user.passwordHash = m_hasher->hash(password);
                          postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("users.register"),
                                          AccountRules::unavailableDetail(),
                                          [this, user, requestId](const QSqlDatabase &db) {
                                              return storeRegistration(db, user, requestId);
                                          });
                          return std::nullopt;
                      });
    });
    if (!queued) {
        reply.send(Problem::unavailable(QStringLiteral("Too many sign-ups at this moment; try again in a few seconds."))
                       .withHeader("Retry-After", "2"));
    }
}

HttpResponse AccountsModule::storeRegistration(const QSqlDatabase &db, UserRecord user, const QByteArray &requestId) const
{
    user.createdAtMs = QDateTime::currentMSecsSinceEpoch();
    // The same statements whichever way it goes: an insert that may find the e-mail
    // taken, and one outbox event (the e-mail to send) in the same transaction.
    const auto [userId, created] = inTransaction(db, [&] {
        qint64 id = UserStore::insert(db, user);
        const bool isNew = id != 0;
        if (!isNew) {
            const std::optional<UserRecord> owner = UserStore::byEmail(db, user.email);
            id = owner ? owner->id : 0;
        }
        if (id)
            Outbox::append(db, isNew ? Outbox::Type::AccountRegistered : Outbox::Type::RegistrationRepeated,
                           QString::number(id), {{QStringLiteral("userId"), id}}, user.createdAtMs);
        return std::pair<qint64, bool>(id, isNew);
    });
    if (created) {
        m_known->add(userId);
        Log::info(QStringLiteral("accounts.user.registered"),
                  {{QStringLiteral("userId"), userId}, {QStringLiteral("requestId"), QString::fromLatin1(requestId)}});
    } else {
        Log::info(QStringLiteral("accounts.user.registrationRepeated"),
                  {{QStringLiteral("userId"), userId}, {QStringLiteral("requestId"), QString::fromLatin1(requestId)}});
    }
    return HttpResponse::json(QJsonObject{{QStringLiteral("email"), user.email},
                                          {QStringLiteral("status"), QStringLiteral("accepted")},
                                          {QStringLiteral("message"),
                                           QStringLiteral("Check your e-mail: we have sent a message to this address. "
                                                          "If it is new to us, your account is ready and you can sign in.")}},
                              202)
        .withHeader("Cache-Control", "no-store");
}

bool AccountsModule::isKnown(qint64 userId) const
{
    return m_known && m_known->isKnown(userId);
}

void AccountsModule::check(qint64 userId, std::function<void(Answer)> then) const
{
    if (!m_known) {
        then(Answer::Unknown);
        return;
    }
    m_known->check(userId, std::move(then));
}

void AccountsModule::recheck(qint64 userId) const
{
    if (m_known)
        m_known->recheck(userId);
}

void AccountsModule::profile(const HttpRequest &request, const Responder &reply) const
{
    const qint64 userId = request.principal ? request.principal->userId : 0;
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("users.me"), AccountRules::unavailableDetail(),
                    [userId](const QSqlDatabase &db) {
                        const std::optional<UserRecord> user = UserStore::byId(db, userId);
                        if (!user)
                            return Problem::unauthorized(QStringLiteral("The account of this token no longer exists."));
                        return HttpResponse::json(user->profileJson()).withHeader("Cache-Control", "private, no-store");
                    });
}
