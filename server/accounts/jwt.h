#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

// What FlashSale puts in an access token (RFC 7519 claim names in comments).
struct AccessClaims
{
    QString subject;      // sub: the user id, in decimal
    QString email;        // email
    QString role;         // role: "shopper" or "admin"
    qint64 issuedAt = 0;  // iat: seconds since the Unix epoch
    qint64 expiresAt = 0; // exp: seconds since the Unix epoch
    QString issuer;       // iss: set by JwtCodec::sign
    QString tokenId;      // jti: unique per token
};

// JSON Web Tokens signed with HMAC-SHA256 (JWS compact form, alg HS256 and nothing
// else). Pure CPU, no I/O: immutable once built, so sign() and verify() are safe from
// every thread at once, HTTP threads included.
class JwtCodec
{
public:
    enum class Failure { None, Malformed, UnsupportedAlgorithm, BadSignature, Expired, NotYetValid, WrongIssuer };

    static constexpr int MaxTokenBytes = 8192;
    static constexpr qint64 AllowedClockSkewSeconds = 60; // for iat only; exp is strict

    // `key` must hold at least 32 bytes. Tokens signed with one of `alsoAccepted` verify
    // too (a key rotation under way, docs/reliability.md); new tokens are signed with `key`.
    JwtCodec(QByteArray key, QString issuer, QList<QByteArray> alsoAccepted = {});

    // Signs the claims, with this codec's issuer in iss.
    QByteArray sign(const AccessClaims &claims) const;
    // Checks form, algorithm, signature (in constant time), issuer and times, in that
    // order; fills `claims` only when it returns Failure::None.
    Failure verify(const QByteArray &token, qint64 nowSeconds, AccessClaims *claims) const;

    const QString &issuer() const { return m_issuer; }
    // A sentence for the caller of a refused request.
    static QString describe(Failure failure);

    // Base64url without padding (RFC 7515 section 2). decode() accepts only the
    // canonical form: no padding, no other alphabet, no stray bits.
    static QByteArray base64UrlEncode(const QByteArray &bytes);
    static std::optional<QByteArray> base64UrlDecode(const QByteArray &text);

private:
    static QByteArray mac(const QByteArray &key, const QByteArray &signingInput);

    QByteArray m_key;
    QList<QByteArray> m_alsoAccepted;
    QString m_issuer;
};
