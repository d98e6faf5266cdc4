// Access tokens: HS256 JWTs round-trip, and everything that is not a token we signed,
// unchanged, with our issuer and still in date, is refused.
#include "accounts/jwt.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QtTest>

namespace {

const QByteArray Key = QByteArray("0123456789abcdef0123456789abcdef");
const QString Issuer = QStringLiteral("flashsale");
constexpr qint64 Now = 1900000000; // a fixed clock

AccessClaims claims(qint64 issuedAt = Now, qint64 expiresAt = Now + 900)
{
    AccessClaims c;
    c.subject = QStringLiteral("42");
    c.email = QStringLiteral("ann@example.com");
    c.role = QStringLiteral("shopper");
    c.issuedAt = issuedAt;
    c.expiresAt = expiresAt;
    c.tokenId = QStringLiteral("jti-1");
    return c;
}

QByteArray part(const QJsonObject &object)
{
    return JwtCodec::base64UrlEncode(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject validPayload()
{
    return {{QStringLiteral("sub"), QStringLiteral("42")}, {QStringLiteral("email"), QStringLiteral("ann@example.com")},
            {QStringLiteral("role"), QStringLiteral("admin")}, {QStringLiteral("iat"), double(Now)},
            {QStringLiteral("exp"), double(Now + 900)}, {QStringLiteral("iss"), Issuer},
            {QStringLiteral("jti"), QStringLiteral("x")}};
}

// A token built by hand: header and payload as given, signed with `algorithm` and `key`.
QByteArray handMade(const QJsonObject &header, const QJsonObject &payload, QCryptographicHash::Algorithm algorithm,
                    const QByteArray &key)
{
    const QByteArray input = part(header) + '.' + part(payload);
    return input + '.' + JwtCodec::base64UrlEncode(QMessageAuthenticationCode::hash(input, key, algorithm));
}

QJsonObject hs256Header()
{
    return {{QStringLiteral("alg"), QStringLiteral("HS256")}, {QStringLiteral("typ"), QStringLiteral("JWT")}};
}

} // namespace

Q_DECLARE_METATYPE(JwtCodec::Failure)

class TestJwt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        const JwtCodec codec(Key, Issuer);
        const QByteArray token = codec.sign(claims());
        QCOMPARE(token.count('.'), 2);
        AccessClaims read;
        QCOMPARE(codec.verify(token, Now, &read), JwtCodec::Failure::None);
        QCOMPARE(read.subject, QStringLiteral("42"));
        QCOMPARE(read.email, QStringLiteral("ann@example.com"));
        QCOMPARE(read.role, QStringLiteral("shopper"));
        QCOMPARE(read.issuedAt, Now);
        QCOMPARE(read.expiresAt, Now + 900);
        QCOMPARE(read.issuer, Issuer);
        QCOMPARE(read.tokenId, QStringLiteral("jti-1"));
        // The header says HS256, and a hand-made HS256 token verifies the same way.
        const QJsonObject header = QJsonDocument::fromJson(*JwtCodec::base64UrlDecode(token.left(token.indexOf('.')))).object();
        QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("HS256"));
        QCOMPARE(codec.verify(handMade(hs256Header(), validPayload(), QCryptographicHash::Sha256, Key), Now, nullptr),
                 JwtCodec::Failure::None);
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<JwtCodec::Failure>("expected");
        const JwtCodec codec(Key, Issuer);
        const QByteArray good = codec.sign(claims());
        const QList<QByteArray> parts = good.split('.');

        QJsonObject promoted = QJsonDocument::fromJson(*JwtCodec::base64UrlDecode(parts[1])).object();
        promoted.insert(QStringLiteral("role"), QStringLiteral("admin"));
        QTest::newRow("tampered payload") << (parts[0] + '.' + part(promoted) + '.' + parts[2])
                                          << JwtCodec::Failure::BadSignature;

        QByteArray signature = parts[2];
        signature[0] = signature[0] == 'A' ? 'B' : 'A';
        QTest::newRow("tampered signature") << (parts[0] + '.' + parts[1] + '.' + signature) << JwtCodec::Failure::BadSignature;
        QTest::newRow("signature of another key")
            << handMade(hs256Header(), validPayload(), QCryptographicHash::Sha256, QByteArray(32, 'x'))
            << JwtCodec::Failure::BadSignature;
        QTest::newRow("signature cut short") << (parts[0] + '.' + parts[1] + '.' + parts[2].left(20))
                                             << JwtCodec::Failure::BadSignature;

        const QJsonObject none{{QStringLiteral("alg"), QStringLiteral("none")}, {QStringLiteral("typ"), QStringLiteral("JWT")}};
        QTest::newRow("alg none, empty signature") << (part(none) + '.' + part(validPayload()) + '.')
                                                   << JwtCodec::Failure::UnsupportedAlgorithm;
        QTest::newRow("alg none, real signature") << (part(none) + '.' + parts[1] + '.' + parts[2])
                                                  << JwtCodec::Failure::UnsupportedAlgorithm;
        QTest::newRow("alg HS512 with the right key")
            << handMade({{QStringLiteral("alg"), QStringLiteral("HS512")}}, validPayload(), QCryptographicHash::Sha512, Key)
            << JwtCodec::Failure::UnsupportedAlgorithm;
        QTest::newRow("alg lower case")
            << handMade({{QStringLiteral("alg"), QStringLiteral("hs256")}}, validPayload(), QCryptographicHash::Sha256, Key)
            << JwtCodec::Failure::UnsupportedAlgorithm;
        QTest::newRow("no alg") << handMade({{QStringLiteral("typ"), QStringLiteral("JWT")}}, validPayload(),
                                            QCryptographicHash::Sha256, Key)
                                << JwtCodec::Failure::UnsupportedAlgorithm;
        QJsonObject critical = hs256Header();
        critical.insert(QStringLiteral("crit"), QJsonArray{QStringLiteral("b64")});
        QTest::newRow("unknown critical extension")
            << handMade(critical, validPayload(), QCryptographicHash::Sha256, Key) << JwtCodec::Failure::UnsupportedAlgorithm;

