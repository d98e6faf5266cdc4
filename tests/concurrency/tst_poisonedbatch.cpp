// A bad record fails alone (issue 15, point 1). Honest shoppers, shoppers whose accounts
// were deleted after the server had seen them, and tokens of accounts that never existed
// purchase and join the waiting room at the same moment over real connections, so the
// poisoned records share group commits with honest ones. Every honest purchase is 202 and
// every honest join 201; a deleted account's records fail alone in the journal (503), and
// its retry is refused 401; a token of an account that never existed is refused 401
// before the journal. Then the database is audited. On SQLite and on PostgreSQL.
#include "accounts/jwt.h"
#include "accounts/signingkey.h"
#include "concurrentclient.h"
#include "invariants.h"
#include "postgresfixture.h"
#include "salefixture.h"
#include "storage/database.h"
#include "testserver.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QUuid>
#include <QtTest>

namespace {

RawRequest joinRequest(qint64 sale, const QByteArray &token)
{
    return RawRequest{"POST", "/sales/" + QByteArray::number(sale) + "/queue", {{"Authorization", "Bearer " + token}}, "{}"};
}

// A correctly signed access token for an account id the database never had.
QByteArray ghostToken(const QString &dataDir, qint64 userId)
{
    QByteArray key;
    QString error;
    if (!SigningKey::loadOrCreate(dataDir, &key, &error))
        return {};
    AccessClaims claims;
    claims.subject = QString::number(userId);
    claims.email = QStringLiteral("ghost-%1@shoppers.test").arg(userId);
    claims.role = QStringLiteral("shopper");
    claims.issuedAt = QDateTime::currentSecsSinceEpoch();
    claims.expiresAt = claims.issuedAt + 3600;
    claims.tokenId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    return JwtCodec(key, QStringLiteral("flashsale")).sign(claims);
}

} // namespace

class TestPoisonedBatch : public QObject
{
    Q_OBJECT

