#include "signedtext.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

namespace {

constexpr auto encoding = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray mac(const QByteArray &key, const QByteArray &payload)
{
    return QMessageAuthenticationCode::hash(payload, key, QCryptographicHash::Sha256);
}

// Compares in time independent of where the first difference is.
bool sameBytes(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace

namespace SignedText {

QByteArray seal(const QByteArray &key, const QByteArray &payload)
{
    return payload.toBase64(encoding) + '.' + mac(key, payload).toBase64(encoding);
}

bool open(const QByteArray &key, const QByteArray &sealed, QByteArray *payload)
{
    if (sealed.size() > 1024)
        return false;
    const qsizetype dot = sealed.indexOf('.');
    if (dot <= 0 || sealed.indexOf('.', dot + 1) >= 0)
        return false;
    const auto body = QByteArray::fromBase64Encoding(sealed.left(dot), encoding | QByteArray::AbortOnBase64DecodingErrors);
    const auto signature = QByteArray::fromBase64Encoding(sealed.mid(dot + 1), encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!body || !signature || !sameBytes(mac(key, *body), *signature))
        return false;
    *payload = *body;
    return true;
}

} // namespace SignedText
