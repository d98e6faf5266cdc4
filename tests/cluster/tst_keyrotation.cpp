// Issue 15, point 6: rotating a key is a documented operation that signs no one out. The
// access tokens' key (jwt-signing) is rotated exactly as docs/reliability.md ("Signing keys
// and their rotation") says, its SQL read from that page, on two real nodes sharing one
// PostgreSQL, each step followed by a rolling restart:
//   1. accept the new key everywhere, still sign with the old one;
//   2. sign with the new key, still accept the old one;
//   3. accept the new key only.
// A shopper signed in before the rotation stays signed in: after each node's restart in
// steps 1 and 2 their first access token works on both nodes, and at every restart their
// refresh token refreshes. Tokens signed after step 2 use the new key and verify on both
// nodes, the one not restarted yet included; after step 3 the old key's tokens are refused
// by both, and the shopper's refreshed token is accepted by both.
// The waiting room's key (admission tokens) is rotated by the same statements with its
// name, on two nodes whose sales require the waiting room: a shopper admitted before the
// rotation buys with that admission token on both nodes after every restart of steps 1
// and 2, and with one a restarted node handed out; after step 3 the old key's admission
// is refused by both, and the admission the shopper is handed then buys on both.
#include "accounts/jwt.h"
#include "accounts/signingkey.h"
#include "clusterfixture.h"
#include "salefixture.h"
#include "storage/database.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QUuid>
#include <QtTest>

namespace {

const QString email = QStringLiteral("rotation@keys.test");
const QString password = QStringLiteral("correct horse 42");
const QString placeholder = QStringLiteral("<new key, base64>");

// The documented statements that rotate `key` (as written for jwt-signing, whose name
// they then carry), in order, from docs/reliability.md.
QStringList documentedRotation(QString *error, const QString &key = QStringLiteral("jwt-signing"))
{
    QFile f(qEnvironmentVariable("FLASHSALE_SOURCE_DIR") + QStringLiteral("/docs/reliability.md"));
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1 (FLASHSALE_SOURCE_DIR): %2").arg(f.fileName(), f.errorString());
        return {};
    }
    const QString text = QString::fromUtf8(f.readAll());
    const qsizetype from = text.indexOf(QStringLiteral("## Signing keys and their rotation"));
    if (from < 0) {
        *error = QStringLiteral("docs/reliability.md has no section \"Signing keys and their rotation\"");
        return {};
    }
    const qsizetype to = text.indexOf(QStringLiteral("\n## "), from + 1);
    static const QRegularExpression statement(QStringLiteral("`(UPDATE shared_keys [^`]*'jwt-signing'[^`]*)`"));
    QStringList steps;
    for (auto it = statement.globalMatch(text.mid(from, to < 0 ? -1 : to - from)); it.hasNext();)
        steps << it.next().captured(1).replace(QStringLiteral("'jwt-signing'"), QLatin1Char('\'') + key + QLatin1Char('\''));
    return steps;
}

QUrl nodeUrl(ClusterFixture &cluster, int index)
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(cluster.nodePort(index)));
}

struct Session
{
    QByteArray accessToken;
    QString refreshToken;
};

// POST /token with a grant; the new session, or an empty one.
Session grant(const QUrl &node, const QJsonObject &body)
{
    const HttpResult r = HttpClient(node).post(QStringLiteral("/token"), body);
    if (r.status != 200) {
        qWarning("POST /token answered %d: %s", r.status, r.body.constData());
        return {};
    }
    return {r.json().value(QStringLiteral("accessToken")).toString().toUtf8(), r.json().value(QStringLiteral("refreshToken")).toString()};
}

bool refresh(const QUrl &node, Session *session)
{
    const Session next = grant(node, {{QStringLiteral("grantType"), QStringLiteral("refresh_token")},
                                      {QStringLiteral("refreshToken"), session->refreshToken}});
    if (next.accessToken.isEmpty())
        return false;
    *session = next;
    return true;
}