    void mixedBatches(const QString &databaseUrl)
    {
        constexpr int honestCount = 300;
        constexpr int deletedCount = 60;
        constexpr int ghostCount = 30;
        constexpr int units = 1000; // more than every honest shopper buys: any 409 would be false
        TestServer server([&](ServerConfig &c) {
            c.purchase.rateLimitSeconds = 0;
            c.waitingRoom.joinLimitPerAddress = 0; // every shopper comes from 127.0.0.1
            c.database.url = databaseUrl;
        });
        QVERIFY2(server.start(), qPrintable(server.error()));
        const QString url = databaseUrl.isEmpty() ? QStringLiteral("sqlite:") + server.dataDir() + QStringLiteral("/flashsale.db") : databaseUrl;
        HttpClient admin(server.baseUrl());
        admin.setBearer(SaleFixture::adminToken(admin));
        const qint64 product = SaleFixture::createProduct(admin, units);
        const qint64 sale = SaleFixture::scheduleSale(admin, product, units, 1).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(sale > 0);

        ConcurrentClient setup(QHostAddress::LocalHost, server.baseUrl().port(), 50);
        const QList<QByteArray> honest = SaleFixture::registerShoppers(setup, honestCount, QStringLiteral("honest"));
        const QList<QByteArray> deleted = SaleFixture::registerShoppers(setup, deletedCount, QStringLiteral("deleted"));
        for (const QByteArray &t : honest + deleted)
            QVERIFY(!t.isEmpty());
        // The server knows these accounts; now they go, behind its back. Their tokens stay valid.
        const QString deleteError = readDatabase(url, [](const QSqlDatabase &db) {
            const QString who = QStringLiteral("(SELECT user_id FROM users WHERE email LIKE 'deleted-%')");
            execOrThrow(db, QStringLiteral("DELETE FROM refresh_tokens WHERE user_id IN %1").arg(who));
            execOrThrow(db, QStringLiteral("DELETE FROM users WHERE email LIKE 'deleted-%'"));
        });
        QVERIFY2(deleteError.isEmpty(), qPrintable(deleteError));
        QList<QByteArray> ghosts;
        for (int i = 0; i < ghostCount; ++i) {
            ghosts.append(ghostToken(server.dataDir(), 900000000 + i));
            QVERIFY(!ghosts.last().isEmpty());
        }

        // Each shopper purchases and joins; all at once, in an order mixing the three kinds.
        enum Kind { Honest, Deleted, Ghost };
        struct Attempt
        {
            Kind kind;
            bool isJoin;
            int shopper;
        };
        QList<Attempt> attempts;
        for (int i = 0; i < honestCount; ++i)
            attempts << Attempt{Honest, false, i} << Attempt{Honest, true, i};
        for (int i = 0; i < deletedCount; ++i)
            attempts << Attempt{Deleted, false, i} << Attempt{Deleted, true, i};
        for (int i = 0; i < ghostCount; ++i)
            attempts << Attempt{Ghost, false, i} << Attempt{Ghost, true, i};
        QRandomGenerator random(15);
        std::shuffle(attempts.begin(), attempts.end(), random);
        auto tokenOf = [&](const Attempt &a) { return a.kind == Honest ? honest[a.shopper] : a.kind == Deleted ? deleted[a.shopper] : ghosts[a.shopper]; };
        auto requestOf = [&](const Attempt &a) {
            return a.isJoin ? joinRequest(sale, tokenOf(a))
                            : SaleFixture::purchase(sale, tokenOf(a), "poison-" + QByteArray::number(int(a.kind)) + '-' + QByteArray::number(a.shopper), 1);
        };
        QList<RawRequest> requests;
        for (const Attempt &a : attempts)
            requests.append(requestOf(a));
        ConcurrentClient crowd(QHostAddress::LocalHost, server.baseUrl().port(), 400);
        const QList<RawResponse> answers = crowd.run(requests);
        QCOMPARE(answers.size(), attempts.size());

        QSet<QString> accepted;
        QMap<QString, int> tally;
        QList<Attempt> deletedToRetry;
        for (int i = 0; i < answers.size(); ++i) {
            const Attempt &a = attempts[i];
            const RawResponse &r = answers[i];
            const QString what = QStringLiteral("%1 %2 #%3: %4 %5").arg(a.kind == Honest ? QStringLiteral("honest") : a.kind == Deleted ? QStringLiteral("deleted") : QStringLiteral("ghost"),
                                                                        a.isJoin ? QStringLiteral("join") : QStringLiteral("purchase")).arg(a.shopper).arg(r.status)
                                     .arg(QString::fromUtf8(r.body));
            tally[QStringLiteral("%1 %2 %3").arg(int(a.kind)).arg(a.isJoin).arg(r.status)]++;
            switch (a.kind) {
            case Honest:
                QVERIFY2(r.status == (a.isJoin ? 201 : 202), qPrintable(what));
                if (!a.isJoin)
                    accepted.insert(r.json().value(QStringLiteral("orderId")).toString());
                break;
            case Deleted:
                // Known to the server until the journal proves otherwise: fails alone (503),
                // or 401 once an earlier failure of the same account was checked.
                QVERIFY2(r.status == 503 || r.status == 401, qPrintable(what));
                deletedToRetry.append(a);
                break;
            case Ghost:
                QVERIFY2(r.status == 401, qPrintable(what)); // refused before the journal
                break;
            }
        }
        qInfo() << "answers (kind join status):" << tally;
        QCOMPARE(accepted.size(), honestCount);

        // The poisoned records really shared batches with honest ones: failed batches were split.
        HttpClient probe(server.baseUrl());
        qInfo() << "journal commit splits" << probe.metric("flashsale_journal_commit_splits")
                << "failures" << probe.metric("flashsale_journal_commit_failures_total");
        QVERIFY(probe.metric("flashsale_journal_commit_splits") > 0);

        // The retry a 503 asks for is refused 401: the server checked the account again.
        ConcurrentClient retry(QHostAddress::LocalHost, server.baseUrl().port(), 20);
        QDeadlineTimer deadline(10000);
        QList<Attempt> pending = deletedToRetry;
        while (!pending.isEmpty() && !deadline.hasExpired()) {
            QList<RawRequest> again;
            for (const Attempt &a : pending)
                again.append(requestOf(a));
            const QList<RawResponse> answersAgain = retry.run(again, 10000);
            QList<Attempt> still;
            for (int i = 0; i < answersAgain.size(); ++i) {
                QVERIFY2(answersAgain[i].status == 401 || answersAgain[i].status == 503,
                         qPrintable(QString::number(answersAgain[i].status) + QString::fromUtf8(answersAgain[i].body)));
                if (answersAgain[i].status != 401)
                    still.append(pending[i]);
            }
            pending = still;
            if (!pending.isEmpty())
                QTest::qWait(100);
        }
        QVERIFY2(pending.isEmpty(), qPrintable(QStringLiteral("%1 retries of deleted accounts not refused 401").arg(pending.size())));

        const SaleAudit audit = auditSale(url, sale, accepted);
        QVERIFY2(audit.violations.isEmpty(), qPrintable(audit.violations.join(QLatin1Char('\n'))));
        QCOMPARE(audit.reserved, qint64(honestCount));
        QCOMPARE(audit.reservations, qint64(honestCount));
        QCOMPARE(audit.available, qint64(units - honestCount));
        // Tickets: one per honest shopper, numbered 1..n without a gap.
        qint64 tickets = -1, lowest = -1, highest = -1;
        const QString ticketError = readDatabase(url, [&](const QSqlDatabase &db) {
            QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT COUNT(*), MIN(ticket), MAX(ticket) FROM waiting_room_tickets WHERE sale_id = ?"),
                                      {sale});
            q.next();
            tickets = q.value(0).toLongLong();
            lowest = q.value(1).toLongLong();
            highest = q.value(2).toLongLong();
        });
        QVERIFY2(ticketError.isEmpty(), qPrintable(ticketError));
        QCOMPARE(tickets, qint64(honestCount));
        QCOMPARE(lowest, 1);
        QCOMPARE(highest, qint64(honestCount));
    }

private Q_SLOTS:
    void initTestCase() { SaleFixture::provideAdminFromEnvironment(); }

    void sqlite() { mixedBatches(QString()); }

    void postgres() { PostgresFixture::runOnFresh([this](const QString &url) { mixedBatches(url); }); }
};

QTEST_GUILESS_MAIN(TestPoisonedBatch)
#include "tst_poisonedbatch.moc"
