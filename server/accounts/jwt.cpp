#include "jwt.h"

#include "sodiumsupport.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QMessageAuthenticationCode>

#include <cmath>
#include <stdexcept>

namespace {

constexpr QByteArray::Base64Options UrlOptions = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

std::optional<QJsonObject> decodeJsonObject(const QByteArray &part)
{
    const std::optional<QByteArray> json = JwtCodec::base64UrlDecode(part);
    if (!json)
        return std::nullopt;
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(*json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

// A NumericDate: a whole number of seconds that a double holds exactly.
std::optional<qint64> numericDate(const QJsonObject &payload, const QString &claim)
{
    const QJsonValue v = payload.value(claim);
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740992.0)
        return std::nullopt;
    return qint64(d);
}

std::optional<QString> stringClaim(const QJsonObject &payload, const QString &claim)
{
    const QJsonValue v = payload.value(claim);
    if (!v.isString())
        return std::nullopt;
    return v.toString();
}

} // namespace

JwtCodec::JwtCodec(QByteArray key, QString issuer, QList<QByteArray> alsoAccepted)
    : m_key(std::move(key))
    , m_alsoAccepted(std::move(alsoAccepted))
    , m_issuer(std::move(issuer))
{
    if (m_key.size() < 32)
        throw std::invalid_argument("a HS256 key needs at least 32 bytes");
    for (const QByteArray &k : m_alsoAccepted) {
        if (k.size() < 32)
            throw std::invalid_argument("a HS256 key needs at least 32 bytes");
    }
}

QByteArray JwtCodec::base64UrlEncode(const QByteArray &bytes)
{
    return bytes.toBase64(UrlOptions);
}

std::optional<QByteArray> JwtCodec::base64UrlDecode(const QByteArray &text)
{
    auto decoded = QByteArray::fromBase64Encoding(text, UrlOptions | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    // Only the canonical spelling: re-encoding must give back exactly the input.
    if (decoded.decoded.toBase64(UrlOptions) != text)
        return std::nullopt;
    return std::move(decoded.decoded);
}

QByteArray JwtCodec::mac(const QByteArray &key, const QByteArray &signingInput)
{
    return QMessageAuthenticationCode::hash(signingInput, key, QCryptographicHash::Sha256);
}

QByteArray JwtCodec::sign(const AccessClaims &claims) const
{
    static const QByteArray header = base64UrlEncode(
        QJsonDocument(QJsonObject{{QStringLiteral("alg"), QStringLiteral("HS256")},
                                  {QStringLiteral("typ"), QStringLiteral("JWT")}})
            .toJson(QJsonDocument::Compact));
    const QJsonObject payload{
        {QStringLiteral("sub"), claims.subject},
        {QStringLiteral("email"), claims.email},
        {QStringLiteral("role"), claims.role},
        {QStringLiteral("iat"), double(claims.issuedAt)},
        {QStringLiteral("exp"), double(claims.expiresAt)},
        {QStringLiteral("iss"), m_issuer},
        {QStringLiteral("jti"), claims.tokenId},
    };
    const QByteArray signingInput = header + '.' + base64UrlEncode(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    return signingInput + '.' + base64UrlEncode(mac(m_key, signingInput));
}

JwtCodec::Failure JwtCodec::verify(const QByteArray &token, qint64 nowSeconds, AccessClaims *claims) const
{
    if (token.isEmpty() || token.size() > MaxTokenBytes)
        return Failure::Malformed;
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (firstDot <= 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0)
        return Failure::Malformed; // exactly three parts, the header not empty

    const std::optional<QJsonObject> header = decodeJsonObject(token.left(firstDot));
    if (!header)
        return Failure::Malformed;
    // The algorithm is ours to choose, never the token's: only HS256 is accepted.
    if (header->value(QStringLiteral("alg")).toString() != QLatin1String("HS256"))
        return Failure::UnsupportedAlgorithm;
    if (header->contains(QStringLiteral("crit")))
        return Failure::UnsupportedAlgorithm; // no extensions are understood here

    const std::optional<QByteArray> signature = base64UrlDecode(token.mid(secondDot + 1));
    if (!signature || signature->isEmpty())
        return Failure::Malformed;
    const QByteArray signingInput = token.left(secondDot);
    bool signedByUs = Sodium::equalConstantTime(*signature, mac(m_key, signingInput));
    for (const QByteArray &key : m_alsoAccepted)
        signedByUs = Sodium::equalConstantTime(*signature, mac(key, signingInput)) || signedByUs;
    if (!signedByUs)
        return Failure::BadSignature;

    // Signed by us; now read what it says.
    const std::optional<QJsonObject> payload = decodeJsonObject(token.mid(firstDot + 1, secondDot - firstDot - 1));
    if (!payload)
        return Failure::Malformed;
    const std::optional<QString> issuer = stringClaim(*payload, QStringLiteral("iss"));
    if (!issuer || *issuer != m_issuer)
        return Failure::WrongIssuer;
    const std::optional<qint64> issuedAt = numericDate(*payload, QStringLiteral("iat"));
    const std::optional<qint64> expiresAt = numericDate(*payload, QStringLiteral("exp"));
    const std::optional<QString> subject = stringClaim(*payload, QStringLiteral("sub"));
    if (!issuedAt || !expiresAt || !subject || subject->isEmpty())
        return Failure::Malformed;
    if (nowSeconds >= *expiresAt)
        return Failure::Expired;
    if (*issuedAt > nowSeconds + AllowedClockSkewSeconds)
        return Failure::NotYetValid;

    if (claims) {
        claims->subject = *subject;
        claims->email = payload->value(QStringLiteral("email")).toString();
        claims->role = payload->value(QStringLiteral("role")).toString();
        claims->issuedAt = *issuedAt;
        claims->expiresAt = *expiresAt;
        claims->issuer = *issuer;
        claims->tokenId = payload->value(QStringLiteral("jti")).toString();
    }
    return Failure::None;
}

QString JwtCodec::describe(Failure failure)
{
    switch (failure) {
    case Failure::None: return {};
    case Failure::Expired: return QStringLiteral("The access token has expired; use the refresh token to get a new one.");
    case Failure::NotYetValid: return QStringLiteral("The access token is not valid yet.");
    case Failure::UnsupportedAlgorithm: return QStringLiteral("The access token must be signed with HS256.");
    case Failure::BadSignature:
    case Failure::WrongIssuer:
    case Failure::Malformed: break;
    }
    return QStringLiteral("The access token is not valid.");
}