int profileStatus(const QUrl &node, const QByteArray &accessToken)
{
    HttpClient c(node);
    c.setBearer(accessToken);
    return c.get(QStringLiteral("/user/me")).status;
}

QByteArray publishedKey(const QString &databaseUrl, const QString &name)
{
    Database database(DatabaseUrl::parse(databaseUrl));
    QSqlQuery q = execOrThrow(database.connection(), QStringLiteral("SELECT key_material FROM shared_keys WHERE name = ?"), {name});
    return q.next() ? QByteArray::fromBase64(q.value(0).toString().toLatin1()) : QByteArray();
}

QByteArray randomKey()
{
    QByteArray key;
    for (int i = 0; i < SigningKey::KeyBytes; ++i)
        key.append(char(QRandomGenerator::system()->bounded(256)));
    return key;
}

// Runs the documented statement of one step with `newKey` in place of the placeholder.
void runRotationStep(const QString &databaseUrl, const QString &statement, const QByteArray &newKey)
{
    QString sql = statement;
    sql.replace(placeholder, QString::fromLatin1(newKey.toBase64()));
    qInfo().noquote() << "rotation step:" << statement;
    Database database(DatabaseUrl::parse(databaseUrl));
    execOrThrow(database.connection(), sql);
}

// The admission token the node hands the owner of `ticket` (empty until admitted).
QByteArray admissionFrom(const QUrl &node, const QByteArray &accessToken, qint64 sale, qint64 ticket)
{
    HttpClient c(node);
    c.setBearer(accessToken);
    QDeadlineTimer deadline(20000);
    for (;;) {
        const QString admission = c.get(QStringLiteral("/sales/%1/queue/%2").arg(sale).arg(ticket)).json().value(QStringLiteral("admissionToken")).toString();
        if (!admission.isEmpty() || deadline.hasExpired())
            return admission.toLatin1();
        QTest::qWait(100);
    }
}

bool signedWith(const QByteArray &token, const QByteArray &key)
{
    AccessClaims claims;
    return JwtCodec(key, QStringLiteral("flashsale")).verify(token, QDateTime::currentSecsSinceEpoch(), &claims) == JwtCodec::Failure::None;
}

} // namespace

class TestKeyRotation : public QObject
{
    Q_OBJECT

    // GET /user/me with the token on every node; true if each answers `status`.
    bool everyNodeAnswers(const QByteArray &accessToken, int status)
    {
        for (int n = 0; n < m_cluster.nodeCount(); ++n) {
            const int got = profileStatus(nodeUrl(m_cluster, n), accessToken);
            if (got != status) {
                qWarning("node %d answered %d, not %d", n + 1, got, status);
                return false;
            }
        }
        return true;
    }

    // One restart of a rolling restart: node `n` restarts, then the shopper refreshes
    // there; the new access token must be signed with `signingKey` and accepted by every
    // node. Returns what is wrong, or nothing.
    QString restartAndRefresh(int n, Session *shopper, const QByteArray &signingKey)
    {
        QString error;
        if (!m_cluster.restartNode(n, &error))
            return error;
        if (!refresh(nodeUrl(m_cluster, n), shopper))
            return QStringLiteral("node %1 refused the refresh token").arg(n + 1);
        if (!signedWith(shopper->accessToken, signingKey))
            return QStringLiteral("node %1 signed with another key than expected").arg(n + 1);
        if (!everyNodeAnswers(shopper->accessToken, 200))
            return QStringLiteral("a token from node %1 is not accepted everywhere").arg(n + 1);
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        QString error;
        QVERIFY2(m_cluster.start(&error), qPrintable(error));
    }

