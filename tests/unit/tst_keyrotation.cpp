// Key sharing and rotation (issue 15, point 6), without a server: SharedKey publishes the
// first node's key and hands it to every later node, and lists the keys still accepted
// during a rotation; JwtCodec verifies tokens signed with an accepted key and signs new
// ones with the current key only.
#include "accounts/jwt.h"
#include "storage/database.h"
#include "storage/migrator.h"
#include "storage/sharedkey.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

class TestKeyRotation : public QObject
{
    Q_OBJECT

    static AccessClaims claims()
    {
        AccessClaims c;
        c.subject = QStringLiteral("7");
        c.email = QStringLiteral("seven@keys.test");
        c.role = QStringLiteral("shopper");
        c.issuedAt = QDateTime::currentSecsSinceEpoch();
        c.expiresAt = c.issuedAt + 600;
        c.tokenId = QStringLiteral("t-1");
        return c;
    }

private Q_SLOTS:
    void firstNodePublishesLaterNodesAdopt()
    {
        QTemporaryDir dir;
        Database db(DatabaseUrl::parse(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("k.db"))));
        QString error;
        Migrator migrator(db);
        QVERIFY2(migrator.migrate(&error), qPrintable(error));
        const QByteArray first(32, 'a');
        const QByteArray second(32, 'b');
        const SharedKey one = SharedKey::adopt(db.connection(), QStringLiteral("jwt-signing"), first, 1);
        QCOMPARE(one.key, first);
        QVERIFY(!one.adopted);
        const SharedKey two = SharedKey::adopt(db.connection(), QStringLiteral("jwt-signing"), second, 2);
        QCOMPARE(two.key, first); // the published key, not its own
        QVERIFY(two.adopted);
        QVERIFY(two.accepted.isEmpty());

        // Rotation, step 1: the next key is accepted everywhere while the old one still signs.
        const QByteArray next(32, 'n');
        execOrThrow(db.connection(), QStringLiteral("UPDATE shared_keys SET accepted = ? WHERE name = ?"),
                    {QString::fromLatin1(next.toBase64()), QStringLiteral("jwt-signing")});
        const SharedKey during = SharedKey::adopt(db.connection(), QStringLiteral("jwt-signing"), second, 3);
        QCOMPARE(during.key, first);
        QCOMPARE(during.accepted, QList<QByteArray>{next});
    }

    void acceptedKeysVerifyButDoNotSign()
    {
        const QByteArray oldKey(32, 'o');
        const QByteArray newKey(32, 'n');
        const QByteArray oldToken = JwtCodec(oldKey, QStringLiteral("flashsale")).sign(claims());
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        AccessClaims read;
        QCOMPARE(JwtCodec(newKey, QStringLiteral("flashsale")).verify(oldToken, now, &read), JwtCodec::Failure::BadSignature);
        const JwtCodec rotating(newKey, QStringLiteral("flashsale"), {oldKey});
        QCOMPARE(rotating.verify(oldToken, now, &read), JwtCodec::Failure::None);
        QCOMPARE(read.subject, QStringLiteral("7"));
        const QByteArray newToken = rotating.sign(claims());
        QCOMPARE(JwtCodec(newKey, QStringLiteral("flashsale")).verify(newToken, now, &read), JwtCodec::Failure::None);
        QCOMPARE(JwtCodec(oldKey, QStringLiteral("flashsale")).verify(newToken, now, &read), JwtCodec::Failure::BadSignature);
        QCOMPARE(JwtCodec(QByteArray(32, 'x'), QStringLiteral("flashsale"), {oldKey}).verify(newToken, now, &read),
                 JwtCodec::Failure::BadSignature);
    }
};

QTEST_GUILESS_MAIN(TestKeyRotation)
#include "tst_keyrotation.moc"
