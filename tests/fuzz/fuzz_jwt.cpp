// Access tokens (server/accounts/jwt.cpp), verified with a fixed key as every request
// with a bearer token is. The first byte picks how the rest is used:
//   0: the token as a client sends it (form, base64url, header, signature);
//   1: "header\npayload", both JSON as the client wrote them, encoded and signed with the
//      server's key, so that the claims behind a valid signature are reached too;
//   2: "subject\nemail\nrole", signed by JwtCodec::sign: verify must give the claims back.
#include "accounts/jwt.h"
#include "fuzzcheck.h"

#include <QMessageAuthenticationCode>

#include <cstdint>

namespace {

constexpr qint64 now = 1796126400; // 2026-12-01T12:00:00Z
const QByteArray key(32, 'k');
const QByteArray previousKey(32, 'p');

const JwtCodec &codec()
{
    static const JwtCodec c(key, QStringLiteral("flashsale-fuzz"), {previousKey});
    return c;
}

void checkVerified(const QByteArray &token)
{
    AccessClaims claims;
    const JwtCodec::Failure failure = codec().verify(token, now, &claims);
    FUZZ_CHECK(!JwtCodec::describe(failure).isEmpty() || failure == JwtCodec::Failure::None);
    if (failure == JwtCodec::Failure::None) {
        FUZZ_CHECK(!claims.subject.isEmpty());
        FUZZ_CHECK(claims.issuer == codec().issuer());
        FUZZ_CHECK(claims.expiresAt > now && claims.issuedAt <= now + JwtCodec::AllowedClockSkewSeconds);
    }
}

QByteArray signedToken(const QByteArray &header, const QByteArray &payload)
{
    const QByteArray input = JwtCodec::base64UrlEncode(header) + '.' + JwtCodec::base64UrlEncode(payload);
    return input + '.' + JwtCodec::base64UrlEncode(QMessageAuthenticationCode::hash(input, key, QCryptographicHash::Sha256));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    switch (data[0] % 3) {
    case 0: {
        checkVerified(rest);
        // Base64url as the codec reads it: only the canonical form, which encodes back to itself.
        const std::optional<QByteArray> decoded = JwtCodec::base64UrlDecode(rest);
        if (decoded)
            FUZZ_CHECK(JwtCodec::base64UrlEncode(*decoded) == rest);
        break;
    }
    case 1: {
        const qsizetype newline = rest.indexOf('\n');
        checkVerified(signedToken(rest.left(newline < 0 ? rest.size() : newline), newline < 0 ? QByteArray() : rest.mid(newline + 1)));
        break;
    }
    default: {
        const QList<QByteArray> fields = rest.split('\n');
        AccessClaims claims;
        claims.subject = QString::fromUtf8(fields.value(0));
        claims.email = QString::fromUtf8(fields.value(1));
        claims.role = QString::fromUtf8(fields.value(2));
        claims.issuedAt = now - 10;
        claims.expiresAt = now + 900;
        claims.tokenId = QStringLiteral("jti-1");
        AccessClaims back;
        const JwtCodec::Failure failure = codec().verify(codec().sign(claims), now, &back);
        if (claims.subject.isEmpty() || codec().sign(claims).size() > JwtCodec::MaxTokenBytes) {
            FUZZ_CHECK(failure == JwtCodec::Failure::Malformed);
            break;
        }
        FUZZ_CHECK(failure == JwtCodec::Failure::None);
        FUZZ_CHECK(back.subject == claims.subject && back.email == claims.email && back.role == claims.role);
        FUZZ_CHECK(back.issuedAt == claims.issuedAt && back.expiresAt == claims.expiresAt && back.tokenId == claims.tokenId);
        break;
    }
    }
    return 0;
}
