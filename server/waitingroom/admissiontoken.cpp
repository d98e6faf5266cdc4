#include "admissiontoken.h"

#include "signedtext.h"

#include <QList>

namespace {

const QByteArray kind = "adm1";

} // namespace

QByteArray AdmissionToken::seal(const QByteArray &key) const
{
    const QByteArray payload = kind + ':' + QByteArray::number(saleId) + ':' + QByteArray::number(userId) + ':'
                               + QByteArray::number(ticket) + ':' + QByteArray::number(expiresAtMs);
    return SignedText::seal(key, payload);
}

bool AdmissionToken::open(const QByteArray &key, const QByteArray &token, AdmissionToken *out)
{
    QByteArray payload;
    if (!SignedText::open(key, token, &payload))
        return false;
    const QList<QByteArray> parts = payload.split(':');
    if (parts.size() != 5 || parts[0] != kind)
        return false;
    bool ok[4] = {};
    AdmissionToken t;
    t.saleId = parts[1].toLongLong(&ok[0]);
    t.userId = parts[2].toLongLong(&ok[1]);
    t.ticket = parts[3].toLongLong(&ok[2]);
    t.expiresAtMs = parts[4].toLongLong(&ok[3]);
    if (!(ok[0] && ok[1] && ok[2] && ok[3]))
        return false;
    *out = t;
    return true;
}

QString AdmissionToken::refusal(const QByteArray &key, const QByteArray &token, qint64 saleId, qint64 userId, qint64 nowMs)
{
    if (token.isEmpty())
        return QStringLiteral("This sale admits shoppers through its waiting room: join it (POST /sales/%1/queue) and "
                              "send the admissionToken you get once admitted in the Admission-Token header.").arg(saleId);
    AdmissionToken t;
    if (!open(key, token, &t))
        return QStringLiteral("The Admission-Token is not one this server issued.");
    if (t.saleId != saleId)
        return QStringLiteral("The Admission-Token is for another sale.");
    if (t.userId != userId)
        return QStringLiteral("The Admission-Token belongs to another shopper.");
    if (t.expiresAtMs <= nowMs)
        return QStringLiteral("The Admission-Token has expired.");
    return {};
}
