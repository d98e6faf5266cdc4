// Accounts against a real server on loopback: registration and its validation, the
// password and refresh grants, token rotation and family revocation, forged access
// tokens, lockout, the per-address limit, the admin from the environment, the signing
// key on disk, the demo-password rule beyond loopback, and the same flow on PostgreSQL.
#include "accounts/accountsmodule.h"
#include "accounts/demodefaults.h"
#include "accounts/jwt.h"
#include "accounts/signingkey.h"
#include "httpclient.h"
#include "postgresfixture.h"
#include "storage/database.h"
#include "testserver.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

namespace {

const QString Password = QStringLiteral("correct horse 42");

// Sets the admin variables for the life of one test.
struct AdminEnvironment
{
    AdminEnvironment(const QByteArray &email, const QByteArray &password)
    {
        qputenv(AccountsModule::AdminEmailVariable, email);
        qputenv(AccountsModule::AdminPasswordVariable, password);
    }
    ~AdminEnvironment()
    {
        qunsetenv(AccountsModule::AdminEmailVariable);
        qunsetenv(AccountsModule::AdminPasswordVariable);
    }
};

QJsonObject registration(const QString &email, const QString &password = Password,
                         const QString &name = QStringLiteral("Ann Shopper"))
{
    return {{QStringLiteral("email"), email}, {QStringLiteral("password"), password}, {QStringLiteral("name"), name}};
}

QJsonObject passwordGrant(const QString &email, const QString &password = Password)
{
    return {{QStringLiteral("username"), email}, {QStringLiteral("password"), password}};
}

QJsonObject refreshGrant(const QString &refreshToken)
{
    return {{QStringLiteral("grantType"), QStringLiteral("refresh_token")}, {QStringLiteral("refreshToken"), refreshToken}};
}

QByteArray part(const QJsonObject &object)
{
    return JwtCodec::base64UrlEncode(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QByteArray readSigningKey(const QString &dataDir)
{
    QFile file(QDir(dataDir).filePath(SigningKey::fileName()));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A started server (TestServer turns the per-address limit on POST /token off, since
// tests log in often; the test of that limit turns it back on). Check error().
std::unique_ptr<TestServer> startServer(const TestServer::Tweak &tweak = {})
{
    auto server = std::make_unique<TestServer>(tweak);
    server->start();
    return server;
}

} // namespace

class TestAccounts : public QObject
{
    Q_OBJECT

private:
    // Registers and logs in; returns the token answer.
    static QJsonObject signUp(HttpClient &client, const QString &email)
    {
        const HttpResult registered = client.post(QStringLiteral("/users"), registration(email));
        if (registered.status != 202)
            qWarning("register %s: %d %s", qPrintable(email), registered.status, registered.body.constData());
        const HttpResult token = client.post(QStringLiteral("/token"), passwordGrant(email));
        return token.status == 200 ? token.json() : QJsonObject();
    }

    static HttpResult me(HttpClient &client, const QByteArray &accessToken)
    {
        return client.get(QStringLiteral("/user/me"), {{"Authorization", "Bearer " + accessToken}});
    }

    static void verifyProblem(const HttpResult &r, int status)
    {
        QVERIFY2(r.status == status, qPrintable(QStringLiteral("expected %1, got %2: %3")
                                                    .arg(status).arg(r.status).arg(QString::fromUtf8(r.body))));
        QVERIFY2(r.isProblem(), r.body.constData());
    }

    // The same login flow on whatever database the server uses.
    static void registerLoginRefreshAndReuse(TestServer &server)
    {
        HttpClient client(server.baseUrl());
        const HttpResult registered = client.post(QStringLiteral("/users"), registration(QStringLiteral("flow@example.com")));
        QCOMPARE(registered.status, 202);
        const HttpResult again = client.post(QStringLiteral("/users"), registration(QStringLiteral("FLOW@example.com")));
        QCOMPARE(again.status, 202); // the same answer: nobody learns the e-mail has an account
        QCOMPARE(again.body, registered.body);
        verifyProblem(client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("flow@example.com"),
                                                                          QStringLiteral("wrong password"))), 401);
        const HttpResult login = client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("flow@example.com")));
        QCOMPARE(login.status, 200);
        const HttpResult profile = me(client, login.json().value(QStringLiteral("accessToken")).toString().toUtf8());
        QCOMPARE(profile.status, 200);
        QCOMPARE(profile.json().value(QStringLiteral("email")).toString(), QStringLiteral("flow@example.com"));
        QSqlQuery accounts = execOrThrow(server.server().database().connection(),
                                         QStringLiteral("SELECT COUNT(*) FROM users WHERE email = 'flow@example.com'"));
        QVERIFY(accounts.next());
        QCOMPARE(accounts.value(0).toInt(), 1);
        const QString first = login.json().value(QStringLiteral("refreshToken")).toString();
        const HttpResult second = client.post(QStringLiteral("/token"), refreshGrant(first));
        QCOMPARE(second.status, 200);
        const QString next = second.json().value(QStringLiteral("refreshToken")).toString();
        verifyProblem(client.post(QStringLiteral("/token"), refreshGrant(first)), 401); // reuse
        verifyProblem(client.post(QStringLiteral("/token"), refreshGrant(next)), 401);  // family revoked
    }

private Q_SLOTS:
    void initTestCase()
    {
        qunsetenv(AccountsModule::AdminEmailVariable);
        qunsetenv(AccountsModule::AdminPasswordVariable);
        m_server = startServer();
        QVERIFY2(m_server->error().isEmpty(), qPrintable(m_server->error()));
        m_client = std::make_unique<HttpClient>(m_server->baseUrl());
    }

