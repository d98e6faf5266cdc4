// The refresh token's reuse interval against a real server: two tabs refreshing with the
// same token at the same moment both get the same new refresh token and stay signed in;
// a reuse after the interval still revokes the whole family; with the interval at 0 the
// first reuse revokes, as before.
#include "concurrentclient.h"
#include "httpclient.h"
#include "testserver.h"

#include <QJsonDocument>
#include <QtTest>

namespace {

QJsonObject refreshGrant(const QString &refreshToken)
{
    return {{QStringLiteral("grantType"), QStringLiteral("refresh_token")}, {QStringLiteral("refreshToken"), refreshToken}};
}

RawRequest refreshRequest(const QString &refreshToken)
{
    RawRequest r;
    r.method = "POST";
    r.path = "/token";
    r.headers = {{"Content-Type", "application/json"}};
    r.body = QJsonDocument(refreshGrant(refreshToken)).toJson(QJsonDocument::Compact);
    return r;
}

QString signUp(HttpClient &client, const QString &email)
{
    const QString password = QStringLiteral("correct horse 42");
    if (client.post(QStringLiteral("/users"), {{QStringLiteral("email"), email}, {QStringLiteral("password"), password},
                                               {QStringLiteral("name"), QStringLiteral("Two Tabs")}}).status != 202)
        return {};
    const HttpResult login = client.post(QStringLiteral("/token"), {{QStringLiteral("username"), email}, {QStringLiteral("password"), password}});
    return login.json().value(QStringLiteral("refreshToken")).toString();
}

int meStatus(HttpClient &client, const QString &accessToken)
{
    return client.get(QStringLiteral("/user/me"), {{"Authorization", "Bearer " + accessToken.toUtf8()}}).status;
}

} // namespace

class TestRefreshReuse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>([](ServerConfig &c) { c.auth.refreshReuseIntervalSeconds = 2; });
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_client = std::make_unique<HttpClient>(m_server->baseUrl());
    }

    void twoTabsRefreshingAtOnceGetTheSamePair()
    {
        const QString first = signUp(*m_client, QStringLiteral("tabs@example.com"));
        QCOMPARE(first.size(), 43);
        // Both requests leave at the same moment, on two connections.
        ConcurrentClient tabs(QHostAddress::LocalHost, quint16(m_server->baseUrl().port()), 2);
        const QList<RawResponse> answers = tabs.run({refreshRequest(first), refreshRequest(first)}, 20000);
        QCOMPARE(answers.size(), 2);
        QCOMPARE(answers.at(0).status, 200);
        QCOMPARE(answers.at(1).status, 200);
        const QString a = answers.at(0).json().value(QStringLiteral("refreshToken")).toString();
        const QString b = answers.at(1).json().value(QStringLiteral("refreshToken")).toString();
        QCOMPARE(a.size(), 43);
        QCOMPARE(a, b);
        QVERIFY(a != first);
        QCOMPARE(meStatus(*m_client, answers.at(0).json().value(QStringLiteral("accessToken")).toString()), 200);
        QCOMPARE(meStatus(*m_client, answers.at(1).json().value(QStringLiteral("accessToken")).toString()), 200);
        // The family lives on: the new token rotates as usual.
        const HttpResult next = m_client->post(QStringLiteral("/token"), refreshGrant(a));
        QCOMPARE(next.status, 200);
        QVERIFY(next.json().value(QStringLiteral("refreshToken")).toString() != a);
    }

    void aLostAnswerIsAnsweredAgain()
    {
        const QString first = signUp(*m_client, QStringLiteral("lost@example.com"));
        const HttpResult rotated = m_client->post(QStringLiteral("/token"), refreshGrant(first));
        QCOMPARE(rotated.status, 200);
        // The client never saw that answer and sends the same token again.
        const HttpResult again = m_client->post(QStringLiteral("/token"), refreshGrant(first));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(QStringLiteral("refreshToken")), rotated.json().value(QStringLiteral("refreshToken")));
        QCOMPARE(again.header("cache-control"), QByteArray("no-store"));
    }

    void aLaterReuseStillRevokesTheFamily()
    {
        const QString first = signUp(*m_client, QStringLiteral("thief@example.com"));
        const HttpResult rotated = m_client->post(QStringLiteral("/token"), refreshGrant(first));
        QCOMPARE(rotated.status, 200);
        const QString next = rotated.json().value(QStringLiteral("refreshToken")).toString();
        QTest::qWait(2600); // past the 2 s interval
        const HttpResult reuse = m_client->post(QStringLiteral("/token"), refreshGrant(first));
        QCOMPARE(reuse.status, 401);
        QVERIFY(reuse.isProblem());
        QCOMPARE(m_client->post(QStringLiteral("/token"), refreshGrant(next)).status, 401); // family revoked
    }

    void withoutAnIntervalTheFirstReuseRevokes()
    {
        TestServer strict([](ServerConfig &c) { c.auth.refreshReuseIntervalSeconds = 0; });
        QVERIFY2(strict.start(), qPrintable(strict.error()));
        HttpClient client(strict.baseUrl());
        const QString first = signUp(client, QStringLiteral("strict@example.com"));
        const HttpResult rotated = client.post(QStringLiteral("/token"), refreshGrant(first));
        QCOMPARE(rotated.status, 200);
        QCOMPARE(client.post(QStringLiteral("/token"), refreshGrant(first)).status, 401);
        QCOMPARE(client.post(QStringLiteral("/token"), refreshGrant(rotated.json().value(QStringLiteral("refreshToken")).toString())).status, 401);
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

QTEST_MAIN(TestRefreshReuse)
#include "tst_refreshreuse.moc"
