// The waiting room's signed texts without a server: admission tokens (forged, altered,
// expired, another shopper's or sale's) and proof-of-work challenges (wrong nonce,
// reuse, another shopper, expiry, too easy, the leading-zero-bit count).
#include "waitingroom/admissiontoken.h"
#include "waitingroom/proofofwork.h"
#include "waitingroom/signedtext.h"

#include <QCryptographicHash>
#include <QtTest>

namespace {

const QByteArray key = QByteArray(32, 'k');

QByteArray solve(const QByteArray &challenge, int bits)
{
    for (int i = 0;; ++i) {
        if (ProofOfWork::solves(challenge, QByteArray::number(i), bits))
            return QByteArray::number(i);
    }
}

} // namespace

class TestAdmissionCrypto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sealedTextOpensOnlyWithItsKey()
    {
        const QByteArray sealed = SignedText::seal(key, "payload");
        QByteArray out;
        QVERIFY(SignedText::open(key, sealed, &out));
        QCOMPARE(out, QByteArray("payload"));
        QVERIFY(!SignedText::open(QByteArray(32, 'x'), sealed, &out));
        QVERIFY(!SignedText::open(key, sealed + "A", &out));
        QVERIFY(!SignedText::open(key, "cGF5bG9hZA." + sealed.mid(sealed.indexOf('.') + 1) + "x", &out));
        QVERIFY(!SignedText::open(key, "", &out));
        QVERIFY(!SignedText::open(key, "...", &out));
        QVERIFY(!SignedText::open(key, "no-dot-at-all", &out));
    }

    void admissionTokenRefusals()
    {
        const qint64 now = 1000000;
        const QByteArray token = AdmissionToken{7, 42, 3, now + 60000}.seal(key);
        QVERIFY(AdmissionToken::refusal(key, token, 7, 42, now).isEmpty());
        QVERIFY(AdmissionToken::refusal(key, {}, 7, 42, now).contains(QStringLiteral("waiting room")));
        QVERIFY(AdmissionToken::refusal(key, token, 8, 42, now).contains(QStringLiteral("another sale")));
        QVERIFY(AdmissionToken::refusal(key, token, 7, 43, now).contains(QStringLiteral("another shopper")));
        QVERIFY(AdmissionToken::refusal(key, token, 7, 42, now + 60000).contains(QStringLiteral("expired")));
        QVERIFY(AdmissionToken::refusal(QByteArray(32, 'x'), token, 7, 42, now).contains(QStringLiteral("not one")));
        // The payload is readable, but changing it breaks the signature.
        const QByteArray longer = AdmissionToken{7, 42, 3, now + 999999999}.seal(QByteArray(32, 'x'));
        const QByteArray spliced = longer.left(longer.indexOf('.')) + token.mid(token.indexOf('.'));
        QVERIFY(!AdmissionToken::refusal(key, spliced, 7, 42, now).isEmpty());
    }

    void leadingZeroBits()
    {
        QCOMPARE(ProofOfWork::leadingZeroBits(QByteArray::fromHex("ff")), 0);
        QCOMPARE(ProofOfWork::leadingZeroBits(QByteArray::fromHex("7f")), 1);
        QCOMPARE(ProofOfWork::leadingZeroBits(QByteArray::fromHex("0001")), 15);
        QCOMPARE(ProofOfWork::leadingZeroBits(QByteArray::fromHex("000080")), 16);
        QCOMPARE(ProofOfWork::leadingZeroBits(QByteArray::fromHex("0000")), 16);
        const QByteArray c = "challenge";
        const QByteArray nonce = solve(c, 12);
        QVERIFY(ProofOfWork::leadingZeroBits(QCryptographicHash::hash(c + nonce, QCryptographicHash::Sha256)) >= 12);
    }

    void challengeIsRedeemedOnceByItsOwner()
    {
        ProofOfWork pow(key);
        const qint64 now = 5000000;
        ProofOfWork::Challenge issued;
        const QByteArray c = pow.issue(7, 42, 10, now, 60000, &issued);
        QCOMPARE(issued.bits, 10);
        const QByteArray nonce = solve(c, 10);
        QByteArray wrong = "w";
        while (ProofOfWork::solves(c, wrong, 10))
            wrong += 'w';
        ProofOfWork::Challenge out;
        QVERIFY(pow.redeem(c, wrong, 7, 42, 10, now + 10, &out).contains(QStringLiteral("does not solve")));
        QVERIFY(pow.redeem(c, nonce, 7, 43, 10, now + 10, &out).contains(QStringLiteral("another")));
        QVERIFY(pow.redeem(c, nonce, 8, 42, 10, now + 10, &out).contains(QStringLiteral("another")));
        QVERIFY(pow.redeem(c, nonce, 7, 42, 11, now + 10, &out).contains(QStringLiteral("easier")));
        QVERIFY(pow.redeem(c, nonce, 7, 42, 10, now + 60000, &out).contains(QStringLiteral("expired")));
        QVERIFY(pow.redeem(c, nonce, 7, 42, 10, now + 10, &out).isEmpty());
        QCOMPARE(out.issuedAtMs, now);
        QVERIFY(pow.redeem(c, nonce, 7, 42, 10, now + 20, &out).contains(QStringLiteral("already used")));
        ProofOfWork other(QByteArray(32, 'x'));
        QVERIFY(other.redeem(c, nonce, 7, 42, 10, now + 10, &out).contains(QStringLiteral("not one")));
    }
};

QTEST_GUILESS_MAIN(TestAdmissionCrypto)
#include "tst_admissioncrypto.moc"
