// Issue 15, point 6: a node joins a cluster with nothing copied by hand. Two nodes on one
// PostgreSQL, each with a data folder of its own (ClusterFixture copies nothing): their
// key files differ, yet an access token issued by either node is accepted by the other,
// and an admission token from node 1's waiting room buys on node 2, because every node
// signs with the keys the first one published in the database (SharedKey). A token signed
// with node 2's own key file, which was never shared, is refused by both.
// The nodes' heartbeat is slow here (4 s), so node 2 has not learned the sale node 1 just
// created when the admitted shopper comes to buy: it must look it up then, not answer 404
// (the race CI once lost with the usual 200 ms heartbeat); nor may its waiting room, or
// the sale's own page.
#include "accounts/jwt.h"
#include "accounts/signingkey.h"
#include "clusterfixture.h"
#include "salefixture.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QUuid>
#include <QtTest>

namespace {

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QUrl nodeUrl(ClusterFixture &cluster, int index)
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(cluster.nodePort(index)));
}

} // namespace

class TestSharedKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        SaleFixture::provideAdminFromEnvironment();
        m_cluster.setHeartbeat(4000, 20);
        QString error;
        QVERIFY2(m_cluster.start(&error), qPrintable(error));
    }

    void nothingCopiedYetTokensCross()
    {
        // Each node made its own key files: nothing was copied.
        for (const QString &name : {QStringLiteral("jwt-signing.key"), QStringLiteral("waiting-room.key")}) {
            const QByteArray first = fileBytes(QDir(m_cluster.node(0).dataDir()).filePath(name));
            const QByteArray second = fileBytes(QDir(m_cluster.node(1).dataDir()).filePath(name));
            QVERIFY2(!first.isEmpty() && !second.isEmpty(), qPrintable(name));
            QVERIFY2(first != second, qPrintable(name));
        }

        HttpClient one(nodeUrl(m_cluster, 0));
        HttpClient two(nodeUrl(m_cluster, 1));
        const QByteArray fromOne = one.registerAndLogin(QStringLiteral("crossing@keys.test"));
        QVERIFY(!fromOne.isEmpty());
        two.setBearer(fromOne);
        QCOMPARE(two.get(QStringLiteral("/user/me")).status, 200);
        const QByteArray fromTwo = two.login(QStringLiteral("crossing@keys.test"), QStringLiteral("correct horse 42"));
        QVERIFY(!fromTwo.isEmpty());
        one.setBearer(fromTwo);
        QCOMPARE(one.get(QStringLiteral("/user/me")).status, 200);

        // A token signed with node 2's own file (never published) is good nowhere: the
        // nodes really verify with the shared key, not with whatever their folder holds.
        QByteArray ownKey;
        QString error;
        QVERIFY2(SigningKey::loadOrCreate(m_cluster.node(1).dataDir(), &ownKey, &error), qPrintable(error));
        AccessClaims claims;
        claims.subject = QStringLiteral("1");
        claims.email = SaleFixture::adminEmail;
        claims.role = QStringLiteral("admin");
        claims.issuedAt = QDateTime::currentSecsSinceEpoch();
        claims.expiresAt = claims.issuedAt + 600;
        claims.tokenId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QByteArray forged = JwtCodec(ownKey, QStringLiteral("flashsale")).sign(claims);
        for (int n = 0; n < 2; ++n) {
            HttpClient c(nodeUrl(m_cluster, n));
            c.setBearer(forged);
            QCOMPARE(c.get(QStringLiteral("/user/me")).status, 401);
        }
    }

    void admissionFromOneNodeBuysOnTheOther()
    {
        const qint64 sale = saleMadeOnNodeOne();
        QVERIFY(sale > 0);

        HttpClient one(nodeUrl(m_cluster, 0));
        const QByteArray token = one.registerAndLogin(QStringLiteral("admitted@keys.test"));
        one.setBearer(token);
        const HttpResult joined = one.post(QStringLiteral("/sales/%1/queue").arg(sale), QJsonObject{});
        QVERIFY2(joined.status == 201, joined.body.constData());
        const qint64 ticket = joined.json().value(QStringLiteral("ticket")).toInteger();
        QString admission;
        QDeadlineTimer deadline(20000);
        while (admission.isEmpty() && !deadline.hasExpired()) {
            admission = one.get(QStringLiteral("/sales/%1/queue/%2").arg(sale).arg(ticket)).json().value(QStringLiteral("admissionToken")).toString();
            if (admission.isEmpty())
                QTest::qWait(100);
        }
        QVERIFY2(!admission.isEmpty(), "not admitted within 20 s");

        HttpClient two(nodeUrl(m_cluster, 1));
        two.setBearer(token);
        const HttpResult bought = two.request("POST", QStringLiteral("/sales/%1/purchase").arg(sale), "{\"quantity\":1}",
                                              {{"Idempotency-Key", "keys-1"}, {"Admission-Token", admission.toLatin1()}});
        QVERIFY2(bought.status == 202, bought.body.constData());
        // And a made-up admission token is still refused there.
        const HttpResult refused = two.request("POST", QStringLiteral("/sales/%1/purchase").arg(sale), "{\"quantity\":1}",
                                               {{"Idempotency-Key", "keys-2"}, {"Admission-Token", "not-a-token"}});
        QCOMPARE(refused.status, 403);
    }

    void aSaleJustOpenedElsewhereIsServedHere()
    {
        // Node 2 has not read the sales table since node 1 created this sale (its heartbeat
        // is 4 s). The page a shopper opens asks for the sale, a challenge, a ticket and
        // the ticket's status: none of them may answer "no such sale".
        const qint64 sale = saleMadeOnNodeOne();
        QVERIFY(sale > 0);

        HttpClient two(nodeUrl(m_cluster, 1));
        two.setBearer(two.registerAndLogin(QStringLiteral("early@keys.test")));
        const HttpResult shown = two.get(QStringLiteral("/sales/%1").arg(sale));
        QVERIFY2(shown.status == 200, shown.body.constData());
        QCOMPARE(shown.json().value(QStringLiteral("saleId")).toInteger(), sale);
        const HttpResult challenge = two.get(QStringLiteral("/sales/%1/queue/challenge").arg(sale));
        QVERIFY2(challenge.status == 200, challenge.body.constData());
        const HttpResult joined = two.post(QStringLiteral("/sales/%1/queue").arg(sale), QJsonObject{});
        QVERIFY2(joined.status == 201, joined.body.constData());
        const qint64 ticket = joined.json().value(QStringLiteral("ticket")).toInteger();
        const HttpResult status = two.get(QStringLiteral("/sales/%1/queue/%2").arg(sale).arg(ticket));
        QVERIFY2(status.status == 200, status.body.constData());

        // A sale that exists nowhere is still 404, on a node that looked and on one that
        // need not look (an id below the newest it knows), and a malformed id too.
        for (const QString &path : {QStringLiteral("/sales/%1").arg(sale + 1000), QStringLiteral("/sales/%1/queue/1").arg(sale + 1000),
                                    QStringLiteral("/sales/0/queue/challenge"), QStringLiteral("/sales/x")}) {
            const HttpResult missing = two.get(path);
            QVERIFY2(missing.status == 404, qPrintable(path + QStringLiteral(": ") + QString::fromUtf8(missing.body)));
        }
    }

private:
    // A sale of 10 units, 1 per shopper, open now, created through node 1.
    qint64 saleMadeOnNodeOne()
    {
        HttpClient admin(nodeUrl(m_cluster, 0));
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, 10);
        return SaleFixture::scheduleSale(admin, product, 10, 1).value(QStringLiteral("saleId")).toInteger();
    }

    ClusterFixture m_cluster{2, "[purchase]\nrateLimitSeconds=0\n"
                                "[auth]\nargon2OpsLimit=1\nargon2MemLimitKiB=8\ntokenRateLimitAttempts=0\nregistrationRateLimitAttempts=0\nhashingQueue=4096\n"
                                "[waitingRoom]\nrequired=true\njoinLimitPerAddress=0\nadmissionIntervalMs=100\n"
                                "[payments]\nsimulatedLatencyMs=5\n"};
};

QTEST_MAIN(TestSharedKeys)
#include "tst_sharedkeys.moc"