    void registerAnswers202AndCreatesTheAccount()
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const HttpResult r = m_client->post(QStringLiteral("/users"),
                                            registration(QStringLiteral("  Ann.Example@Example.COM "), Password,
                                                         QStringLiteral("  Ann  ")));
        QCOMPARE(r.status, 202);
        QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
        QCOMPARE(r.json().value(QStringLiteral("email")).toString(), QStringLiteral("ann.example@example.com"));
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("accepted"));
        QVERIFY(!r.json().contains(QStringLiteral("userId"))); // it would tell a new account from an old one
        // The account is ready at once: its profile.
        const HttpResult profile = me(*m_client, m_client->login(QStringLiteral("ann.example@example.com"), Password));
        QCOMPARE(profile.status, 200);
        const QJsonObject o = profile.json();
        QVERIFY(o.value(QStringLiteral("userId")).toInteger() > 0);
        QCOMPARE(o.value(QStringLiteral("email")).toString(), QStringLiteral("ann.example@example.com"));
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("Ann"));
        QCOMPARE(o.value(QStringLiteral("role")).toString(), QStringLiteral("shopper"));
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(true), false);
        const QDateTime created = QDateTime::fromString(o.value(QStringLiteral("createdAt")).toString(), Qt::ISODateWithMs);
        QVERIFY(created.isValid());
        QCOMPARE(created.timeSpec(), Qt::UTC);
        QVERIFY(created.toMSecsSinceEpoch() >= before - 1000);
        QVERIFY(!r.body.contains(Password.toUtf8()));
        QVERIFY(!r.body.contains("argon2"));
        // The password is stored as an Argon2id hash, never as given.
        QSqlQuery q = execOrThrow(m_server->server().database().connection(),
                                  QStringLiteral("SELECT password_hash FROM users WHERE email = ?"),
                                  {QStringLiteral("ann.example@example.com")});
        QVERIFY(q.next());
        QVERIFY(q.value(0).toString().startsWith(QLatin1String("$argon2id$")));
    }

    void boundaryLengthsAreAccepted()
    {
        const HttpResult r = m_client->post(QStringLiteral("/users"),
                                            registration(QStringLiteral("bounds@example.com"), QString(1024, QLatin1Char('p')),
                                                         QString(200, QLatin1Char('n'))));
        QCOMPARE(r.status, 202);
        QCOMPARE(m_client->post(QStringLiteral("/users"), registration(QStringLiteral("eight@example.com"),
                                                                       QStringLiteral("12345678"))).status, 202);
        QCOMPARE(m_client->post(QStringLiteral("/token"), passwordGrant(QStringLiteral("bounds@example.com"),
                                                                        QString(1024, QLatin1Char('p')))).status, 200);
    }

    void duplicateEmailAnswersLikeANewOne()
    {
        const HttpResult first = m_client->post(QStringLiteral("/users"), registration(QStringLiteral("dup@example.com")));
        QCOMPARE(first.status, 202);
        const HttpResult again = m_client->post(QStringLiteral("/users"),
                                                registration(QStringLiteral(" DUP@Example.com"), QStringLiteral("another password")));
        QCOMPARE(again.status, 202);
        QCOMPARE(again.body, first.body);
        // The first account keeps its password.
        QCOMPARE(m_client->post(QStringLiteral("/token"), passwordGrant(QStringLiteral("dup@example.com"))).status, 200);
    }

    void badRegistrationsAreProblems_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QStringList>("fields");
        const auto json = [](const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); };
        QTest::newRow("malformed JSON") << QByteArray("{\"email\": ") << 400 << QStringList();
        QTest::newRow("empty body") << QByteArray() << 400 << QStringList();
        QTest::newRow("array") << QByteArray("[1, 2]") << 400 << QStringList();
        QTest::newRow("string") << QByteArray("\"hello\"") << 400 << QStringList();
        QTest::newRow("missing fields") << QByteArray("{}") << 422
                                        << QStringList{QStringLiteral("email"), QStringLiteral("password"), QStringLiteral("name")};
        QTest::newRow("wrong types") << QByteArray("{\"email\": 5, \"password\": true, \"name\": []}") << 422
                                     << QStringList{QStringLiteral("email"), QStringLiteral("password"), QStringLiteral("name")};
        QTest::newRow("nulls") << QByteArray("{\"email\": null, \"password\": null, \"name\": null}") << 422
                               << QStringList{QStringLiteral("email"), QStringLiteral("password"), QStringLiteral("name")};
        QTest::newRow("not an e-mail") << json(registration(QStringLiteral("not-an-email"))) << 422
                                       << QStringList{QStringLiteral("email")};
        QTest::newRow("two @") << json(registration(QStringLiteral("a@b@example.com"))) << 422 << QStringList{QStringLiteral("email")};
        QTest::newRow("no domain dot") << json(registration(QStringLiteral("a@localhost"))) << 422 << QStringList{QStringLiteral("email")};
        QTest::newRow("space inside") << json(registration(QStringLiteral("a b@example.com"))) << 422
                                      << QStringList{QStringLiteral("email")};
        QTest::newRow("e-mail too long") << json(registration(QString(250, QLatin1Char('a')) + QStringLiteral("@example.com")))
                                         << 422 << QStringList{QStringLiteral("email")};
        QTest::newRow("password too short") << json(registration(QStringLiteral("short@example.com"), QStringLiteral("1234567")))
                                            << 422 << QStringList{QStringLiteral("password")};
        QTest::newRow("password too long")
            << json(registration(QStringLiteral("long@example.com"), QString(1025, QLatin1Char('p')))) << 422
            << QStringList{QStringLiteral("password")};
        QTest::newRow("name blank") << json(registration(QStringLiteral("blank@example.com"), Password, QStringLiteral("   ")))
                                    << 422 << QStringList{QStringLiteral("name")};
        QTest::newRow("name too long")
            << json(registration(QStringLiteral("name@example.com"), Password, QString(201, QLatin1Char('n')))) << 422
            << QStringList{QStringLiteral("name")};
        QTest::newRow("everything wrong") << json(registration(QStringLiteral("@"), QStringLiteral("x"), QString())) << 422
                                          << QStringList{QStringLiteral("email"), QStringLiteral("password"), QStringLiteral("name")};
    }

    void badRegistrationsAreProblems()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QStringList, fields);
        const HttpResult r = m_client->request("POST", QStringLiteral("/users"), body, {{"Content-Type", "application/json"}});
        verifyProblem(r, status);
        const QJsonObject errors = r.json().value(QStringLiteral("errors")).toObject();
        QStringList reported = errors.keys();
        reported.sort();
        fields.sort();
        QCOMPARE(reported, fields);
    }

    void passwordGrantIssuesTokens()
    {
        const HttpResult registered = m_client->post(QStringLiteral("/users"), registration(QStringLiteral("grant@example.com")));
        QCOMPARE(registered.status, 202);
        const HttpResult r = m_client->post(QStringLiteral("/token"), passwordGrant(QStringLiteral(" Grant@Example.com ")));
        QCOMPARE(r.status, 200);
        const QJsonObject o = r.json();
        const QByteArray access = o.value(QStringLiteral("accessToken")).toString().toUtf8();
        QCOMPARE(access.count('.'), 2);
        QCOMPARE(o.value(QStringLiteral("refreshToken")).toString().size(), 43); // 32 bytes, base64url
        QCOMPARE(o.value(QStringLiteral("expiresIn")).toInt(), 900);
        QCOMPARE(o.value(QStringLiteral("tokenType")).toString(), QStringLiteral("Bearer"));
        QCOMPARE(r.header("cache-control"), QByteArray("no-store"));

        AccessClaims claims;
        const JwtCodec codec(readSigningKey(m_server->dataDir()), QStringLiteral("flashsale"));
        QCOMPARE(codec.verify(access, QDateTime::currentSecsSinceEpoch(), &claims), JwtCodec::Failure::None);
        QCOMPARE(claims.subject, QString::number(m_server->server().module<AccountsModule>()->userIdByEmail(QStringLiteral("grant@example.com"))));
        QCOMPARE(claims.email, QStringLiteral("grant@example.com"));
        QCOMPARE(claims.role, QStringLiteral("shopper"));
        QCOMPARE(claims.issuer, QStringLiteral("flashsale"));
        QCOMPARE(claims.expiresAt - claims.issuedAt, qint64(900));
        QVERIFY(!claims.tokenId.isEmpty());
        // Each login is a token of its own.
        const HttpResult again = m_client->post(QStringLiteral("/token"), passwordGrant(QStringLiteral("grant@example.com")));
        QVERIFY(again.json().value(QStringLiteral("refreshToken")) != o.value(QStringLiteral("refreshToken")));
    }

    void wrongPasswordAndUnknownEmailLookTheSame()
    {
        QCOMPARE(m_client->post(QStringLiteral("/users"), registration(QStringLiteral("known@example.com"))).status, 202);
        const HttpResult wrong = m_client->post(QStringLiteral("/token"), passwordGrant(QStringLiteral("known@example.com"),
                                                                                        QStringLiteral("not the password")));
        const HttpResult unknown = m_client->post(QStringLiteral("/token"), passwordGrant(QStringLiteral("unknown@example.com"),
                                                                                          QStringLiteral("not the password")));
        verifyProblem(wrong, 401);
        verifyProblem(unknown, 401);
        for (const QString &key : {QStringLiteral("type"), QStringLiteral("title"), QStringLiteral("detail"), QStringLiteral("status")})
            QCOMPARE(wrong.json().value(key), unknown.json().value(key));
        QCOMPARE(wrong.json().keys(), unknown.json().keys());
        QCOMPARE(wrong.header("www-authenticate"), unknown.header("www-authenticate"));
    }

    void badTokenRequestsAreProblems_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("malformed JSON") << QByteArray("{\"username\"") << 400;
        QTest::newRow("empty body") << QByteArray() << 400;
        QTest::newRow("array") << QByteArray("[]") << 400;
        QTest::newRow("nothing") << QByteArray("{}") << 422;
        QTest::newRow("username a number") << QByteArray("{\"username\": 1, \"password\": \"x\"}") << 422;
        QTest::newRow("password an object") << QByteArray("{\"username\": \"a@example.com\", \"password\": {}}") << 422;
        QTest::newRow("empty password") << QByteArray("{\"username\": \"a@example.com\", \"password\": \"\"}") << 422;
        QTest::newRow("unknown grant") << QByteArray("{\"grantType\": \"client_credentials\"}") << 422;
        QTest::newRow("grant type a number") << QByteArray("{\"grantType\": 7, \"username\": \"a@example.com\", \"password\": \"x\"}") << 422;
        QTest::newRow("refresh without token") << QByteArray("{\"grantType\": \"refresh_token\"}") << 422;
        QTest::newRow("refresh token a number") << QByteArray("{\"grantType\": \"refresh_token\", \"refreshToken\": 3}") << 422;
        QTest::newRow("refresh token unknown") << QByteArray("{\"grantType\": \"refresh_token\", \"refreshToken\": "
                                                             "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}") << 401;
        QTest::newRow("refresh token garbage") << QByteArray("{\"grantType\": \"refresh_token\", \"refreshToken\": \"x.y\"}") << 401;
        QTest::newRow("refresh token non-latin") << QByteArray("{\"grantType\": \"refresh_token\", \"refreshToken\": \"\xc3\xa9\xe2\x9c\x93\"}") << 401;
    }

    void badTokenRequestsAreProblems()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        verifyProblem(m_client->request("POST", QStringLiteral("/token"), body, {{"Content-Type", "application/json"}}), status);
    }

    void meNeedsAValidToken()
    {
        const QJsonObject tokens = signUp(*m_client, QStringLiteral("me@example.com"));
        const QByteArray access = tokens.value(QStringLiteral("accessToken")).toString().toUtf8();
        QVERIFY(!access.isEmpty());
        const HttpResult r = me(*m_client, access);
        QCOMPARE(r.status, 200);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("email")).toString(), QStringLiteral("me@example.com"));
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("Ann Shopper"));
        QCOMPARE(o.value(QStringLiteral("role")).toString(), QStringLiteral("shopper"));
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(true), false);
        QVERIFY(o.value(QStringLiteral("userId")).toInteger() > 0);
        QVERIFY(QDateTime::fromString(o.value(QStringLiteral("createdAt")).toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(!o.contains(QStringLiteral("passwordHash")));

        verifyProblem(m_client->get(QStringLiteral("/user/me")), 401);
        verifyProblem(me(*m_client, "garbage"), 401);
        verifyProblem(m_client->get(QStringLiteral("/user/me"), {{"Authorization", "Basic " + access}}), 401);
    }

    void meRefusesForgedTokens()
    {
        const QJsonObject tokens = signUp(*m_client, QStringLiteral("forged@example.com"));
        const QByteArray access = tokens.value(QStringLiteral("accessToken")).toString().toUtf8();
        const QList<QByteArray> parts = access.split('.');
        QCOMPARE(parts.size(), 3);
        const QByteArray key = readSigningKey(m_server->dataDir());
        QCOMPARE(key.size(), SigningKey::KeyBytes);
        const QJsonObject payload = QJsonDocument::fromJson(*JwtCodec::base64UrlDecode(parts[1])).object();
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto signWith = [&](const QJsonObject &header, const QJsonObject &body, QCryptographicHash::Algorithm algorithm) {
            const QByteArray input = part(header) + '.' + part(body);
            return input + '.' + JwtCodec::base64UrlEncode(QMessageAuthenticationCode::hash(input, key, algorithm));
        };
        const QJsonObject hs256{{QStringLiteral("alg"), QStringLiteral("HS256")}, {QStringLiteral("typ"), QStringLiteral("JWT")}};

        // The control: a token made here with the server's key and honest claims passes,
        // so each refusal below is for the one thing changed.
        QCOMPARE(me(*m_client, signWith(hs256, payload, QCryptographicHash::Sha256)).status, 200);

        QJsonObject expired = payload;
        expired.insert(QStringLiteral("iat"), double(now - 1000));
        expired.insert(QStringLiteral("exp"), double(now - 10));
        const HttpResult expiredAnswer = me(*m_client, signWith(hs256, expired, QCryptographicHash::Sha256));
        verifyProblem(expiredAnswer, 401);
        QVERIFY(expiredAnswer.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("expired")));

        QJsonObject promoted = payload;
        promoted.insert(QStringLiteral("role"), QStringLiteral("admin"));
        verifyProblem(me(*m_client, parts[0] + '.' + part(promoted) + '.' + parts[2]), 401);

        QByteArray signature = parts[2];
        signature[5] = signature[5] == 'x' ? 'y' : 'x';
        verifyProblem(me(*m_client, parts[0] + '.' + parts[1] + '.' + signature), 401);

        const QJsonObject none{{QStringLiteral("alg"), QStringLiteral("none")}, {QStringLiteral("typ"), QStringLiteral("JWT")}};
        verifyProblem(me(*m_client, part(none) + '.' + parts[1] + '.'), 401);
        verifyProblem(me(*m_client, signWith({{QStringLiteral("alg"), QStringLiteral("HS512")}}, payload,
                                             QCryptographicHash::Sha512)), 401);

        QJsonObject otherIssuer = payload;
        otherIssuer.insert(QStringLiteral("iss"), QStringLiteral("not-flashsale"));
        verifyProblem(me(*m_client, signWith(hs256, otherIssuer, QCryptographicHash::Sha256)), 401);

        QJsonObject badSubject = payload;
        badSubject.insert(QStringLiteral("sub"), QStringLiteral("abc"));
        verifyProblem(me(*m_client, signWith(hs256, badSubject, QCryptographicHash::Sha256)), 401);
        QJsonObject badRole = payload;
        badRole.insert(QStringLiteral("role"), QStringLiteral("root"));
        verifyProblem(me(*m_client, signWith(hs256, badRole, QCryptographicHash::Sha256)), 401);

        // The real token still works after all that.
        QCOMPARE(me(*m_client, access).status, 200);
    }

    void refreshRotatesTokens()
    {
        const QJsonObject login = signUp(*m_client, QStringLiteral("rotate@example.com"));
        const QString first = login.value(QStringLiteral("refreshToken")).toString();
        QVERIFY(!first.isEmpty());
        const HttpResult r = m_client->post(QStringLiteral("/token"), refreshGrant(first));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
        const QString second = r.json().value(QStringLiteral("refreshToken")).toString();
        QCOMPARE(second.size(), 43);
        QVERIFY(second != first);
        const QByteArray access = r.json().value(QStringLiteral("accessToken")).toString().toUtf8();
        const HttpResult profile = me(*m_client, access);
        QCOMPARE(profile.status, 200);
        QCOMPARE(profile.json().value(QStringLiteral("email")).toString(), QStringLiteral("rotate@example.com"));
        const HttpResult third = m_client->post(QStringLiteral("/token"), refreshGrant(second));
        QCOMPARE(third.status, 200);
        QCOMPARE(me(*m_client, third.json().value(QStringLiteral("accessToken")).toString().toUtf8()).status, 200);

        // Only hashes are stored: the tokens themselves appear nowhere in the table.
        const QSqlDatabase db = m_server->server().database().connection();
        QSqlQuery rows = execOrThrow(db, QStringLiteral("SELECT token_hash, family, replaced_at FROM refresh_tokens "
                                                        "WHERE token_hash IN (?, ?)"),
                                     {QString::fromLatin1(QCryptographicHash::hash(first.toLatin1(), QCryptographicHash::Sha256).toHex()),
                                      QString::fromLatin1(QCryptographicHash::hash(second.toLatin1(), QCryptographicHash::Sha256).toHex())});
        QStringList families;
        while (rows.next()) {
            families.append(rows.value(1).toString());
            QVERIFY(!rows.value(2).isNull()); // both were replaced
        }
        QCOMPARE(families.size(), 2);
        QCOMPARE(families.at(0), families.at(1)); // one family
        QSqlQuery leak = execOrThrow(db, QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ? OR family = ?"),
                                     {first, first});
        QVERIFY(leak.next());
        QCOMPARE(leak.value(0).toInt(), 0);
    }

    void reusedRefreshTokenRevokesItsFamily()
    {
        const QJsonObject login = signUp(*m_client, QStringLiteral("reuse@example.com"));
        const QString first = login.value(QStringLiteral("refreshToken")).toString();
        // Another login of the same user: a family of its own, which must survive.
        const HttpResult otherLogin = m_client->post(QStringLiteral("/token"), passwordGrant(QStringLiteral("reuse@example.com")));
        const QString other = otherLogin.json().value(QStringLiteral("refreshToken")).toString();

        const HttpResult r2 = m_client->post(QStringLiteral("/token"), refreshGrant(first));
        QCOMPARE(r2.status, 200);
        const QString second = r2.json().value(QStringLiteral("refreshToken")).toString();
        const HttpResult r3 = m_client->post(QStringLiteral("/token"), refreshGrant(second));
        QCOMPARE(r3.status, 200);
        const QString newest = r3.json().value(QStringLiteral("refreshToken")).toString();

        const HttpResult replay = m_client->post(QStringLiteral("/token"), refreshGrant(first));
        verifyProblem(replay, 401);
        // The newest token of that family no longer works either, nor the replay again.
        verifyProblem(m_client->post(QStringLiteral("/token"), refreshGrant(newest)), 401);
        verifyProblem(m_client->post(QStringLiteral("/token"), refreshGrant(second)), 401);
        // The other login is untouched.
        QCOMPARE(m_client->post(QStringLiteral("/token"), refreshGrant(other)).status, 200);
        // And the user can still log in with the password.
        QCOMPARE(m_client->post(QStringLiteral("/token"), passwordGrant(QStringLiteral("reuse@example.com"))).status, 200);
    }

    void concurrentRefreshesWithOneTokenRotateOnce()
    {
        // Two refreshes with the same token at once: at most one may succeed.
        const QJsonObject login = signUp(*m_client, QStringLiteral("race@example.com"));
        const QString token = login.value(QStringLiteral("refreshToken")).toString();
        const QByteArray body = QJsonDocument(refreshGrant(token)).toJson(QJsonDocument::Compact);
        QNetworkAccessManager nam;
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 4; ++i) {
            QUrl url = m_server->baseUrl();
            url.setPath(QStringLiteral("/token"));
            QNetworkRequest request(url);
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            replies.append(nam.post(request, body));
        }
        for (QNetworkReply *reply : replies) {
            if (!reply->isFinished())
                QVERIFY(QTest::qWaitFor([reply] { return reply->isFinished(); }, 30000));
        }
        int ok = 0;
        QList<QString> issued;
        for (QNetworkReply *reply : replies) {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
            QVERIFY2(status == 200 || status == 401, qPrintable(QString::number(status)));
            if (status == 200) {
                ++ok;
                issued.append(o.value(QStringLiteral("refreshToken")).toString());
            }
            reply->deleteLater();
        }
        QVERIFY2(ok <= 1, qPrintable(QStringLiteral("%1 refreshes succeeded with one token").arg(ok)));
        // If any lost the race, it counted as reuse: the family, winner's token included, is dead.
        if (ok == 1)
            verifyProblem(m_client->post(QStringLiteral("/token"), refreshGrant(issued.first())), 401);
    }

    void createUserForOtherModules()
    {
        AccountsModule *accounts = m_server->server().module<AccountsModule>();
        QVERIFY(accounts);
        QString error;
        const qint64 id = accounts->createUser(QStringLiteral(" Seeded@Example.com"), QStringLiteral("seeded password"),
                                               QStringLiteral("Seeded"), QStringLiteral("shopper"), true, &error);
        QVERIFY2(id > 0, qPrintable(error));
        QCOMPARE(accounts->userIdByEmail(QStringLiteral("SEEDED@example.com ")), id);
        QCOMPARE(accounts->userIdByEmail(QStringLiteral("nobody-here@example.com")), qint64(0));
        QCOMPARE(accounts->createUser(QStringLiteral("seeded@example.com"), QStringLiteral("seeded password"),
                                      QStringLiteral("Again"), QStringLiteral("shopper"), false, &error), qint64(0));
        QVERIFY(error.contains(QLatin1String("exists")));
        error.clear();
        QCOMPARE(accounts->createUser(QStringLiteral("bad"), QStringLiteral("seeded password"), QStringLiteral("X"),
                                      QStringLiteral("shopper"), false, &error), qint64(0));
        QVERIFY(error.startsWith(QLatin1String("email")));
        error.clear();
        QCOMPARE(accounts->createUser(QStringLiteral("role@example.com"), QStringLiteral("seeded password"), QStringLiteral("X"),
                                      QStringLiteral("root"), false, &error), qint64(0));
        QVERIFY(error.contains(QLatin1String("role")));
        // On loopback, the demo admin is allowed.
        QVERIFY(!accounts->hasAdmin());
        const qint64 admin = accounts->createUser(DemoDefaults::AdminEmail, DemoDefaults::AdminPassword,
                                                  QStringLiteral("Demo admin"), QStringLiteral("admin"), true, &error);
        QVERIFY2(admin > 0, qPrintable(error));
        QVERIFY(accounts->hasAdmin());

        const QByteArray access = m_client->login(QStringLiteral("seeded@example.com"), QStringLiteral("seeded password"));
        QVERIFY(!access.isEmpty());
        const HttpResult profile = me(*m_client, access);
        QCOMPARE(profile.json().value(QStringLiteral("verified")).toBool(), true);
        const QByteArray adminAccess = m_client->login(DemoDefaults::AdminEmail, DemoDefaults::AdminPassword);
        QCOMPARE(me(*m_client, adminAccess).json().value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
    }

    void httpClientHelperWorks()
    {
        QVERIFY(!m_client->registerAndLogin(QStringLiteral("helper@example.com")).isEmpty());
    }

    void lockoutAfterRepeatedFailures()
    {
        auto server = startServer([](ServerConfig &c) {
            c.auth.maxFailedLogins = 3;
            c.auth.lockoutSeconds = 60;
        });
        QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
        HttpClient client(server->baseUrl());
        QCOMPARE(client.post(QStringLiteral("/users"), registration(QStringLiteral("lock@example.com"))).status, 202);
        for (int i = 0; i < 3; ++i)
            verifyProblem(client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("lock@example.com"),
                                                                              QStringLiteral("wrong password"))), 401);
        // Locked now: even the right password is refused, with the time to wait.
        const HttpResult locked = client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("lock@example.com")));
        verifyProblem(locked, 429);
        const int retryAfter = locked.header("retry-after").toInt();
        QVERIFY2(retryAfter >= 1 && retryAfter <= 60, locked.header("retry-after").constData());

        // An e-mail without an account behaves the same way.
        for (int i = 0; i < 3; ++i)
            verifyProblem(client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("ghost@example.com"),
                                                                              QStringLiteral("wrong password"))), 401);
        const HttpResult ghost = client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("ghost@example.com")));
        verifyProblem(ghost, 429);
        QVERIFY(!ghost.header("retry-after").isEmpty());
        for (const QString &key : {QStringLiteral("type"), QStringLiteral("title"), QStringLiteral("detail")})
            QCOMPARE(ghost.json().value(key), locked.json().value(key));

        // Failures must be in a row: a success starts the count again.
        QCOMPARE(client.post(QStringLiteral("/users"), registration(QStringLiteral("steady@example.com"))).status, 202);
        for (int round = 0; round < 3; ++round) {
            for (int i = 0; i < 2; ++i)
                verifyProblem(client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("steady@example.com"),
                                                                                  QStringLiteral("wrong password"))), 401);
            QCOMPARE(client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("steady@example.com"))).status, 200);
        }
        // The lock is in the database: it holds across a restart.
        server->stop();
        QVERIFY(server->start());
        HttpClient after(server->baseUrl());
        verifyProblem(after.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("lock@example.com"))), 429);
    }

    void perAddressLimitOnTokenRequests()
    {
        auto server = startServer([](ServerConfig &c) {
            c.auth.tokenRateLimitAttempts = 20;
            c.auth.tokenRateLimitWindowSeconds = 10;
        });
        QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
        HttpClient client(server->baseUrl());
        // Registering is not limited; 20 login attempts in 10 s are, whatever the e-mail.
        for (int i = 0; i < 20; ++i) {
            const HttpResult r = client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("stuff%1@example.com").arg(i),
                                                                                     QStringLiteral("guess guess")));
            QCOMPARE(r.status, 401);
        }
        QCOMPARE(client.post(QStringLiteral("/users"), registration(QStringLiteral("late@example.com"))).status, 202);
        const HttpResult limited = client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("late@example.com")));
        verifyProblem(limited, 429);
        const int retryAfter = limited.header("retry-after").toInt();
        QVERIFY2(retryAfter >= 1 && retryAfter <= 10, limited.header("retry-after").constData());
        // Refresh grants come through the same door.
        verifyProblem(client.post(QStringLiteral("/token"), refreshGrant(QStringLiteral("x"))), 429);
    }

    void expiredRefreshTokenIsRefused()
    {
        auto server = startServer([](ServerConfig &c) { c.auth.refreshTokenTtlSeconds = 1; });
        QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
        HttpClient client(server->baseUrl());
        const QJsonObject login = signUp(client, QStringLiteral("short@example.com"));
        const QString token = login.value(QStringLiteral("refreshToken")).toString();
        QVERIFY(!token.isEmpty());
        QTest::qSleep(1100);
        verifyProblem(client.post(QStringLiteral("/token"), refreshGrant(token)), 401);
    }

    void adminFromEnvironment()
    {
        QTemporaryDir dir;
        const auto useDir = [&dir](ServerConfig &c) { c.dataDir = dir.path(); };
        {
            // A shopper registers first...
            auto server = startServer(useDir);
            QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
            HttpClient client(server->baseUrl());
            QCOMPARE(client.post(QStringLiteral("/users"), registration(QStringLiteral("boss@example.com"))).status, 202);
        }
        {
            // ...and the operator names a new admin: created, with the role in the token.
            AdminEnvironment env("Root@Example.com", "a real admin password");
            auto server = startServer(useDir);
            QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
            QVERIFY(server->server().module<AccountsModule>()->hasAdmin());
            HttpClient client(server->baseUrl());
            const QByteArray access = client.login(QStringLiteral("root@example.com"), QStringLiteral("a real admin password"));
            QVERIFY(!access.isEmpty());
            const QJsonObject profile = me(client, access).json();
            QCOMPARE(profile.value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
            QCOMPARE(profile.value(QStringLiteral("verified")).toBool(), true);
        }
        {
            // An existing account named by the variables is promoted; its password stays.
            AdminEnvironment env("boss@example.com", "some other password");
            auto server = startServer(useDir);
            QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
            HttpClient client(server->baseUrl());
            QVERIFY(client.login(QStringLiteral("boss@example.com"), QStringLiteral("some other password")).isEmpty());
            const QByteArray access = client.login(QStringLiteral("boss@example.com"), Password);
            QCOMPARE(me(client, access).json().value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
        }
        {
            AdminEnvironment env("half@example.com", "");
            TestServer server(useDir);
            QVERIFY(!server.start());
            QVERIFY2(server.error().contains(QLatin1String("FLASHSALE_ADMIN_PASSWORD")), qPrintable(server.error()));
        }
        {
            AdminEnvironment env("weak@example.com", "short");
            TestServer server(useDir);
            QVERIFY(!server.start());
            QVERIFY2(server.error().contains(QLatin1String("at least 8")), qPrintable(server.error()));
        }
    }

    void signingKeyIsPrivateAndSurvivesRestarts()
    {
        QTemporaryDir dir;
        const auto useDir = [&dir](ServerConfig &c) { c.dataDir = dir.path(); };
        QByteArray access;
        QByteArray key;
        {
            auto server = startServer(useDir);
            QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
            HttpClient client(server->baseUrl());
            access = client.registerAndLogin(QStringLiteral("keep@example.com"));
            QVERIFY(!access.isEmpty());
            const QByteArray path = QFile::encodeName(dir.filePath(SigningKey::fileName()));
            struct stat st {};
            QCOMPARE(::stat(path.constData(), &st), 0);
            QCOMPARE(st.st_mode & 07777, mode_t(0600));
            QCOMPARE(qint64(st.st_size), qint64(SigningKey::KeyBytes));
            key = readSigningKey(dir.path());
            QVERIFY(key != QByteArray(SigningKey::KeyBytes, '\0'));
        }
        {
            auto server = startServer(useDir);
            QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
            HttpClient client(server->baseUrl());
            QCOMPARE(me(client, access).status, 200);
            QCOMPARE(readSigningKey(dir.path()), key);
        }
        // Another data folder means another key: the old token is refused there.
        QTemporaryDir elsewhere;
        auto other = startServer([&elsewhere](ServerConfig &c) { c.dataDir = elsewhere.path(); });
        QVERIFY2(other->error().isEmpty(), qPrintable(other->error()));
        QVERIFY(readSigningKey(elsewhere.path()) != key);
        HttpClient client(other->baseUrl());
        verifyProblem(me(client, access), 401);
    }

    void damagedSigningKeyStopsTheStart()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(SigningKey::fileName()));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("too short");
        file.close();
        TestServer server([&dir](ServerConfig &c) { c.dataDir = dir.path(); });
        QVERIFY(!server.start());
        QVERIFY2(server.error().contains(SigningKey::fileName()), qPrintable(server.error()));
    }

    void demoAdminPasswordRefusedBeyondLoopback()
    {
        QTemporaryDir dir;
        const auto beyondLoopback = [&dir](ServerConfig &c) {
            c.dataDir = dir.path();
            c.http.bind = QHostAddress::AnyIPv4;
            c.http.port = 0;
        };
        {
            // Asked to create the admin with the demo password while listening on 0.0.0.0.
            AdminEnvironment env(DemoDefaults::AdminEmail.latin1(), DemoDefaults::AdminPassword.latin1());
            TestServer server(beyondLoopback);
            QVERIFY(!server.start());
            QVERIFY2(server.error().contains(QLatin1String("FLASHSALE_ADMIN_PASSWORD")), qPrintable(server.error()));
        }
        {
            // On loopback the demo admin is fine (that is what the demo is for).
            AdminEnvironment env(DemoDefaults::AdminEmail.latin1(), DemoDefaults::AdminPassword.latin1());
            auto server = startServer([&dir](ServerConfig &c) { c.dataDir = dir.path(); });
            QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
            QVERIFY(server->server().module<AccountsModule>()->hasAdmin());
        }
        {
            // The same database, now beyond loopback: the existing demo admin stops the start.
            TestServer server(beyondLoopback);
            QVERIFY(!server.start());
            QVERIFY2(server.error().contains(QLatin1String("FLASHSALE_ADMIN_PASSWORD")), qPrintable(server.error()));
            QVERIFY2(server.error().contains(DemoDefaults::AdminEmail), qPrintable(server.error()));
        }
        {
            // Given a real password for that admin, the server starts, and the demo one is gone.
            AdminEnvironment env(DemoDefaults::AdminEmail.latin1(), "a real admin password");
            TestServer server(beyondLoopback);
            QVERIFY2(server.start(), qPrintable(server.error()));
            HttpClient client(server.baseUrl());
            QVERIFY(client.login(DemoDefaults::AdminEmail, DemoDefaults::AdminPassword).isEmpty());
            const QByteArray access = client.login(DemoDefaults::AdminEmail, QStringLiteral("a real admin password"));
            QCOMPARE(me(client, access).json().value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
            // And other modules cannot bring the demo admin back while listening there.
            QString error;
            QCOMPARE(server.server().module<AccountsModule>()->createUser(
                         QStringLiteral("second@example.com"), DemoDefaults::AdminPassword, QStringLiteral("X"),
                         QStringLiteral("admin"), true, &error), qint64(0));
            QVERIFY2(error.contains(QLatin1String("FLASHSALE_ADMIN_PASSWORD")), qPrintable(error));
        }
    }

    void sameFlowOnPostgres()
    {
        PostgresFixture pg;
        QString error;
        QVERIFY2(pg.start(&error), qPrintable(error));
        auto server = startServer([&pg](ServerConfig &c) {
            c.database.url = pg.url();
            c.auth.maxFailedLogins = 2;
        });
        QVERIFY2(server->error().isEmpty(), qPrintable(server->error()));
        registerLoginRefreshAndReuse(*server);
        // The lockout statement on PostgreSQL: the second failure locks.
        HttpClient client(server->baseUrl());
        for (int i = 0; i < 2; ++i)
            verifyProblem(client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("flow@example.com"),
                                                                              QStringLiteral("wrong again"))), 401);
        verifyProblem(client.post(QStringLiteral("/token"), passwordGrant(QStringLiteral("flow@example.com"))), 429);
        QCOMPARE(pg.psql(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE revoked = 1")), QStringLiteral("2"));
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_client;
};

QTEST_GUILESS_MAIN(TestAccounts)
#include "tst_accounts.moc"