        QTest::newRow("expired") << codec.sign(claims(Now - 1000, Now - 1)) << JwtCodec::Failure::Expired;
        QTest::newRow("expires this second") << codec.sign(claims(Now - 900, Now)) << JwtCodec::Failure::Expired;
        QTest::newRow("issued in the future") << codec.sign(claims(Now + 3600, Now + 4500)) << JwtCodec::Failure::NotYetValid;
        QTest::newRow("wrong issuer") << JwtCodec(Key, QStringLiteral("someone-else")).sign(claims())
                                      << JwtCodec::Failure::WrongIssuer;
        QJsonObject noIssuer = validPayload();
        noIssuer.remove(QStringLiteral("iss"));
        QTest::newRow("no issuer") << handMade(hs256Header(), noIssuer, QCryptographicHash::Sha256, Key)
                                   << JwtCodec::Failure::WrongIssuer;
        QJsonObject noExpiry = validPayload();
        noExpiry.remove(QStringLiteral("exp"));
        QTest::newRow("no exp") << handMade(hs256Header(), noExpiry, QCryptographicHash::Sha256, Key)
                                << JwtCodec::Failure::Malformed;
        QJsonObject textExpiry = validPayload();
        textExpiry.insert(QStringLiteral("exp"), QStringLiteral("2100-01-01"));
        QTest::newRow("exp not a number") << handMade(hs256Header(), textExpiry, QCryptographicHash::Sha256, Key)
                                          << JwtCodec::Failure::Malformed;
        QJsonObject numericSubject = validPayload();
        numericSubject.insert(QStringLiteral("sub"), 42);
        QTest::newRow("sub not a string") << handMade(hs256Header(), numericSubject, QCryptographicHash::Sha256, Key)
                                          << JwtCodec::Failure::Malformed;

        QTest::newRow("empty") << QByteArray() << JwtCodec::Failure::Malformed;
        QTest::newRow("one part") << QByteArray("abc") << JwtCodec::Failure::Malformed;
        QTest::newRow("two parts") << (parts[0] + '.' + parts[1]) << JwtCodec::Failure::Malformed;
        QTest::newRow("four parts") << (good + ".AAAA") << JwtCodec::Failure::Malformed;
        QTest::newRow("dots only") << QByteArray("..") << JwtCodec::Failure::Malformed;
        QTest::newRow("not base64") << QByteArray("!!!.###.$$$") << JwtCodec::Failure::Malformed;
        QTest::newRow("padded base64") << (parts[0] + "=." + parts[1] + '.' + parts[2]) << JwtCodec::Failure::Malformed;
        QTest::newRow("standard alphabet") << QByteArray(good).replace('-', '+').replace('_', '/').append("+/")
                                           << JwtCodec::Failure::Malformed;
        QTest::newRow("header not JSON") << (JwtCodec::base64UrlEncode("hello") + '.' + parts[1] + '.' + parts[2])
                                         << JwtCodec::Failure::Malformed;
        QTest::newRow("header a JSON array") << (JwtCodec::base64UrlEncode("[\"HS256\"]") + '.' + parts[1] + '.' + parts[2])
                                             << JwtCodec::Failure::Malformed;
        const QByteArray arrayPayloadInput = part(hs256Header()) + '.' + JwtCodec::base64UrlEncode("[1,2]");
        QTest::newRow("payload a JSON array, signed")
            << (arrayPayloadInput + '.'
                + JwtCodec::base64UrlEncode(QMessageAuthenticationCode::hash(arrayPayloadInput, Key, QCryptographicHash::Sha256)))
            << JwtCodec::Failure::Malformed;
        QTest::newRow("huge") << QByteArray(JwtCodec::MaxTokenBytes + 1, 'a') << JwtCodec::Failure::Malformed;
    }

    void refused()
    {
        QFETCH(QByteArray, token);
        QFETCH(JwtCodec::Failure, expected);
        const JwtCodec codec(Key, Issuer);
        AccessClaims read;
        read.subject = QStringLiteral("untouched");
        QCOMPARE(codec.verify(token, Now, &read), expected);
        QCOMPARE(read.subject, QStringLiteral("untouched")); // nothing leaks out of a refused token
        QVERIFY(!JwtCodec::describe(expected).isEmpty());
    }

    void base64UrlIsStrict()
    {
        QCOMPARE(JwtCodec::base64UrlEncode(QByteArray("\xfb\xff", 2)), QByteArray("-_8"));
        QCOMPARE(*JwtCodec::base64UrlDecode("-_8"), QByteArray("\xfb\xff", 2));
        QVERIFY(!JwtCodec::base64UrlDecode("-_8=").has_value()); // padding
        QVERIFY(!JwtCodec::base64UrlDecode("+/8").has_value());  // the other alphabet
        QVERIFY(!JwtCodec::base64UrlDecode("-_9").has_value());  // stray low bits
        QVERIFY(!JwtCodec::base64UrlDecode("a b").has_value());
    }

    void shortKeyIsRefused()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, JwtCodec(QByteArray(31, 'k'), Issuer));
    }
};

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