    void theDocumentedRotationSignsNoOneOut()
    {
        QString error;
        const QStringList steps = documentedRotation(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(steps.size(), 3);
        const QByteArray oldKey = publishedKey(m_cluster.databaseUrl(), QStringLiteral("jwt-signing"));
        QCOMPARE(oldKey.size(), SigningKey::KeyBytes);
        const QByteArray newKey = randomKey();
        const auto runStep = [&](int step) { runRotationStep(m_cluster.databaseUrl(), steps[step], newKey); };

        // Signed in before the rotation, on node 1: the old key signs.
        const QUrl one = nodeUrl(m_cluster, 0);
        QCOMPARE(HttpClient(one).post(QStringLiteral("/users"), {{QStringLiteral("email"), email}, {QStringLiteral("password"), password},
                                                                  {QStringLiteral("name"), QStringLiteral("Rotation Shopper")}}).status, 202);
        Session shopper = grant(one, {{QStringLiteral("username"), email}, {QStringLiteral("password"), password}});
        const QByteArray before = shopper.accessToken;
        QVERIFY(signedWith(before, oldKey));
        QVERIFY(everyNodeAnswers(before, 200));

        // 1. The new key is accepted everywhere; the old one still signs.
        QVERIFY(steps[0].contains(placeholder));
        runStep(0);
        for (int n = 0; n < m_cluster.nodeCount(); ++n) {
            QCOMPARE(restartAndRefresh(n, &shopper, oldKey), QString());
            QVERIFY2(everyNodeAnswers(before, 200), qPrintable(QStringLiteral("step 1, node %1 restarted").arg(n + 1)));
        }

        // 2. The new key signs; the old one is still accepted. A token from the first node
        //    restarted is good on the second before its restart (it accepts the new key
        //    since step 1).
        QVERIFY(steps[1].contains(placeholder));
        runStep(1);
        for (int n = 0; n < m_cluster.nodeCount(); ++n) {
            QCOMPARE(restartAndRefresh(n, &shopper, newKey), QString());
            QVERIFY2(everyNodeAnswers(before, 200), qPrintable(QStringLiteral("step 2, node %1 restarted").arg(n + 1)));
        }
        const Session signedInDuring = grant(nodeUrl(m_cluster, 1), {{QStringLiteral("username"), email}, {QStringLiteral("password"), password}});
        QVERIFY(signedWith(signedInDuring.accessToken, newKey));
        QVERIFY(everyNodeAnswers(signedInDuring.accessToken, 200));

        // 3. Only the new key is accepted: tokens of the old one are refused everywhere, the
        //    shopper refreshes into a token every node accepts.
        runStep(2);
        for (int n = 0; n < m_cluster.nodeCount(); ++n) {
            QCOMPARE(restartAndRefresh(n, &shopper, newKey), QString());
            QCOMPARE(profileStatus(nodeUrl(m_cluster, n), before), 401);
        }
        QVERIFY(everyNodeAnswers(before, 401));
        // Not only that one token: anything the old key signs now, fresh as it is.
        AccessClaims claims;
        QCOMPARE(JwtCodec(newKey, QStringLiteral("flashsale")).verify(shopper.accessToken, QDateTime::currentSecsSinceEpoch(), &claims),
                 JwtCodec::Failure::None);
        claims.issuedAt = QDateTime::currentSecsSinceEpoch();
        claims.tokenId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        QVERIFY(everyNodeAnswers(JwtCodec(oldKey, QStringLiteral("flashsale")).sign(claims), 401));
        QVERIFY(everyNodeAnswers(JwtCodec(newKey, QStringLiteral("flashsale")).sign(claims), 200));
    }

    void theWaitingRoomKeyRotatesWithoutLosingAnAdmission()
    {
        ClusterFixture cluster(2, "[purchase]\nrateLimitSeconds=0\n"
                                  "[auth]\nargon2OpsLimit=1\nargon2MemLimitKiB=8\ntokenRateLimitAttempts=0\nregistrationRateLimitAttempts=0\n"
                                  "[waitingRoom]\nrequired=true\njoinLimitPerAddress=0\nadmissionIntervalMs=100\n"
                                  "[payments]\nsimulatedLatencyMs=5\n");
        QString error;
        QVERIFY2(cluster.start(&error), qPrintable(error));
        const QStringList steps = documentedRotation(&error, QStringLiteral("waiting-room"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(steps.size(), 3);
        QVERIFY(steps[0].contains(QLatin1String("'waiting-room'")));
        QCOMPARE(publishedKey(cluster.databaseUrl(), QStringLiteral("waiting-room")).size(), SigningKey::KeyBytes);
        const QByteArray newKey = randomKey();

        const QUrl one = nodeUrl(cluster, 0);
        HttpClient admin(one);
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 100);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, 100, 20).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);
        // Node 2 learns of the sale from the database a moment later.
        for (int n = 0; n < cluster.nodeCount(); ++n)
            QTRY_COMPARE_WITH_TIMEOUT(HttpClient(nodeUrl(cluster, n)).get(QStringLiteral("/sales/%1").arg(sale)).status, 200, 20000);
        HttpClient shopperOnOne(one);
        const QByteArray access = shopperOnOne.registerAndLogin(QStringLiteral("admitted@rotation.test"));
        QVERIFY(!access.isEmpty());
        shopperOnOne.setBearer(access);
        const HttpResult joined = shopperOnOne.post(QStringLiteral("/sales/%1/queue").arg(sale), QJsonObject{});
        QVERIFY2(joined.status == 201, joined.body.constData());
        const qint64 ticket = joined.json().value(QStringLiteral("ticket")).toInteger();
        const QByteArray before = admissionFrom(one, access, sale, ticket);
        QVERIFY2(!before.isEmpty(), "not admitted within 20 s");

        int purchase = 0;
        // Buys one unit on each node with `admission`; the statuses, e.g. "202 202".
        const auto buyEverywhere = [&](const QByteArray &admission) {
            QStringList statuses;
            for (int n = 0; n < cluster.nodeCount(); ++n) {
                HttpClient c(nodeUrl(cluster, n));
                c.setBearer(access);
                statuses << QString::number(c.request("POST", QStringLiteral("/sales/%1/purchase").arg(sale), "{\"quantity\":1}",
                                                      {{"Idempotency-Key", "rotation-" + QByteArray::number(++purchase)},
                                                       {"Admission-Token", admission}}).status);
            }
            return statuses.join(QLatin1Char(' '));
        };
        QCOMPARE(buyEverywhere(before), QStringLiteral("202 202"));

        // 1. The new key is accepted everywhere, the old one still signs.
        runRotationStep(cluster.databaseUrl(), steps[0], newKey);
        for (int n = 0; n < cluster.nodeCount(); ++n) {
            QVERIFY2(cluster.restartNode(n, &error), qPrintable(error));
            QCOMPARE(buyEverywhere(before), QStringLiteral("202 202"));
        }
        // 2. The new key signs, the old one is still accepted: an admission handed out by
        //    the node restarted first is good on the other before its own restart.
        runRotationStep(cluster.databaseUrl(), steps[1], newKey);
        for (int n = 0; n < cluster.nodeCount(); ++n) {
            QVERIFY2(cluster.restartNode(n, &error), qPrintable(error));
            QCOMPARE(buyEverywhere(before), QStringLiteral("202 202"));
            const QByteArray handed = admissionFrom(nodeUrl(cluster, n), access, sale, ticket);
            QVERIFY(!handed.isEmpty());
            QVERIFY2(handed != before, "the restarted node still signs with the old key");
            QCOMPARE(buyEverywhere(handed), QStringLiteral("202 202"));
        }
        // 3. Only the new key: the old admission is refused everywhere, a fresh one buys.
        runRotationStep(cluster.databaseUrl(), steps[2], newKey);
        for (int n = 0; n < cluster.nodeCount(); ++n)
            QVERIFY2(cluster.restartNode(n, &error), qPrintable(error));
        const QString refused = buyEverywhere(before);
        QVERIFY2(refused == QStringLiteral("403 403"), qPrintable(refused));
        QCOMPARE(buyEverywhere(admissionFrom(nodeUrl(cluster, 1), access, sale, ticket)), QStringLiteral("202 202"));
    }

private:
    ClusterFixture m_cluster{2, ClusterFixture::defaultIni()};
};

QTEST_GUILESS_MAIN(TestKeyRotation)
#include "tst_keyrotation.moc"
